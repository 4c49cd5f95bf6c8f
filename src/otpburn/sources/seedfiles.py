"""Seed files in: the vendor CSV (serial → secret), privacyIDEA/LinOTP OATH CSV (every layout
the server imports), Entra CSV, PSKC (plain or password-encrypted) and plain lists of
otpauth URIs.

A file yields its usable records plus a problem for each record it cannot use, naming its
line (or key) and the reason; `strict` keeps the all-or-nothing reading for scripts.
Duplicates are notes naming both lines. XML with a DOCTYPE or entity declarations is
refused before parsing.
"""

from __future__ import annotations

import csv
import io
import re
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

from otpburn.errors import InputError, Remedy
from otpburn.otp.codec import decode_base32, decode_hex
from otpburn.otp.params import Algorithm, OtpParams, OtpType
from otpburn.sources.otpauth import parse_uri

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_PROBLEMS_SHOWN = 5


@dataclass(frozen=True)
class SeedRecord:
    serial: str  # "" when the file names no token
    params: OtpParams
    line: int  # where it came from, for messages
    upn: str = ""
    part: str = ""  # which part of a multi-part source it came from ("export link 2, account 3")
    # privacyIDEA "# version: 2" files name the user the server assigns the token to.
    user: str = ""
    resolver: str = ""
    realm: str = ""


@dataclass
class SeedFile:
    """What a seed file holds: the usable records, and why the others cannot be used."""

    path: str
    records: list[SeedRecord]
    problems: list[str] = field(default_factory=list)  # records left out, each naming its line or key
    notes: list[str] = field(default_factory=list)  # loaded, but worth knowing (duplicates, keys skipped)


class SeedFileError(InputError):
    def __init__(self, path: str, problems: list[str]) -> None:
        shown = "; ".join(problems[:MAX_PROBLEMS_SHOWN])
        more = f" (and {len(problems) - MAX_PROBLEMS_SHOWN} more)" if len(problems) > MAX_PROBLEMS_SHOWN else ""
        super().__init__(f"{path}: {shown}{more}. Nothing was read from it")
        self.problems = problems


Rows = tuple[list[SeedRecord], list[str]]  # records, problems


def read_seed_file(path: str, password: Callable[[], str] | None = None, *, strict: bool = False) -> SeedFile:
    """Every usable seed in `path`, whatever its format, and a problem for each unusable one.

    With `strict`, any problem refuses the whole file (SeedFileError listing them); without,
    only a file with no usable record is refused.
    """
    from otpburn.files import decode_text, read_input_file

    file = Path(path)
    data = read_input_file(path, "a seed file", MAX_FILE_BYTES)
    if not data.strip():
        raise InputError(f"{path} is empty")
    notes: list[str] = []
    body = data.lstrip(b"\xef\xbb\xbf \t\r\n")  # a BOM or blank lines before the XML declaration
    if body.startswith(b"<") or file.suffix.lower() in (".xml", ".pskc"):
        with warnings.catch_warnings():  # python-pskc's and cryptography's deprecation notes are not the user's
            warnings.simplefilter("ignore")
            records, problems = _read_pskc(path, body, password, notes)
    else:
        text = decode_text(data, path, " (save it as UTF-8 CSV)")
        records, problems = _read_text(path, text)
    notes.extend(_duplicates(records))
    if problems and (strict or not records):
        raise SeedFileError(path, problems)
    if not records:
        if notes:  # e.g. a PSKC holding only PIN keys: say what was skipped
            raise SeedFileError(path, notes)
        raise InputError(f"{path} holds no seeds")
    return SeedFile(path, records, problems, notes)


def _read_text(path: str, text: str) -> Rows:
    lines = text.splitlines()
    first = next((line.strip() for line in lines if line.strip() and not line.startswith("#")), "")
    if first.lower().startswith("otpauth://") or "otpauth-migration://" in text.lower():
        return _read_uri_list(text)
    return _read_csv(path, text)


