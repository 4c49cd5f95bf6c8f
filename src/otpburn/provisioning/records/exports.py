"""Files identity systems import: Entra ID OATH CSV, the vendor seed CSV, privacyIDEA/LinOTP
OATH CSV, Duo's hardware-token import, DualShield's token file, PSKC (RFC 6030: plain, with a password or
with a pre-shared key), otpauth URIs and QR code PNGs.

`FORMATS` is the one table of them: every list of formats (the CLI's choices and help, the window's
menu) and every rule about what a format takes comes from it. Every file is written 0600,
atomically, never over an existing file without `force`, and only after every record passed the
format's own rules. What a file says about its records (serials a spreadsheet would change) comes
back as notes, as data.
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Self
from xml.etree import ElementTree

from otpburn.errors import InputError, Remedy
from otpburn.files import write_private
from otpburn.otp.codec import encode_base32, encode_hex
from otpburn.otp.params import Algorithm, OtpParams, OtpType
from otpburn.otp.refusals import Refusal
from otpburn.provisioning.records import audit
from otpburn.registrars.accepts import DUALSHIELD, DUO_CSV, ENTRA_CSV, Accepts
from otpburn.sources.otpauth import format_uri
from otpburn.sources.seedfiles.model import spreadsheet_unsafe
from otpburn.tokens.base import TokenInfo
from otpburn.untrusted import utf8_encodable

ENTRA_HEADER = ["upn", "serial number", "secret key", "time interval", "manufacturer", "model"]
ENTRA_MAX_SECRET = 128
_UPN = re.compile(r"[^@\s,]+@[^@\s,]+\.[^@\s,]+")  # fullmatch: $ would take a last "\n"


class _TokenFields(NamedTuple):
    params: OtpParams
    serial: str = ""
    model: str = ""
    manufacturer: str = ""
    upn: str = ""


class TokenRecord(_TokenFields):
    """One token and the seed it holds, as exports need it: each text checked as a cell of the file (below).

    A checked tuple, as OtpParams is: converting a 100 000-token seed file builds 100 000 of these, and a tuple
    is made in one step where a frozen dataclass sets each field apart (measured here: 0.75 µs a record before,
    0.45 after). NamedTuple's own _make, and so its _replace (which goes through _make), would skip the
    checks: _make runs them too.
    """

    __slots__ = ()

    def __new__(cls, params: OtpParams, serial: str = "", model: str = "", manufacturer: str = "",
                upn: str = "") -> TokenRecord:
        # The usual cells pass this in C (a printable string holds no control character); any other goes through
        # the checks that word the problem, which accept exactly what this does and more.
        if not (len(serial) <= MAX_CELL and len(model) <= MAX_CELL and len(manufacturer) <= MAX_CELL
                and len(upn) <= MAX_CELL and (serial + model + manufacturer + upn).isprintable()
                and not serial.startswith(_FORMULA_START) and not model.startswith(_FORMULA_START)
                and not manufacturer.startswith(_FORMULA_START) and not upn.startswith(_FORMULA_START)):
            for name, value in (("serial", serial), ("model", model), ("manufacturer", manufacturer), ("upn", upn)):
                _check_cell(name, value)
        return tuple.__new__(cls, (params, serial, model, manufacturer, upn))

    @classmethod
    def _make(cls, iterable: Iterable[Any]) -> Self:  # type: ignore[override]  # the same call, a narrower type
        return cls(*iterable)


MAX_CELL = 128
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # C0 controls and DEL


def _check_cell(name: str, value: str) -> None:
    """Text that goes into CSV cells: no line breaks or controls, nothing a spreadsheet runs as a formula, nothing
    UTF-8 cannot write."""
    if len(value) > MAX_CELL:
        raise InputError(f"the {name} is {len(value)} characters long; at most {MAX_CELL} go into an export")
    if _CONTROL.search(value):
        raise InputError(f"the {name} holds a line break or control character; it would split or corrupt the record")
    if not utf8_encodable(value):
        raise InputError(f"the {name} holds bytes that are not UTF-8 text (typed in another encoding?); it cannot go "
                         "into an export")
    if value.startswith(_FORMULA_START):
        raise InputError(f"the {name} starts with {value[0]!r}, which spreadsheet programs run as a formula; it "
                         "cannot go into an export")


class ExportRefusedError(InputError):
    """A record cannot go into this format: `refusals` say why, `record` which one (its serial or number)."""

    def __init__(self, fmt: str, record: str, refusals: list[Refusal]) -> None:
        self.format, self.record, self.refusals = fmt, record, refusals
        super().__init__(f"token {record} cannot go into the {fmt} export: "
                         + ", ".join(f"{r.kind} {r.wanted}" for r in refusals))


def _refuse(fmt: str, accepts: Accepts, records: Sequence[TokenRecord]) -> None:
    for number, record in enumerate(records, start=1):
        _refuse_one(fmt, accepts, record, number)


def _refuse_one(fmt: str, accepts: Accepts, record: TokenRecord, number: int) -> None:
    refusals = accepts.refusals(record.params, record.serial)
    if refusals:
        raise ExportRefusedError(fmt, record.serial or str(number), refusals)


# The files that name each token by its serial, as their writers word the file when one has none.
_FILED_BY_SERIAL = {"vendor-csv": "the vendor seed file", "privacyidea": "the OATH CSV"}


def _require_serial(fmt: str, record: TokenRecord, number: int) -> None:
    if not record.serial:
        raise InputError(f"token {number}: {_FILED_BY_SERIAL[fmt]} needs the token's serial number")


@dataclass(frozen=True)
class Protection:
    """How an encrypted format (PSKC) protects its secrets: a password (PBKDF2) or a pre-shared AES-128 key;
    neither: in clear."""

    password: str | None = field(default=None, repr=False)
    key: bytes | None = field(default=None, repr=False)

    @property
    def kind(self) -> str:
        """For the audit log: "password", "pre-shared key" or "none"."""
        return "password" if self.password is not None else "pre-shared key" if self.key is not None else "none"


@dataclass(frozen=True)
class ExportTarget:
    """Where one export goes; `protection` only for PSKC."""

    fmt: str
    path: str
    protection: Protection = field(default_factory=Protection)


def token_records(params: OtpParams, info: TokenInfo, upn: str = "") -> list[TokenRecord]:
    """The one record a burned token gives, with its serial, model and maker."""
    return [TokenRecord(params, info.serial, info.model, info.capabilities.manufacturer, upn)]


def _csv(rows: Iterable[list[str]]) -> bytes:
    """The rows as CSV; given as they are made, so 100 000 rows are never held as lists at once. Encoded as they
    are written, into the one buffer that becomes the file's bytes: text collected in an io.StringIO and then
    encoded was held three times over (100 000 Entra rows: 22 MiB at peak instead of 8)."""
    buffer = io.BytesIO()
    text = io.TextIOWrapper(buffer, encoding="utf-8", newline="")
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    text.detach()  # flushes; the buffer stays open
    return buffer.getvalue()


def entra_csv(records: Sequence[TokenRecord]) -> bytes:
    """Microsoft Entra ID hardware OATH token upload: SHA-1 TOTP, 30 or 60 s, base32 ≤ 128 characters."""
    _refuse("entra", ENTRA_CSV, records)
    return _csv(itertools.chain([ENTRA_HEADER], map(_entra_row, records, itertools.count(1))))


@functools.lru_cache(maxsize=256)
def _is_upn(text: str) -> bool:  # a file's tokens mostly share a few users: each is matched once
    return _UPN.fullmatch(text) is not None


def _entra_row(record: TokenRecord, number: int) -> list[str]:
    if record.upn and not _is_upn(record.upn):
        raise InputError(f"token {record.serial or number}: {record.upn!r} is not a user principal name "
                         "(name@domain)")
    return [record.upn, record.serial, encode_base32(record.params.secret), str(record.params.period),
            record.manufacturer or "Token2", record.model or "OTP token"]


def vendor_csv(records: Sequence[TokenRecord]) -> bytes:
    """The vendor tools' seed file: `serial,secret` with the secret in base32."""
    return _csv(itertools.chain([["serial", "secret"]], map(_vendor_row, records, itertools.count(1))))


