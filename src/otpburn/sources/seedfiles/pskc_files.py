"""PSKC (RFC 6030) seed files: plain, password-encrypted (PBKDF2) or encrypted with a pre-shared key.

python-pskc does the XML and the cryptography; this module bounds what a file may ask of it
(nesting, DOCTYPE, derivation work), asks for the password or key only when the file needs
one, and turns every exception the library raises into one line naming the key it concerns.
"""

from __future__ import annotations

import io
import re
import warnings
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from typing import Any

from otpburn.errors import InputError, Remedy
from otpburn.otp.params import Algorithm, OtpParams, OtpType
from otpburn.sources.seedfiles.model import Rows, SeedRecord, Unlock, printable, run_interruptibly
from otpburn.sources.seedfiles.password_crypto import password_text
from otpburn.sources.seedfiles.xml_safety import check_xml

MAX_PBKDF2_ITERATIONS = 10_000_000
MAX_PBKDF2_KEY_LENGTH = 64
PRESHARED_KEY_LENGTHS = (16, 24, 32)
WHOLE_DOCUMENT_BYTES = 1024 * 1024  # larger files are read in parts (see _parts)
KEYS_PER_PART = 500  # AES-128/192/256, Camellia, 3DES (16 or 24)


def parse_preshared_key(data: bytes) -> bytes:
    """A pre-shared key as people keep it: hex text (spaces, colons and a 0x prefix allowed) or the raw bytes."""
    text = data.strip()
    if text[:2].lower() == b"0x":
        text = text[2:]
    hex_text = re.sub(rb"[\s:]", b"", text)
    if hex_text and re.fullmatch(rb"[0-9a-fA-F]+", hex_text):
        if len(hex_text) % 2:
            raise InputError(f"the key file holds {len(hex_text)} hex digits; a key has an even number")
        key = bytes.fromhex(hex_text.decode("ascii"))
    else:
        key = data  # raw bytes, used exactly as stored
    if len(key) not in PRESHARED_KEY_LENGTHS:
        raise InputError(f"the key is {len(key)} bytes long; a PSKC pre-shared key has 16, 24 or 32 "
                         "(write it as hex, or as the raw bytes)")
    return key


def read_pskc(path: str, data: bytes, unlock: Unlock) -> Rows:
    with warnings.catch_warnings():  # python-pskc's and cryptography's deprecation notes are not the user's
        warnings.simplefilter("ignore")
        return _read(path, data, unlock)


def _read(path: str, data: bytes, unlock: Unlock) -> Rows:
    check_xml(path, data, "PSKC")
    try:
        from pskc.exceptions import PSKCError
    except ImportError:
        raise InputError("reading PSKC needs the python-pskc package (pip install python-pskc)") from None
    found = Rows(kind="PSKC")
    opened: bytes | None = None  # the decryption key once the first part is open (derived only once)
    number = 0
    for part in _parts(path, data):
        document = _parse(path, part)
        if _is_encrypted(document):
            if opened is None:
                _unlock(path, document, unlock)
                opened = document.encryption.key
                found.kind = "PSKC (password-encrypted)" if document.encryption.derivation.algorithm else \
                    "PSKC (pre-shared key)"
                if _secrets_without_mac(document):
                    found.notes.append("its encrypted secrets carry no MAC (RFC 6030 asks for one), so a wrong key "
                                       "could go unnoticed: compare the first code with the service")
            else:
                document.encryption.key = opened
        for key in document.keys:
            number += 1
            where = f"key {number}" + (f" (serial {printable(key.serial)})" if key.serial else "")
            try:
                record = _record(where, number, key, found.notes)
            except InputError as exc:
                found.problems.append(f"{where}: {exc.message}")
            except PSKCError as exc:
                if _is_wrong_key(exc):
                    raise _wrong_secret(path, document) from None
                found.problems.append(f"{where}: {_library_words(exc)}")
            except (ValueError, TypeError, OverflowError) as exc:  # a field python-pskc cannot convert
                found.problems.append(f"{where}: a field cannot be read ({type(exc).__name__})")
            else:
                if record is not None:
                    found.records.append(record)
    return found