def _read_uri_list(text: str) -> Rows:
    """otpauth:// URIs one per line, and Google export links however export tools write them."""
    from otpburn.sources.migration import find_migration_links, parse_migration

    records: list[SeedRecord] = []
    problems: list[str] = []
    links = {link.line: link for link in find_migration_links(text)}
    continuation = {number for link in links.values() for number in range(link.line + 1, link.last_line + 1)}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#") or number in continuation:
            continue
        if number in links:
            try:
                batch = parse_migration(links[number].text)
            except InputError as exc:
                problems.append(f"line {number}: {exc.message}")
                continue
            part = f"export link {batch.batch_index + 1} of {batch.batch_size}" if batch.batch_size > 1 else ""
            for entry in batch.entries:
                where = ", ".join(filter(None, [part, f"account {entry.index + 1}"]))
                if entry.params is None:
                    problems.append(f"line {number} ({where}): {entry.problem}")
                else:
                    records.append(SeedRecord("", entry.params, number, part=where))
            continue
        try:
            records.append(SeedRecord("", parse_uri(line), number))
        except InputError as exc:
            problems.append(f"line {number}: {exc.message}")
    return records, problems


_VERSION = re.compile(r"^#\s*version:\s*(\d+)")
# Token types privacyIDEA's OATH CSV import knows; only HOTP and TOTP go onto an OTP token.
PRIVACYIDEA_TYPES = frozenset({"hotp", "totp", "ocra", "tan", "motp", "daypassword"})


def _read_csv(path: str, text: str) -> Rows:
    try:
        rows = list(csv.reader(io.StringIO(text), skipinitialspace=True))
    except csv.Error as exc:
        raise InputError(f"{path}: not a readable CSV file ({exc})") from None
    first_line = next((row[0] for row in rows if row and row[0].strip()), "")
    version = _VERSION.match(first_line.strip())
    numbered = [(number, [cell.strip() for cell in row]) for number, row in enumerate(rows, start=1)
                if row and any(cell.strip() for cell in row) and not row[0].lstrip().startswith("#")]
    if not numbered:
        return [], []
    if version and version.group(1) == "2":  # privacyIDEA: user, resolver, realm, then the token
        return _rows(numbered, _oath_row_with_user)
    header = [cell.lower() for cell in numbered[0][1]]
    if header[:3] == ["upn", "serial number", "secret key"]:
        return _rows(numbered[1:], _entra_row)
    if header[:2] == ["serial", "secret"] or header[:2] == ["serial", "seed"]:
        return _rows(numbered[1:], _vendor_row)
    if len(numbered[0][1]) >= 3 and numbered[0][1][2].lower() in PRIVACYIDEA_TYPES:
        return _rows(numbered, _oath_row)
    if len(numbered[0][1]) == 2:
        # Two columns: the vendor's serial,base32 — or privacyIDEA's serial,hexkey (an HOTP token).
        if _looks_hex([row[1] for _, row in numbered if len(row) == 2]):
            return _rows(numbered, _oath_row)
        return _rows(numbered, _vendor_row)
    raise InputError(f"{path}: unknown CSV layout; expected 'serial,secret', privacyIDEA/LinOTP OATH CSV "
                     "(serial, hex key[, totp|hotp, digits, period|counter, hash]) or an Entra ID CSV")


def _looks_hex(values: list[str]) -> bool:
    """True when every value is hex and one at least cannot be base32 (0, 1, 8 and 9 are not in it)."""
    hex_digits = set("0123456789abcdefABCDEF")
    return bool(values) and all(value and set(value) <= hex_digits for value in values) and \
        any(set(value) & set("0189") for value in values)


def _rows(rows: list[tuple[int, list[str]]], parse_row: Callable[[int, list[str]], SeedRecord | None]) -> Rows:
    records: list[SeedRecord] = []
    problems: list[str] = []
    for number, row in rows:
        try:
            record = parse_row(number, row)
        except InputError as exc:
            problems.append(f"line {number}: {exc.message}")
        else:
            if record is not None:
                records.append(record)
    return records, problems


_SERIAL = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def _serial(value: str) -> str:
    if not _SERIAL.match(value):
        # The value is not echoed: with columns swapped it could be a secret.
        raise InputError("the serial number column holds something else (expected letters, digits, . _ : - "
                         "up to 64)")
    return value


def _vendor_row(number: int, row: list[str]) -> SeedRecord:
    if len(row) != 2:
        raise InputError(f"expected 2 columns (serial,secret), found {len(row)}")
    try:
        secret = decode_base32(row[1])
    except InputError:
        raise InputError("the secret is not base32") from None  # the codec's detail quotes a character of it
    return SeedRecord(_serial(row[0]), OtpParams(secret=secret), number)