def _vendor_row(record: TokenRecord, number: int) -> list[str]:
    _require_serial("vendor-csv", record, number)
    return [record.serial, encode_base32(record.params.secret)]


def privacyidea_csv(records: Sequence[TokenRecord]) -> bytes:
    """privacyIDEA / LinOTP OATH CSV: `serial, key (hex), type, digits, period|counter[, hash]`.

    The hash column is written only for SHA-256/512 (LinOTP reads it; privacyIDEA's importer
    assumes SHA-1 without it).
    """
    lines = []
    for number, record in enumerate(records, start=1):
        params = record.params
        _require_serial("privacyidea", record, number)
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
    _refuse("duo", DUO_CSV, records)
    lines = []
    kinds = set()
    for number, record in enumerate(records, start=1):
        if "," in record.serial:
            raise InputError(f"token {record.serial or number}: Duo needs the token's serial number without commas")
        kinds.add((record.params.digits, record.params.period))
        lines.append(f"{record.serial},{encode_hex(record.params.secret).lower()},{record.params.period}")
    if len(kinds) > 1:
        raise InputError("Duo imports one token type per file: these tokens mix "
                         + " and ".join(f"{d} digits/{p} s" for d, p in sorted(kinds)) + "; export them apart")
    return ("\n".join(lines) + "\n").encode("utf-8")


