"""Seed files in: the vendor CSV (serial → secret), privacyIDEA/LinOTP OATH CSV, Entra CSV,
PSKC (plain or password-encrypted) and plain lists of otpauth URIs.

Every problem is reported with its line number; nothing is returned from a file that
has any. XML with a DOCTYPE or entity declarations is refused before parsing.
"""

from __future__ import annotations

import csv
import io
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
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


class SeedFileError(InputError):
    def __init__(self, path: str, problems: list[str]) -> None:
        shown = "; ".join(problems[:MAX_PROBLEMS_SHOWN])
        more = f" (and {len(problems) - MAX_PROBLEMS_SHOWN} more)" if len(problems) > MAX_PROBLEMS_SHOWN else ""
        super().__init__(f"{path}: {shown}{more}. Nothing was read from it")
        self.problems = problems


def read_seed_file(path: str, password: Callable[[], str] | None = None) -> list[SeedRecord]:
    """All seeds in `path`, whatever its format; SeedFileError listing every bad line."""
    from otpburn.files import decode_text, read_input_file

    file = Path(path)
    data = read_input_file(path, "a seed file", MAX_FILE_BYTES)
    if not data.strip():
        raise InputError(f"{path} is empty")
    head = data.lstrip()[:200].lower()
    if head.startswith(b"<") or file.suffix.lower() in (".xml", ".pskc"):
        records = _read_pskc(path, data, password)
    else:
        text = decode_text(data, path, " (save it as UTF-8 CSV)")
        records = _read_text(path, text)
    _check_duplicates(path, records)
    if not records:
        raise InputError(f"{path} holds no seeds")
    return records


def _read_text(path: str, text: str) -> list[SeedRecord]:
    lines = text.splitlines()
    first = next((line.strip() for line in lines if line.strip() and not line.startswith("#")), "")
    if first.lower().startswith(("otpauth://", "otpauth-migration://")):
        return _read_uri_list(path, lines)
    return _read_csv(path, text)


def _read_uri_list(path: str, lines: list[str]) -> list[SeedRecord]:
    records, problems = [], []
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            records.append(SeedRecord("", parse_uri(line), number))
        except InputError as exc:
            problems.append(f"line {number}: {exc.message}")
    if problems:
        raise SeedFileError(path, problems)
    return records


def _read_csv(path: str, text: str) -> list[SeedRecord]:
    try:
        rows = list(csv.reader(io.StringIO(text), skipinitialspace=True))
    except csv.Error as exc:
        raise InputError(f"{path}: not a readable CSV file ({exc})") from None
    numbered = [(number, [cell.strip() for cell in row]) for number, row in enumerate(rows, start=1)
                if row and any(cell.strip() for cell in row) and not row[0].lstrip().startswith("#")]
    if not numbered:
        return []
    header = [cell.lower() for cell in numbered[0][1]]
    if header[:3] == ["upn", "serial number", "secret key"]:
        return _rows(path, numbered[1:], _entra_row)
    if header[:2] == ["serial", "secret"] or header[:2] == ["serial", "seed"]:
        return _rows(path, numbered[1:], _vendor_row)
    if len(numbered[0][1]) >= 3 and numbered[0][1][2].lower() in ("totp", "hotp"):
        return _rows(path, numbered, _oath_row)
    if len(numbered[0][1]) == 2:  # a vendor file without its header
        return _rows(path, numbered, _vendor_row)
    raise InputError(f"{path}: unknown CSV layout; expected 'serial,secret', privacyIDEA/LinOTP OATH CSV "
                     "(serial, hex key, totp|hotp, digits, period) or an Entra ID CSV")


def _rows(path: str, rows: list[tuple[int, list[str]]],
          parse_row: Callable[[int, list[str]], SeedRecord]) -> list[SeedRecord]:
    records: list[SeedRecord] = []
    problems: list[str] = []
    for number, row in rows:
        try:
            records.append(parse_row(number, row))
        except InputError as exc:
            problems.append(f"line {number}: {exc.message}")
    if problems:
        raise SeedFileError(path, problems)
    return records


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
    except InputError as exc:
        raise InputError(f"the secret is not base32: {exc.message}") from None
    return SeedRecord(_serial(row[0]), OtpParams(secret=secret), number)


def _oath_row(number: int, row: list[str]) -> SeedRecord:
    if not 3 <= len(row) <= 6:
        raise InputError(f"expected 3 to 6 columns (serial, key, type, digits, period|counter, hash), found {len(row)}")
    serial = _serial(row[0])
    try:
        secret = decode_hex(row[1])
    except InputError as exc:
        raise InputError(f"the key is not hex: {exc.message}") from None
    otp_type = OtpType(row[2].lower()) if row[2].lower() in ("totp", "hotp") else None
    if otp_type is None:
        raise InputError("the type column is not totp or hotp")  # not echoed: it could be a shifted secret
    digits = _number(row, 3, 6, "digits")
    moving = _number(row, 4, 30 if otp_type is OtpType.TOTP else 0, "period" if otp_type is OtpType.TOTP else "counter")
    algorithm = Algorithm.parse(row[5]) if len(row) > 5 and row[5] else Algorithm.SHA1
    totp = otp_type is OtpType.TOTP
    params = OtpParams(secret, otp_type, algorithm, digits, period=moving if totp else 30,
                       counter=0 if totp else moving)
    return SeedRecord(serial, params, number)


def _entra_row(number: int, row: list[str]) -> SeedRecord:
    if len(row) != 6:
        raise InputError(f"expected 6 columns (upn, serial number, secret key, time interval, manufacturer, model), "
                         f"found {len(row)}")
    try:
        secret = decode_base32(row[2])
    except InputError as exc:
        raise InputError(f"the secret key is not base32: {exc.message}") from None
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


def _read_pskc(path: str, data: bytes, password: Callable[[], str] | None) -> list[SeedRecord]:
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
            problems.append(f"{where}: algorithm {key.algorithm!r} is not HOTP or TOTP")
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
    if problems:
        raise SeedFileError(path, problems)
    return records


def _check_duplicates(path: str, records: list[SeedRecord]) -> None:
    problems = []
    seen_serials: dict[str, int] = {}
    seen_secrets: dict[bytes, int] = {}
    for record in records:
        if record.serial:
            if record.serial in seen_serials:
                first = seen_serials[record.serial]
                problems.append(f"line {record.line}: serial {record.serial} already on line {first}")
            seen_serials.setdefault(record.serial, record.line)
        if record.params.secret in seen_secrets:
            problems.append(f"line {record.line}: the same secret as line {seen_secrets[record.params.secret]}")
        seen_secrets.setdefault(record.params.secret, record.line)
    if problems:
        raise SeedFileError(path, problems)