def _oath_row(number: int, row: list[str]) -> SeedRecord:
    """privacyIDEA/LinOTP OATH CSV: serial, hex key[, type[, digits[, period|counter[, hash]]]].

    Two columns mean HOTP, as the server reads them.
    """
    if not 2 <= len(row) <= 6:
        raise InputError(f"expected 2 to 6 columns (serial, key, type, digits, period|counter, hash), "
                         f"found {len(row)}")
    serial = _serial(row[0])
    try:
        secret = decode_hex(row[1])
    except InputError:
        raise InputError("the key is not hex") from None  # the codec's detail quotes a character of it
    kind = row[2].lower() if len(row) > 2 and row[2] else "hotp"
    if kind not in ("totp", "hotp"):
        if kind in PRIVACYIDEA_TYPES:  # a known type name, not a shifted secret: safe to name
            raise InputError(f"a {kind.upper()} token, not HOTP or TOTP; skipped")
        raise InputError("the type column is not totp or hotp")  # not echoed: it could be a shifted secret
    otp_type = OtpType(kind)
    digits = _number(row, 3, 6, "digits")
    totp = otp_type is OtpType.TOTP
    moving = _number(row, 4, 30 if totp else 0, "period" if totp else "counter")
    algorithm = Algorithm.parse(row[5]) if len(row) > 5 and row[5] else Algorithm.SHA1
    params = OtpParams(secret, otp_type, algorithm, digits, period=moving if totp else 30,
                       counter=0 if totp else moving)
    return SeedRecord(serial, params, number)


def _oath_row_with_user(number: int, row: list[str]) -> SeedRecord:
    if len(row) < 5:
        raise InputError(f"expected user, resolver, realm, serial, key and more; found {len(row)} columns")
    user, resolver, realm = row[:3]
    record = _oath_row(number, row[3:])
    return SeedRecord(record.serial, record.params, number, user=user, resolver=resolver, realm=realm)


def _entra_row(number: int, row: list[str]) -> SeedRecord:
    if len(row) != 6:
        raise InputError(f"expected 6 columns (upn, serial number, secret key, time interval, manufacturer, model), "
                         f"found {len(row)}")
    try:
        secret = decode_base32(row[2])
    except InputError:
        raise InputError("the secret key is not base32") from None  # the codec's detail quotes a character
    period = _number(row, 3, 30, "time interval")
    return SeedRecord(_serial(row[1]), OtpParams(secret=secret, period=period), number, upn=row[0])


def _number(row: list[str], index: int, default: int, name: str) -> int:
    if len(row) <= index or not row[index]:
        return default
    if not row[index].isdigit() or len(row[index]) > 9:
        raise InputError(f"the {name} column is not a whole number")  # not echoed: it could be a shifted secret
    return int(row[index])


MAX_XML_DEPTH = 64  # a PSKC document is about 8 elements deep
MAX_PBKDF2_ITERATIONS = 10_000_000
MAX_PBKDF2_KEY_LENGTH = 64


def _check_xml_depth(path: str, data: bytes) -> None:
    """Refuse absurdly nested XML before the recursive parser underneath python-pskc sees it.

    expat parses iteratively, so even 150 000 nested elements only cost a counter here.
    """
    import xml.parsers.expat

    depth = deepest = 0

    def start(name: str, attributes: object) -> None:
        nonlocal depth, deepest
        depth += 1
        deepest = max(deepest, depth)
        if depth > MAX_XML_DEPTH:
            raise _TooDeep

    def end(name: str) -> None:
        nonlocal depth
        depth -= 1

    parser = xml.parsers.expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except _TooDeep:
        raise InputError(f"{path}: its XML is nested more than {MAX_XML_DEPTH} levels deep; not a PSKC file") from None
    except xml.parsers.expat.ExpatError as exc:
        raise InputError(f"{path}: not a valid PSKC file ({xml.parsers.expat.errors.messages.get(exc.code, exc)}, "
                         f"line {exc.lineno})") from None
    except (LookupError, ValueError, UnicodeError):  # an XML declaration naming an encoding Python lacks
        raise InputError(f"{path}: not a valid PSKC file (its XML declares a text encoding that cannot be read)") \
            from None


class _TooDeep(Exception):
    pass


T = TypeVar("T")


def run_interruptibly(work: Callable[[], T]) -> T:
    """Run a long C call (a key derivation) so that Ctrl+C still stops the program.

    The work runs in a daemon thread while the caller waits in short slices, where a
    KeyboardInterrupt can arrive; an abandoned derivation ends with the process.
    """
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # handed to the caller as it is
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="otpburn-key-derivation", daemon=True)
    thread.start()
    while thread.is_alive():
        thread.join(0.1)
    if "error" in outcome:
        raise outcome["error"]
    return cast(T, outcome.get("value"))