def _parse(path: str, data: bytes) -> Any:
    import pskc
    from pskc.exceptions import PSKCError

    try:
        return pskc.PSKC(io.BytesIO(data))
    except PSKCError as exc:
        raise InputError(f"{path}: not a valid PSKC file ({_library_words(exc)})") from None
    except Exception as exc:  # XML syntax errors and value conversions from the layers underneath
        raise InputError(f"{path}: not a valid PSKC file ({type(exc).__name__})") from None


def _parts(path: str, data: bytes) -> Iterator[bytes]:
    """The file as python-pskc documents of at most KEYS_PER_PART key packages each.

    python-pskc builds the whole document in memory (about ten times the file's size); a large
    file is streamed instead: each part is the container with its header (encryption key, MAC
    method) and the next key packages, and the packages already read are dropped.
    """
    if len(data) <= WHOLE_DOCUMENT_BYTES:
        yield data
        return

    depth = 0
    root: Any = None
    header: list[Any] = []
    packages: list[Any] = []

    def part() -> bytes:
        container = ElementTree.Element(root.tag, root.attrib)
        container.extend(header + packages)
        packages.clear()
        return ElementTree.tostring(container)

    try:
        # Safe to stream with the standard parser: check_xml has refused any DOCTYPE or entity.
        for event, element in ElementTree.iterparse(io.BytesIO(data), events=("start", "end")):  # noqa: S314
            if event == "start":
                depth += 1
                if root is None:
                    root = element
                continue
            depth -= 1
            if depth != 1:
                continue
            root.remove(element)  # read: the streamed tree keeps only what is not yet handed on
            if element.tag.rsplit("}", 1)[-1] in ("KeyPackage", "Device"):  # "Device" in the draft formats
                packages.append(element)
                if len(packages) >= KEYS_PER_PART:
                    yield part()
            else:
                header.append(element)
    except ElementTree.ParseError:
        raise InputError(f"{path}: not a valid PSKC file (its XML is damaged)") from None
    if packages or root is None:
        yield part() if root is not None else data


def _record(where: str, number: int, key: Any, notes: list[str]) -> SeedRecord | None:
    secret = key.secret
    algorithm_uri = (key.algorithm or "").lower()
    if not algorithm_uri:
        # The algorithm is optional in RFC 6030; the moving factor the file gives tells the type.
        if key.time_interval and key.counter is None:
            algorithm_uri = "totp"
        elif key.counter is not None and not key.time_interval:
            algorithm_uri = "hotp"
        else:
            raise InputError("names no algorithm, and neither a time step nor a counter tells HOTP from TOTP")
    if not algorithm_uri.endswith(("hotp", "totp")):
        notes.append(f"{where}: not an HOTP or TOTP key ({_algorithm_name(key.algorithm)}); skipped")
        return None
    if not secret:
        raise InputError("no secret")
    otp_type = OtpType.HOTP if algorithm_uri.endswith("hotp") else OtpType.TOTP
    suite = (key.algorithm_suite or "SHA1").upper().replace("HMAC-", "")
    params = OtpParams(secret=secret, type=otp_type, algorithm=Algorithm.parse(suite),
                       digits=key.response_length or 6,
                       period=key.time_interval or 30 if otp_type is OtpType.TOTP else 30,
                       counter=key.counter or 0, issuer=printable(key.issuer or ""),
                       account=printable(key.key_userid or key.device_userid or ""))
    return SeedRecord(printable(key.serial or ""), params, number, unit="key")


def _is_encrypted(document: Any) -> bool:
    """Whether any key holds an encrypted value (python-pskc's own test decrypts, which would raise)."""
    from pskc.key import EncryptedValue

    return any(isinstance(getattr(key, name, None), EncryptedValue) for key in document.keys
               for name in ("_secret", "_counter", "_time_offset", "_time_interval", "_time_drift"))