def dualshield_xml(records: Sequence[TokenRecord]) -> bytes:
    """DualShield's token import file ("V5", Deepnet's "DualShield Token File Format for SafeID Hardware OTP
    Tokens"): one header with the settings every token shares, then each token's serial and hex seed.

    The header names DualShield's SafeID time-based product (manufacturer DN, product ST), which an
    administrator imports into the authentication product whose digits and timer match; the seeds are
    written in clear (encrypt NONE): Deepnet does not publish its AES256 layout.
    """
    _refuse("dualshield", DUALSHIELD, records)
    kinds = {(r.params.digits, r.params.period, r.params.algorithm) for r in records}
    if len(kinds) > 1:
        raise InputError("a DualShield token file holds one kind of token (its header): these tokens mix "
                         + " and ".join(f"{d} digits/{p} s/{a.value}" for d, p, a in sorted(kinds, key=str))
                         + "; export them apart")
    first = records[0].params
    root = ElementTree.Element("data")
    header = ElementTree.SubElement(root, "header")
    for name, value in (("manufacturerCode", "DN"), ("productCode", "ST"), ("encrypt", "NONE"), ("encode", "HEX"),
                        ("digits", str(first.digits)), ("timeWindow", str(first.period)),
                        ("crypto", f"Hmac{first.algorithm.value}")):
        ElementTree.SubElement(header, name).text = value
    tokens = ElementTree.SubElement(root, "tokens")
    for record in records:
        token = ElementTree.SubElement(tokens, "token")
        ElementTree.SubElement(token, "serial").text = record.serial
        ElementTree.SubElement(token, "seed").text = encode_hex(record.params.secret).upper()
    ElementTree.indent(root)
    # The declaration as Deepnet's examples write it (double quotes), for importers that compare text.
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding="unicode").encode() + b"\n"


def otpauth_text(records: Sequence[TokenRecord]) -> bytes:
    return "".join(format_uri(r.params) + "\n" for r in records).encode("utf-8")


def qr_png(records: Sequence[TokenRecord]) -> bytes:
    if len(records) != 1:
        raise InputError("a QR code PNG holds one account; export them one at a time")
    import segno

    buffer = io.BytesIO()
    segno.make(format_uri(records[0].params), error="m").save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()


PSKC_ALGORITHMS = {OtpType.TOTP: "urn:ietf:params:xml:ns:keyprov:pskc:totp",
                   OtpType.HOTP: "urn:ietf:params:xml:ns:keyprov:pskc:hotp"}
PSKC_KEY_BYTES = 16  # AES-128-CBC: what privacyIDEA's and LinOTP's importers decrypt (a 32-hex-digit key)
_XENC11 = "http://www.w3.org/2009/xmlenc11#"
_HMAC_SHA1 = "http://www.w3.org/2000/09/xmldsig#hmac-sha1"


def pskc_xml(records: Sequence[TokenRecord], protection: Protection) -> bytes:
    """RFC 6030 PSKC, valid against the RFC's schema and read by privacyIDEA's importer.

    Each key carries the `Id` the schema requires (the serial, else its place in the file), its device
    (manufacturer, serial, model), the algorithm profile with `Suite` as the hash function's name (what
    privacyIDEA and LinOTP read: they take any other text, "HMAC-SHA256" too, as SHA-1), the digits, and the
    time step or counter. Secrets are encrypted with AES-128-CBC and MACed with HMAC-SHA1 under a password
    (PBKDF2) or a pre-shared key: the combination those importers decrypt.
    """
    try:
        import pskc
    except ImportError:
        raise InputError("PSKC export needs the python-pskc package (pip install python-pskc)") from None
    document = pskc.PSKC()
    for number, record in enumerate(records, start=1):
        params = record.params
        key = document.add_key(id=record.serial or f"key-{number}", secret=params.secret,
                               algorithm=PSKC_ALGORITHMS[params.type], algorithm_suite=params.algorithm.value,
                               response_length=params.digits, response_encoding="DECIMAL",
                               serial=record.serial or None, manufacturer=record.manufacturer or None,
                               model=record.model or None, issuer=params.issuer or None,
                               key_userid=record.upn or params.account or None)
        if params.type is OtpType.TOTP:
            key.time_interval = params.period
        else:
            key.counter = params.counter
    if protection.password is not None:
        document.encryption.setup_pbkdf2(protection.password, algorithm="aes128-cbc")
    elif protection.key is not None:
        if len(protection.key) != PSKC_KEY_BYTES:
            raise InputError(f"a PSKC pre-shared key is {PSKC_KEY_BYTES} bytes (32 hex digits, AES-128), not "
                             f"{len(protection.key)}")
        document.encryption.setup_preshared_key(key=protection.key, algorithm="aes128-cbc",
                                                key_name="Pre-shared-key")
    buffer = io.BytesIO()
    document.write(buffer)
    return _rfc6030_pbkdf2_params(bytes(buffer.getvalue()))


