"""Files identity systems import: Entra ID OATH CSV, the vendor seed CSV, privacyIDEA/LinOTP
OATH CSV, Duo's hardware-token import, PSKC (RFC 6030, password-encrypted), otpauth URIs and
QR code PNGs.

Every file is written 0600, atomically, never over an existing file without `force`,
and only after every record passed the format's own rules.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from otpburn.errors import InputError
from otpburn.files import write_private
from otpburn.otp.codec import encode_base32, encode_hex
from otpburn.otp.params import Algorithm, OtpParams, OtpType
from otpburn.sources.otpauth import format_uri
from otpburn.tokens.base import TokenInfo

FORMATS = ("entra", "vendor-csv", "privacyidea", "duo", "pskc", "otpauth", "qr")
ENTRA_HEADER = ["upn", "serial number", "secret key", "time interval", "manufacturer", "model"]
ENTRA_MAX_SECRET = 128
_UPN = re.compile(r"^[^@\s,]+@[^@\s,]+\.[^@\s,]+$")


@dataclass(frozen=True)
class TokenRecord:
    """One token and the seed it holds, as exports need it."""

    params: OtpParams
    serial: str = ""
    model: str = ""
    manufacturer: str = ""
    upn: str = ""

    def __post_init__(self) -> None:
        for name in ("serial", "model", "manufacturer", "upn"):
            _check_cell(name, getattr(self, name))


MAX_CELL = 128
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _check_cell(name: str, value: str) -> None:
    """Text that goes into CSV cells: no line breaks or controls, nothing a spreadsheet runs as a formula."""
    if len(value) > MAX_CELL:
        raise InputError(f"the {name} is {len(value)} characters long; at most {MAX_CELL} go into an export")
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in value):
        raise InputError(f"the {name} holds a line break or control character; it would split or corrupt the record")
    if value.startswith(_FORMULA_START):
        raise InputError(f"the {name} starts with {value[0]!r}, which spreadsheet programs run as a formula; it "
                         "cannot go into an export")


@dataclass(frozen=True)
class ExportTarget:
    """Where one export goes; the password only for PSKC."""

    fmt: str
    path: str
    password: str | None = field(default=None, repr=False)


def token_records(params: OtpParams, info: TokenInfo, upn: str = "") -> list[TokenRecord]:
    """The one record a burned token gives, with its serial, model and maker."""
    return [TokenRecord(params, info.serial, info.model, info.capabilities.manufacturer, upn)]


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def entra_csv(records: Sequence[TokenRecord]) -> bytes:
    """Microsoft Entra ID hardware OATH token upload: SHA-1 TOTP, 30 or 60 s, base32 ≤ 128 characters."""
    rows = [ENTRA_HEADER]
    for number, record in enumerate(records, start=1):
        params = record.params
        where = f"token {record.serial or number}"
        if params.type is not OtpType.TOTP or params.algorithm is not Algorithm.SHA1:
            raise InputError(f"{where}: Entra ID accepts SHA-1 TOTP tokens only, not "
                             f"{params.type.value.upper()} {params.algorithm.value}")
        if params.period not in (30, 60):
            raise InputError(f"{where}: Entra ID accepts 30 or 60 second tokens, not {params.period} s")
        if params.digits != 6:
            raise InputError(f"{where}: Entra ID expects 6-digit codes, not {params.digits}")
        secret = encode_base32(params.secret)
        if len(secret) > ENTRA_MAX_SECRET:
            raise InputError(f"{where}: the secret is {len(secret)} base32 characters; Entra ID takes at most 128")
        if not record.serial:
            raise InputError(f"{where}: Entra ID needs the token's serial number")
        if record.upn and not _UPN.match(record.upn):
            raise InputError(f"{where}: {record.upn!r} is not a user principal name (name@domain)")
        rows.append([record.upn, record.serial, secret, str(params.period), record.manufacturer or "Token2",
                     record.model or "OTP token"])
    return _csv(rows)


def vendor_csv(records: Sequence[TokenRecord]) -> bytes:
    """The vendor tools' seed file: `serial,secret` with the secret in base32."""
    rows = [["serial", "secret"]]
    for number, record in enumerate(records, start=1):
        if not record.serial:
            raise InputError(f"token {number}: the vendor seed file needs the token's serial number")
        rows.append([record.serial, encode_base32(record.params.secret)])
    return _csv(rows)


def privacyidea_csv(records: Sequence[TokenRecord]) -> bytes:
    """privacyIDEA / LinOTP OATH CSV: `serial, key (hex), type, digits, period|counter[, hash]`.

    The hash column is written only for SHA-256/512 (LinOTP reads it; privacyIDEA's importer
    assumes SHA-1 without it).
    """
    lines = []
    for number, record in enumerate(records, start=1):
        params = record.params
        if not record.serial:
            raise InputError(f"token {number}: the OATH CSV needs the token's serial number")
        if "," in record.serial:
            raise InputError(f"token {number}: a serial number cannot contain a comma in this format")
        moving = str(params.period) if params.type is OtpType.TOTP else str(params.counter)
        fields = [record.serial, encode_hex(params.secret).lower(), params.type.value, str(params.digits), moving]
        if params.algorithm is not Algorithm.SHA1:
            fields.append(params.algorithm.value.lower())
        lines.append(", ".join(fields))
    return ("\n".join(lines) + "\n").encode("utf-8")