def _secrets_without_mac(document: Any) -> bool:
    from pskc.key import EncryptedValue

    values = [getattr(key, "_secret", None) for key in document.keys]
    encrypted = [value for value in values if isinstance(value, EncryptedValue)]
    cbc = (document.encryption.algorithm or "").endswith("-cbc")
    return cbc and any(not value.mac_value for value in encrypted)


def _unlock(path: str, document: Any, unlock: Unlock) -> None:
    from pskc.encryption import algorithm_key_lengths
    from pskc.exceptions import PSKCError

    encryption = document.encryption
    derivation = encryption.derivation
    if derivation.algorithm:
        # The file chooses the work: bound it before running it (a real PSKC uses thousands of rounds).
        if (derivation.pbkdf2_iterations or 0) > MAX_PBKDF2_ITERATIONS or \
                (derivation.pbkdf2_key_length or 0) > MAX_PBKDF2_KEY_LENGTH:
            raise InputError(f"{path}: its key derivation asks for {derivation.pbkdf2_iterations} rounds and a "
                             f"{derivation.pbkdf2_key_length}-byte key; otpburn runs at most "
                             f"{MAX_PBKDF2_ITERATIONS} rounds for a key of at most {MAX_PBKDF2_KEY_LENGTH} bytes")
        secret_word = password_text(path, unlock, "encrypted with a password")
        try:
            run_interruptibly(lambda: encryption.derive_key(secret_word))
        except (PSKCError, KeyError, ValueError, TypeError) as exc:
            raise InputError(f"{path}: its key derivation cannot be run ({_library_words(exc)})") from None
        return
    name = f" named {printable(encryption.key_name)!r}" if encryption.key_name else ""
    try:
        lengths = algorithm_key_lengths(encryption.algorithm)
    except PSKCError:
        if not encryption.algorithm:
            raise InputError(f"{path}: its secrets are encrypted, but the file names no encryption method") from None
        raise InputError(f"{path}: its secrets are encrypted with {_algorithm_name(encryption.algorithm)}, which "
                         "otpburn cannot decrypt") from None
    if unlock.key is None:
        raise InputError(f"{path} is encrypted with a pre-shared key{name}", remedy=Remedy.SEED_FILE_KEY)
    key = unlock.key()
    if len(key) not in lengths:
        wanted = " or ".join(str(length) for length in lengths)
        raise InputError(f"{path}: the key given is {len(key)} bytes; this file's encryption "
                         f"({_algorithm_name(encryption.algorithm)}) takes a {wanted}-byte key{name}")
    encryption.key = key


def _is_wrong_key(exc: Exception) -> bool:
    """A MAC mismatch, bad padding or a failed key-wrap check: a wrong key or password, or an altered file."""
    words = str(exc).lower()
    return any(sign in words for sign in ("mac value does not match", "invalid padding", "iv does not match",
                                          "key checksum error"))


def _wrong_secret(path: str, document: Any) -> InputError:
    if document.encryption.derivation.algorithm:
        return InputError(f"{path}: wrong password, or the file is damaged (its secrets do not decrypt)",
                          remedy=Remedy.SEED_FILE_PASSWORD)
    return InputError(f"{path}: wrong key, or the file is damaged (its secrets do not decrypt or their MAC does "
                      "not match)", remedy=Remedy.SEED_FILE_KEY)


def _library_words(exc: BaseException) -> str:
    """python-pskc's own message, which names fields and algorithms, never secret values; cut short."""
    return printable(str(exc))[:120] or type(exc).__name__


def _algorithm_name(uri: str | None) -> str:
    """The last part of an algorithm URI (a PIN, OCRA, aes128-cbc...), cut short: it is the file's text."""
    name = (uri or "no algorithm").rstrip("/#:").rsplit(":", 1)[-1].rsplit("#", 1)[-1]
    return printable(name)[:40] or "no algorithm"