def _rfc6030_pbkdf2_params(xml: bytes) -> bytes:
    """python-pskc writes `xenc11:PBKDF2-params` with unqualified children and no PRF, which the XML Encryption
    1.1 schema (whose element it names) does not allow: there the children are in its namespace and the PRF is
    required. Written as that schema says (HMAC-SHA1, the PRF PBKDF2 uses when none is named); python-pskc,
    privacyIDEA and LinOTP read it either way. (Our own document: nothing untrusted is parsed here.)"""
    if b"PBKDF2-params" not in xml:
        return xml
    root = ElementTree.fromstring(xml)  # noqa: S314 (the XML python-pskc just wrote)
    for params in root.iter(f"{{{_XENC11}}}PBKDF2-params"):
        for element in params.iter():
            if element is not params and not element.tag.startswith("{"):
                element.tag = f"{{{_XENC11}}}{element.tag}"
        if params.find(f"{{{_XENC11}}}PRF") is None:
            ElementTree.SubElement(params, f"{{{_XENC11}}}PRF", Algorithm=_HMAC_SHA1)
    return bytes(ElementTree.tostring(root, encoding="UTF-8", xml_declaration=True))


def _pskc(records: Sequence[TokenRecord], protection: Protection) -> bytes:
    return pskc_xml(records, protection)


Writer = Callable[[Sequence[TokenRecord], Protection], bytes]


def _plain(writer: Callable[[Sequence[TokenRecord]], bytes]) -> Writer:
    return lambda records, protection: writer(records)


# --- notes: what a written file makes worth knowing --------------------------------------------------------

@dataclass(frozen=True)
class ExportNote:
    """Something to tell about a file written. Front ends word each kind."""


@dataclass(frozen=True)
class SpreadsheetNote(ExportNote):
    """Serials a spreadsheet program would change (leading zeros dropped, long numbers rounded) if it opened
    and saved the file."""

    serials: tuple[str, ...]


@dataclass(frozen=True)
class DuoTypeNote(ExportNote):
    """Duo's import form asks for the token type once per file; Duo cannot resync a drifting TOTP token."""

    digits: int
    period: int


def _spreadsheet_notes(records: Sequence[TokenRecord]) -> list[ExportNote]:
    unsafe = tuple(record.serial for record in records if spreadsheet_unsafe(record.serial))
    return [SpreadsheetNote(unsafe)] if unsafe else []


def _duo_notes(records: Sequence[TokenRecord]) -> list[ExportNote]:
    return [*_spreadsheet_notes(records), DuoTypeNote(records[0].params.digits, records[0].params.period)]


def _no_notes(records: Sequence[TokenRecord]) -> list[ExportNote]:
    return []


# --- the one table of formats --------------------------------------------------------------------------

@dataclass(frozen=True)
class ExportFormat:
    """One kind of file, with everything about it that is not words: front ends word `name` themselves."""

    name: str
    extension: str  # for a file name the window makes
    write: Writer
    notes: Callable[[Sequence[TokenRecord]], list[ExportNote]] = _no_notes
    accepts: Accepts | None = None  # what the identity system it is for takes (None: any account)
    needs_serial: bool = False
    takes_upn: bool = False  # Entra ID: the user each token is assigned to
    encrypted: bool = False  # written with a password or a pre-shared key (PSKC)
    one_account: bool = False  # holds one account only (a QR code)
    proven_by: str = ""  # the importer a test loads it into, and its version


