"""Seed files in: the vendor CSV (serial → secret), privacyIDEA/LinOTP OATH CSV (every layout
the server imports), Entra CSV, PSKC (plain, password- or key-encrypted), Deepnet's DualShield (V5) and
UAP (V3) token files, lists of otpauth URIs and Google Authenticator export links, and what authenticator
apps and password managers export: Aegis, 2FAS, andOTP, Ente Auth, Authenticator Pro/Stratum, Bitwarden and
TOTP Authenticator (plain and encrypted), FreeOTP (v1 store, v2 encrypted backup) and FreeOTP+, Authy's token
store and its cloud token list, Duo Mobile's account list, Battle.net Authenticator's data, LastPass, Proton
Authenticator, Proton Pass and Authenticator Plus, KeePass databases (through KeePassXC) and their XML and CSV
exports, and the Google Authenticator, Microsoft Authenticator and Stratum databases. Formats are told by content.

A file yields its usable records plus a problem for each record it cannot use, naming its
line (or key, or entry) and the reason; `strict` keeps the all-or-nothing reading for scripts.
Duplicates are notes naming both places.
"""

from __future__ import annotations

import codecs
import json
import operator
import sys
from collections.abc import Callable
from pathlib import Path

from otpburn.errors import InputError, Remedy
from otpburn.files import UTF16_BOMS, decode_text, read_at_most, read_input_file
from otpburn.sources.seedfiles import (
    andotp_encrypted,
    android_databases,
    archives,
    authenticator_pro,
    authy,
    authy_cloud,
    battle_net,
    bitwarden,
    duo_mobile,
    ente,
    freeotp,
    keepass_kdbx,
    keepass_xml,
    lastpass,
    proton,
    totp_authenticator,
)
from otpburn.sources.seedfiles.android_preferences import read_strings
from otpburn.sources.seedfiles.app_exports import looks_like_app_export, read_andotp, read_app_export
from otpburn.sources.seedfiles.csv_layouts import read_text
from otpburn.sources.seedfiles.deepnet_files import ROOTS as DEEPNET_ROOTS
from otpburn.sources.seedfiles.deepnet_files import read_deepnet
from otpburn.sources.seedfiles.model import (
    RECORD_CHECK,
    RecordRefusedError,
    Rows,
    SeedFile,
    SeedFileError,
    SeedRecord,
    Unlock,
    refuse_bloated_json,
    run_interruptibly,
)
from otpburn.sources.seedfiles.pskc_files import read_pskc
from otpburn.sources.seedfiles.xml_safety import root_name

__all__ = ["MAX_FILE_BYTES", "SeedFile", "SeedFileError", "SeedRecord", "Unlock", "read_seed_file",
           "read_seed_bytes", "run_interruptibly"]

MAX_FILE_BYTES = 128 * 1024 * 1024  # 100 000 tokens in an encrypted PSKC take about 80 MiB
_OPENPGP_ARMOUR = b"-----BEGIN PGP MESSAGE-----"
# The first byte of a binary OpenPGP message: a public-key or symmetric session-key packet, or
# encrypted data, in the old (0x84.., 0x8c.., 0xa4..) or new (0xc1, 0xc3, 0xd2) packet format.
_OPENPGP_FIRST_BYTES = frozenset({0x84, 0x85, 0x86, 0x8C, 0x8D, 0xA4, 0xA6, 0xC1, 0xC3, 0xD2})


def read_seed_file(path: str, password: Callable[[], str] | None = None, *, key: Callable[[], bytes] | None = None,
                   key_file: Callable[[], bytes] | None = None, strict: bool = False,
                   check: Callable[[SeedRecord], None] | None = None) -> SeedFile:
    """Every usable seed in `path` ("-": standard input), whatever its format, and a problem for each
    unusable one.

    The password or key is asked for only when the file turns out to need it; `key_file` gives the bytes of a
    key file the user named (a KeePass database's), when there is one. With `strict`,
    any problem refuses the whole file (SeedFileError listing them); without, only a file with
    no usable record is refused. `check` sees each record as it is read: the InputError it raises stops the
    reading and is raised as it is (a conversion that cannot take record 1 says so at once).
    """
    if path == "-":
        data = read_at_most(sys.stdin.buffer, MAX_FILE_BYTES)
        if len(data) > MAX_FILE_BYTES:
            raise InputError(f"standard input holds more than {MAX_FILE_BYTES // 2**20} MiB; that is not a seed file")
        path = "standard input"
    else:
        data = read_input_file(path, "a seed file", MAX_FILE_BYTES)
    checking = RECORD_CHECK.set(check)
    try:
        return read_seed_bytes(path, data, Unlock(password, key, key_file), strict=strict)
    except RecordRefusedError as refused:
        raise refused.error from None
    finally:
        RECORD_CHECK.reset(checking)