def duo_csv(records: Sequence[TokenRecord]) -> bytes:
    """Duo's "Import Hardware Tokens": `serial,hex secret,period` per TOTP token, no header.

    Duo takes SHA-1 tokens, and the token type (6 or 8 digits, 30 or 60 s) is chosen once in its
    import form for the whole file: a file mixing digits or periods is refused.
    """
    lines = []
    kinds = set()
    for number, record in enumerate(records, start=1):
        params = record.params
        where = f"token {record.serial or number}"
        if params.type is not OtpType.TOTP or params.algorithm is not Algorithm.SHA1:
            raise InputError(f"{where}: Duo imports SHA-1 TOTP tokens here, not {params.type.value.upper()} "
                             f"{params.algorithm.value}")
        if params.period not in (30, 60) or params.digits not in (6, 8):
            raise InputError(f"{where}: Duo takes 6 or 8 digits every 30 or 60 s, not {params.digits} digits every "
                             f"{params.period} s")
        if not record.serial or "," in record.serial:
            raise InputError(f"{where}: Duo needs the token's serial number (without commas)")
        kinds.add((params.digits, params.period))
        lines.append(f"{record.serial},{encode_hex(params.secret).lower()},{params.period}")
    if len(kinds) > 1:
        raise InputError("Duo imports one token type per file: these tokens mix "
                         + " and ".join(f"{d} digits/{p} s" for d, p in sorted(kinds)) + "; export them apart")
    return ("\n".join(lines) + "\n").encode("utf-8")


def duo_notes(records: Sequence[TokenRecord]) -> list[str]:
    params = records[0].params
    return [f"in Duo's Import Hardware Tokens, choose the type TOTP-{params.digits} ({params.period} s); Duo cannot "
            "resync a drifting TOTP token, so burn with the clock set"]


def otpauth_text(records: Sequence[TokenRecord]) -> bytes:
    return "".join(format_uri(r.params) + "\n" for r in records).encode("utf-8")


def qr_png(records: Sequence[TokenRecord]) -> bytes:
    if len(records) != 1:
        raise InputError("a QR code PNG holds one account; export them one at a time")
    import segno

    buffer = io.BytesIO()
    segno.make(format_uri(records[0].params), error="m").save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()


def pskc_xml(records: Sequence[TokenRecord], password: str | None) -> bytes:
    """RFC 6030 PSKC; secrets encrypted with a key derived from `password` (PBKDF2) unless None."""
    try:
        import pskc
    except ImportError:
        raise InputError("PSKC export needs the python-pskc package (pip install python-pskc)") from None
    document = pskc.PSKC()
    for record in records:
        params = record.params
        algorithm = ("urn:ietf:params:xml:ns:keyprov:pskc:totp" if params.type is OtpType.TOTP
                     else "urn:ietf:params:xml:ns:keyprov:pskc:hotp")
        key = document.add_key(secret=params.secret, algorithm=algorithm, response_length=params.digits,
                               response_encoding="DECIMAL", serial=record.serial or None,
                               manufacturer=record.manufacturer or None, model=record.model or None,
                               issuer=params.issuer or None, key_userid=record.upn or params.account or None)
        if params.type is OtpType.TOTP:
            key.time_interval = params.period
        else:
            key.counter = params.counter
        if params.algorithm is not Algorithm.SHA1:
            key.algorithm_suite = params.algorithm.value.replace("SHA", "HMAC-SHA")
    if password is not None:
        document.encryption.setup_pbkdf2(password)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def render(fmt: str, records: Sequence[TokenRecord], password: str | None = None) -> bytes:
    if not records:
        raise InputError("nothing to export")
    if fmt == "entra":
        return entra_csv(records)
    if fmt == "vendor-csv":
        return vendor_csv(records)
    if fmt == "privacyidea":
        return privacyidea_csv(records)
    if fmt == "duo":
        return duo_csv(records)
    if fmt == "pskc":
        return pskc_xml(records, password)
    if fmt == "otpauth":
        return otpauth_text(records)
    if fmt == "qr":
        return qr_png(records)
    raise InputError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")


def export(fmt: str, records: Sequence[TokenRecord], path: str, *, force: bool = False,
           password: str | None = None) -> list[str]:
    """Validate and render every record first; only then write the file (0600, atomic).

    Returns notes worth telling the user about the file written (serials a spreadsheet would change).
    """
    write_private(path, render(fmt, records, password), force=force)
    return spreadsheet_notes(fmt, records) + (duo_notes(records) if fmt == "duo" else [])


def spreadsheet_notes(fmt: str, records: Sequence[TokenRecord]) -> list[str]:
    """CSV exports keep serials exactly as text, which is what the identity systems import; a
    spreadsheet that opens and saves the file drops leading zeros and rounds long numbers."""
    from otpburn.sources.seedfiles.model import spreadsheet_unsafe

    if fmt not in ("entra", "vendor-csv", "privacyidea", "duo"):
        return []
    unsafe = [record.serial for record in records if spreadsheet_unsafe(record.serial)]
    if not unsafe:
        return []
    shown = ", ".join(unsafe[:3]) + (f" and {len(unsafe) - 3} more" if len(unsafe) > 3 else "")
    return [f"serial{'s' if len(unsafe) > 1 else ''} {shown} would be changed by a spreadsheet program "
            "(leading zeros dropped, long numbers rounded): upload the file as written, or open it with the serial "
            "column imported as text"]