def _read_pskc(path: str, data: bytes, password: Callable[[], str] | None, notes: list[str]) -> Rows:
    lowered = data[:65536].lower()
    if b"<!doctype" in lowered or b"<!entity" in lowered:
        raise InputError(f"{path}: PSKC files never need a DOCTYPE or entities; this one has them and was not read")
    _check_xml_depth(path, data)
    try:
        import pskc
        from pskc.exceptions import DecryptionError, ParseError
    except ImportError:
        raise InputError("reading PSKC needs the python-pskc package (pip install python-pskc)") from None
    try:
        document = pskc.PSKC(io.BytesIO(data))
    except ParseError as exc:
        raise InputError(f"{path}: not a valid PSKC file ({exc})") from None
    except Exception as exc:  # XML syntax errors from the underlying parser
        raise InputError(f"{path}: not a valid PSKC file ({type(exc).__name__})") from None
    if document.encryption.is_encrypted:
        if password is None:
            raise InputError(f"{path} is encrypted", remedy=Remedy.SEED_FILE_PASSWORD)
        derivation = document.encryption.derivation
        # The file chooses the work: bound it before running it (a real PSKC uses thousands of rounds).
        if (derivation.pbkdf2_iterations or 0) > MAX_PBKDF2_ITERATIONS or \
                (derivation.pbkdf2_key_length or 0) > MAX_PBKDF2_KEY_LENGTH:
            raise InputError(f"{path}: its key derivation asks for {derivation.pbkdf2_iterations} rounds and a "
                             f"{derivation.pbkdf2_key_length}-byte key; otpburn runs at most "
                             f"{MAX_PBKDF2_ITERATIONS} rounds for a key of at most {MAX_PBKDF2_KEY_LENGTH} bytes")
        secret_word = password()
        try:
            run_interruptibly(lambda: document.encryption.derive_key(secret_word))
        except (DecryptionError, KeyError, ValueError) as exc:
            raise InputError(f"{path}: cannot derive the key ({exc})") from None
    records, problems = [], []
    for number, key in enumerate(document.keys, start=1):
        try:
            secret = key.secret
        except DecryptionError:
            raise InputError(f"{path}: wrong password, or the file is damaged (its secrets do not decrypt)") from None
        where = f"key {number}" + (f" (serial {key.serial})" if key.serial else "")
        if not secret:
            problems.append(f"{where}: no secret")
            continue
        algorithm_uri = (key.algorithm or "").lower()
        otp_type = OtpType.HOTP if algorithm_uri.endswith("hotp") else OtpType.TOTP
        if not algorithm_uri.endswith(("hotp", "totp")):
            notes.append(f"{where}: not an HOTP or TOTP key ({_algorithm_name(key.algorithm)}); skipped")
            continue
        suite = (key.algorithm_suite or "SHA1").upper().replace("HMAC-", "")
        try:
            params = OtpParams(secret=secret, type=otp_type, algorithm=Algorithm.parse(suite),
                               digits=key.response_length or 6,
                               period=key.time_interval or 30 if otp_type is OtpType.TOTP else 30,
                               counter=key.counter or 0, issuer=key.issuer or "",
                               account=key.key_userid or key.device_userid or "")
        except InputError as exc:
            problems.append(f"{where}: {exc.message}")
            continue
        records.append(SeedRecord(key.serial or "", params, number))
    return records, problems


def _algorithm_name(uri: str | None) -> str:
    """The last part of a key's algorithm URI (a PIN, OCRA, ...), cut short: it is the file's text."""
    name = (uri or "no algorithm").rstrip("/#:").rsplit(":", 1)[-1].rsplit("#", 1)[-1]
    return "".join(ch for ch in name if ch.isprintable())[:40] or "no algorithm"


def _duplicates(records: list[SeedRecord]) -> list[str]:
    """Notes naming both lines of a repeated serial or secret (the secret itself never shown)."""
    notes = []
    seen_serials: dict[str, int] = {}
    seen_secrets: dict[bytes, int] = {}
    for record in records:
        if record.serial:
            if record.serial in seen_serials:
                notes.append(f"line {record.line}: serial {record.serial} again (first on line "
                             f"{seen_serials[record.serial]})")
            seen_serials.setdefault(record.serial, record.line)
        if record.params.secret in seen_secrets:
            notes.append(f"line {record.line}: the same secret as line {seen_secrets[record.params.secret]}")
        seen_secrets.setdefault(record.params.secret, record.line)
    return notes