def read_seed_bytes(path: str, data: bytes, unlock: Unlock | None = None, *, strict: bool = False) -> SeedFile:
    """The records of a seed file already read into memory; `path` names it in messages and, by its
    suffix, helps tell the format."""
    found = _read(path, data, unlock or Unlock())
    found.notes.extend(_duplicates(found.records))
    if found.problems and (strict or not found.records):
        raise SeedFileError(path, found.problems)
    if not found.records:
        if found.notes:  # e.g. a PSKC holding only PIN keys: say what was skipped
            raise SeedFileError(path, found.notes)
        raise InputError(f"{path} holds no seeds")
    return SeedFile(path, found.records, found.problems, found.notes, found.kind)


def _read(path: str, data: bytes, unlock: Unlock) -> Rows:
    """The format is told by the content (a file's name only settles what content cannot)."""
    if not data.strip():
        raise InputError(f"{path} is empty")
    if data.startswith(UTF16_BOMS):
        return _read_utf16(path, data, unlock)
    body = data.lstrip(b"\xef\xbb\xbf \t\r\n")  # a BOM or blank lines before the XML declaration or JSON
    suffix = Path(path).suffix.lower()
    if body.startswith(_OPENPGP_ARMOUR) or (body[:1] and body[0] in _OPENPGP_FIRST_BYTES
                                           and suffix in (".gpg", ".pgp", ".asc")):
        raise InputError(f"{path} is encrypted with OpenPGP (gpg); otpburn does not decrypt it itself",
                         remedy=Remedy.DECRYPT_SEED_FILE)
    if data.startswith(freeotp.JAVA_SERIALIZATION):
        return freeotp.read_v2(path, data, unlock)
    if data.startswith(android_databases.SQLITE_HEADER):
        return android_databases.read(path, data)
    if data.startswith(authenticator_pro.HEADERS):
        return authenticator_pro.read(authenticator_pro.decrypt(path, data, unlock),
                                      "Authenticator Pro backup (encrypted)")
    if data.startswith(keepass_kdbx.SIGNATURE):
        return keepass_kdbx.read(path, data, unlock)
    if data.startswith(archives.ZIP_SIGNATURE):
        return archives.read(path, data, unlock, _read)
    if body.startswith(b"<") or suffix in (".xml", ".pskc", ".pskcxml"):
        return _read_xml(path, body, unlock)
    if suffix == ".aes" or path.lower().endswith(".json.aes"):
        entries = andotp_encrypted.decrypt(path, data, unlock)
        return read_andotp(entries, "andOTP backup (encrypted)")
    if body.startswith((b"{", b"[")):
        return _read_json(path, data, unlock)
    if totp_authenticator.looks_like(body):
        return totp_authenticator.read(path, body, unlock)
    if b"\x00" in data[:4096] or not _looks_like_text(data[:65536]):
        raise InputError(f"{path}: a binary file in no format otpburn knows (an encrypted andOTP backup keeps its "
                         "name ending in .aes; others: export the accounts as otpauth links or a plain JSON)")
    return read_text(path, decode_text(data, path, ' (save it as UTF-8; in Excel, as "CSV UTF-8")'))


def _read_xml(path: str, body: bytes, unlock: Unlock) -> Rows:
    root = root_name(body)
    if root in DEEPNET_ROOTS:
        return read_deepnet(path, body, root)
    if root == keepass_xml.ROOT:
        return keepass_xml.read(path, body)
    if root == "map":  # Android shared preferences: FreeOTP's or Authy's token store
        return _android_preferences(path, body, unlock)
    return read_pskc(path, body, unlock)


def _read_utf16(path: str, data: bytes, unlock: Unlock) -> Rows:
    """A text file saved as UTF-16 with its byte-order mark (Windows PowerShell 5.1's `>` and Out-File, Excel's
    "Unicode Text"). XML stays UTF-16, its blank start taken off as for any XML: its declaration, if any, names
    UTF-16, and expat reads that itself. Other text (CSV, otpauth links, JSON) is read as the UTF-8 it converts to."""
    text = decode_text(data, path, " (save it as UTF-8)")
    xml = text.lstrip("\ufeff \t\r\n")
    if xml.startswith("<"):
        return _read_xml(path, codecs.BOM_UTF16_LE + xml.encode("utf-16-le"), unlock)
    return _read(path, text.encode("utf-8"), unlock)  # whole, for its line numbers; never a UTF-16 mark in UTF-8