FORMATS: dict[str, ExportFormat] = {fmt.name: fmt for fmt in (
    ExportFormat("entra", "csv", _plain(entra_csv), _spreadsheet_notes, ENTRA_CSV, needs_serial=True,
                 takes_upn=True, proven_by="the column layout of Microsoft's documented example"),
    ExportFormat("vendor-csv", "csv", _plain(vendor_csv), _spreadsheet_notes, needs_serial=True,
                 proven_by="otpburn's own seed-file reader (the vendor tools' layout)"),
    ExportFormat("privacyidea", "csv", _plain(privacyidea_csv), _spreadsheet_notes, needs_serial=True,
                 proven_by="privacyIDEA 3.14 and eduMFA 2.9.5, POST /token/load (type oathcsv)"),
    ExportFormat("duo", "csv", _plain(duo_csv), _duo_notes, DUO_CSV, needs_serial=True,
                 proven_by="Duo's documented import layout (no server here)"),
    ExportFormat("dualshield", "xml", _plain(dualshield_xml), _no_notes, DUALSHIELD, needs_serial=True,
                 proven_by="the examples of Deepnet's published token file format (no DualShield server here)"),
    ExportFormat("pskc", "pskc", _pskc, encrypted=True,
                 proven_by="RFC 6030's schema; privacyIDEA 3.14 and eduMFA 2.9.5, POST /token/load (type pskc: "
                           "plain, password, pre-shared key)"),
    ExportFormat("otpauth", "txt", _plain(otpauth_text), proven_by="otpburn's and Google's otpauth key URI format"),
    ExportFormat("qr", "png", _plain(qr_png), one_account=True, proven_by="zxing-cpp reads it back"),
)}


def export_format(name: str) -> ExportFormat:
    try:
        return FORMATS[name]
    except KeyError:
        raise InputError(f"unknown export format {name!r}: use one of {', '.join(FORMATS)}") from None


def check_record(fmt: str, record: TokenRecord, number: int) -> None:
    """Refuse, as `fmt`'s writer will, record `number` when the format cannot hold it: what the identity system
    it is for accepts, and the serial it files tokens by. Run on each record as a seed file is read, it stops a
    conversion at the first record that cannot convert instead of after reading 100 000."""
    spec = export_format(fmt)
    if spec.accepts is not None:
        _refuse_one(fmt, spec.accepts, record, number)
    elif fmt in _FILED_BY_SERIAL:
        _require_serial(fmt, record, number)


def render(fmt: str, records: Sequence[TokenRecord], protection: Protection | None = None) -> bytes:
    if not records:
        raise InputError("nothing to export")
    return export_format(fmt).write(records, protection or Protection())


def export(fmt: str, records: Sequence[TokenRecord], path: str, *, force: bool = False,
           protection: Protection | None = None) -> list[ExportNote]:
    """Validate and render every record first; only then write the file (0600, atomic).

    Returns notes worth telling the user about the file written (serials a spreadsheet would change).
    """
    _refuse_standard_output(path, fmt)
    write_private(path, render(fmt, records, protection), force=force)
    return export_format(fmt).notes(records)


def write_export(target: ExportTarget, records: Sequence[TokenRecord], *, force: bool = False,
                 front_end: str = "cli") -> list[ExportNote]:
    """Write `target` and log it (the format, the file and how many records; never a secret)."""
    notes = export(target.fmt, records, target.path, force=force, protection=target.protection)
    fmt = export_format(target.fmt)
    audit.record("export", "ok", serial=records[0].serial if len(records) == 1 else "",
                 params=records[0].params if len(records) == 1 else None,
                 extra={"format": target.fmt, "file": target.path, "records": len(records), "front_end": front_end,
                        **({"encryption": target.protection.kind} if fmt.encrypted else {})})
    return notes


def _refuse_standard_output(path: str, fmt: str) -> None:
    # "-" reads standard input elsewhere; an export written there would leave a file named "-" behind.
    if path == "-":
        raise InputError(f"the {fmt} export goes into a file readable only by you, not to standard output: "
                         "give it a file name")


def check_target(target: ExportTarget, force: bool) -> None:
    """What can be known of an export before any token is touched: its format, its folder, its name."""
    export_format(target.fmt)
    _refuse_standard_output(target.path, target.fmt)
    folder = os.path.dirname(os.path.abspath(target.path))
    if not os.path.isdir(folder):
        raise InputError(f"the folder {folder} for the {target.fmt} export does not exist")
    if not os.access(folder, os.W_OK):
        raise InputError(f"the folder {folder} for the {target.fmt} export cannot be written")
    try:
        os.lstat(target.path)
    except FileNotFoundError:
        pass
    except OSError as exc:  # a name longer than the file system takes (isdir and lexists below say False)
        raise InputError(f"{target.path} cannot be the {target.fmt} export's name: {exc.strerror}") from None
    if os.path.isdir(target.path):
        raise InputError(f"{target.path} is a folder; give the {target.fmt} export a file name")
    if os.path.lexists(target.path) and not force:
        raise InputError(f"{target.path} already exists; choose another name", remedy=Remedy.FORCE)