# Control characters no text file holds (tab, the line ends and form feed are text), and the bytes past ASCII.
_NOT_IN_TEXT = bytes(range(0x00, 0x09)) + bytes(range(0x0E, 0x20)) + b"\x7f"
_PAST_ASCII = bytes(range(0x80, 0x100))


def _looks_like_text(head: bytes) -> bool:
    """Whether a file's start is text: UTF-8, or an older 8-bit encoding (Excel's "CSV (Comma delimited)" saves
    Windows-1252, say), which the reading then calls not UTF-8. Such text has no control characters and is mostly
    ASCII (seed files are); encrypted or compressed bytes are half past ASCII, with control characters among them."""
    if _utf8(head):
        return True
    past_ascii = len(head) - len(head.translate(None, _PAST_ASCII))
    return len(head.translate(None, _NOT_IN_TEXT)) == len(head) and past_ascii * 4 <= len(head)


def _utf8(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > len(head) - 4  # only a character cut at the end of the sample
    return True


def _android_preferences(path: str, body: bytes, unlock: Unlock) -> Rows:
    strings = read_strings(path, body, "Android app data")
    if authy.looks_like(strings):
        return authy.read(path, strings, unlock)
    if totp_authenticator.PREFERENCE in strings:
        return totp_authenticator.read_preferences(path, strings)
    if battle_net.looks_like(strings):
        return battle_net.read(strings)
    if "tokenOrder" in strings or "masterKey" in strings:
        return freeotp.read_v1(path, strings)
    raise InputError(f"{path}: an Android app's settings file otpburn does not know (it reads FreeOTP's, Authy's, "
                     "TOTP Authenticator's and Battle.net's token stores)")


def _read_json(path: str, data: bytes, unlock: Unlock) -> Rows:
    refuse_bloated_json(path, data)
    try:
        document = json.loads(data)  # from the bytes: no text copy of a large export
    except RecursionError:
        raise InputError(f"{path}: its JSON is nested too deeply to be an authenticator export") from None
    except UnicodeDecodeError:  # its detail quotes a byte of the file
        raise InputError(f"{path}: not valid JSON (not UTF-8 text)") from None
    except ValueError as exc:
        raise InputError(f"{path}: not valid JSON ({exc})") from None
    if ente.looks_like(document):
        text = ente.decrypt(path, document, unlock)
        found = read_text(path, text)
        found.kind = "Ente Auth export (encrypted)"
        return found
    if freeotp.looks_like_plus(document):
        return freeotp.read_plus(document)
    if duo_mobile.looks_like(document):
        return duo_mobile.read(document)
    if authenticator_pro.looks_like(document):
        return authenticator_pro.read(document)
    if bitwarden.looks_like(document):
        return bitwarden.read_json(path, document, unlock)
    if authy_cloud.looks_like(document):
        return authy_cloud.read(path, document, unlock)
    if lastpass.looks_like(document):
        return lastpass.read(document)
    if proton.looks_like(document):
        return proton.read(document)
    if not looks_like_app_export(document):
        raise InputError(f"{path}: a JSON file otpburn does not know (it reads Aegis, 2FAS, andOTP, Ente Auth, "
                         "FreeOTP+, Authenticator Pro, Bitwarden, Duo Mobile, LastPass and Proton Authenticator "
                         "exports, and Authy's token list)")
    return read_app_export(path, document, unlock)


_SERIAL_OF, _SECRET_OF = operator.attrgetter("serial"), operator.attrgetter("params.secret")


def _duplicates(records: list[SeedRecord]) -> list[str]:
    """Notes naming both places of a repeated serial or secret (the secret itself never shown)."""
    serials = list(filter(None, map(_SERIAL_OF, records)))  # (in C: a 100 000-record file seldom repeats one)
    if len(set(serials)) == len(serials) and len(set(map(_SECRET_OF, records))) == len(records):
        return []
    notes = []
    seen_serials: dict[str, SeedRecord] = {}
    seen_secrets: dict[bytes, SeedRecord] = {}
    for record in records:  # the first record of each is kept; its place is worded only for a repeat
        serial, secret = record.serial, record.params.secret
        if serial:
            first = seen_serials.setdefault(serial, record)
            if first is not record:
                notes.append(f"{record.place}: serial {serial} again (first at {first.place})")
        first = seen_secrets.setdefault(secret, record)
        if first is not record:
            notes.append(f"{record.place}: the same secret as {first.place}")
    return notes
