"""KeePass 2.x XML exports (KeePass: File → Export → KeePass XML (2.x); KeePassXC: Database → Export → XML): a
`KeePassFile` whose `Root` holds groups of entries, each with `String` fields (`Key`, `Value`), older versions of
an entry under its `History` (left out, as are entries in the recycle bin named by `Meta/RecycleBinUUID`).

An entry's OTP key is read from whichever of the three layouts KeePass and its plugins write:
- `otp`: an otpauth link (KeePassXC, KeePassOTP), or KeeOtp's `key=<base32>&size=<digits>&step=<period>` with an
  optional `otpHashMode` (SHA1, SHA256, SHA512), as KeePassXC's totp.cpp reads it;
- `TOTP Seed` with `TOTP Settings` `<period>;<digits>` (KeeTrayTOTP; `<period>;S` is a Steam key);
- KeePass's own fields (KeePass 2.47+, help page "Placeholders", One-Time Passwords): `TimeOtp-Secret`,
  `-Secret-Hex`, `-Secret-Base32` or `-Secret-Base64`, with `TimeOtp-Length` (6), `TimeOtp-Period` (30) and
  `TimeOtp-Algorithm` (HMAC-SHA-1, HMAC-SHA-256, HMAC-SHA-512); and `HmacOtp-Secret…` with `HmacOtp-Counter` for
  HOTP, whose codes KeePass makes 6 digits long.

A `.kdbx` database comes here as the XML KeePassXC's own tool exports it to (`keepass_kdbx`).
"""

from __future__ import annotations

import base64
import binascii
import io
import urllib.parse
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator

from otpburn.errors import InputError
from otpburn.otp.codec import decode_base32
from otpburn.otp.params import Algorithm, OtpParams, OtpType
from otpburn.sources.otpauth import STEAM_REFUSAL, parse_uri
from otpburn.sources.seedfiles.model import Rows, add_record
from otpburn.sources.seedfiles.xml_safety import check_xml
from otpburn.untrusted import ascii_number

ROOT = "KeePassFile"
KIND = "KeePass XML export"
_KEEPASS_ALGORITHMS = {"HMAC-SHA-1": "SHA1", "HMAC-SHA-256": "SHA256", "HMAC-SHA-512": "SHA512"}
_KEEOTP_ALGORITHMS = {"SHA1": "SHA1", "SHA256": "SHA256", "SHA512": "SHA512"}
_SECRET_ENCODINGS = ("", "-Hex", "-Base32", "-Base64")
# The fields whose presence makes an entry one with an OTP key (the settings alone do not).
_OTP_FIELDS = ("otp", "TOTP Seed", *(f"{prefix}-Secret{encoding}" for prefix in ("TimeOtp", "HmacOtp")
                                       for encoding in _SECRET_ENCODINGS))


def read(path: str, data: bytes) -> Rows:
    check_xml(path, data, "KeePass XML")
    found = Rows(kind=KIND)
    without = binned = 0
    try:
        for number, (entry, in_bin) in enumerate(_entries(data), start=1):
            fields = _fields(entry)
            entry.clear()  # streamed: an entry's text is dropped once read
            if in_bin:
                binned += 1
                continue
            title, user = fields.get("Title", ""), fields.get("UserName", "")
            if not any(fields.get(name, "").strip() for name in _OTP_FIELDS):
                without += 1
                continue
            add_record(found, number, "entry", title, _params, fields, title, user)
    except ElementTree.ParseError:
        raise InputError(f"{path}: a damaged KeePass XML export") from None
    if without:
        found.notes.append(_left_out(without, "without an OTP key"))
    if binned:
        found.notes.append(_left_out(binned, "in the recycle bin"))
    return found


def _left_out(count: int, which: str) -> str:
    return f"1 entry {which} was left out" if count == 1 else f"{count} entries {which} were left out"


def _entries(data: bytes) -> Iterator[tuple[ElementTree.Element, bool]]:
    """Every current entry of the groups under Root, in file order, and whether it is in the recycle bin, read as
    the file streams by (an entry's History holds its old versions: not these)."""
    recycle_bin = ""
    path: list[str] = []  # the open elements' tags
    groups: list[bool] = []  # per open group: is it (or a group around it) the recycle bin
    # check_xml refused DOCTYPEs and entities before this parser sees the file.
    for event, element in ElementTree.iterparse(io.BytesIO(data), events=("start", "end")):  # noqa: S314
        if event == "start":
            path.append(element.tag)
            if element.tag == "Group" and "Root" in path:
                groups.append(bool(groups and groups[-1]))
            continue
        path.pop()
        parent = path[-1] if path else ""
        if element.tag == "RecycleBinUUID" and parent == "Meta":
            recycle_bin = (element.text or "").strip()
        elif element.tag == "UUID" and parent == "Group" and groups and recycle_bin:
            groups[-1] = groups[-1] or (element.text or "").strip() == recycle_bin
        elif element.tag == "Entry" and parent == "Group" and groups:
            yield element, groups[-1]
        elif element.tag == "Group" and groups:
            groups.pop()
            element.clear()


def _fields(entry: ElementTree.Element) -> dict[str, str]:
    fields = {}
    for field in entry.findall("String"):
        value = field.find("Value")
        if value is not None and value.get("Protected", "").lower() == "true":
            value_text = "\0protected"  # a database's inner XML, where values stay encrypted: not an export
        else:
            value_text = (value.text or "") if value is not None else ""
        fields[field.findtext("Key") or ""] = value_text
    return fields


def _params(fields: dict[str, str], title: str, user: str) -> OtpParams:
    if any(value == "\0protected" for name, value in fields.items() if _is_otp_field(name)):
        raise InputError("its OTP key is a protected value, still encrypted (export the database as XML from "
                         "KeePass or KeePassXC rather than taking its inner XML)")
    otp = fields.get("otp", "").strip()
    if otp.lower().startswith("otpauth://"):
        params = parse_uri(otp)
        return params if params.issuer or not title else params.replace(issuer=title)
    if otp:
        return _keeotp(otp, title, user)
    if fields.get("TOTP Seed", "").strip():
        return _tray_totp(fields["TOTP Seed"], fields.get("TOTP Settings", ""), title, user)
    for kind, prefix in ((OtpType.TOTP, "TimeOtp"), (OtpType.HOTP, "HmacOtp")):
        secret = _keepass_secret(fields, prefix)
        if secret is not None:
            return _keepass_params(kind, secret, fields, title, user)
    raise InputError("no OTP key")  # unreachable after the _OTP_FIELDS check; kept so the reader fails closed


def _is_otp_field(name: str) -> bool:
    return name in ("otp", "TOTP Seed", "TOTP Settings") or name.startswith(("TimeOtp-", "HmacOtp-"))


def _keeotp(text: str, title: str, user: str) -> OtpParams:
    query = dict(urllib.parse.parse_qsl(text, keep_blank_values=True))
    if "key" not in query:
        raise InputError("its otp field is neither an otpauth link nor KeeOtp's key=…&size=…&step=…")
    if query.get("type", "totp").lower() != "totp":
        raise InputError("a KeeOtp key of a type otpburn does not read (only TOTP)")
    algorithm = _KEEOTP_ALGORITHMS.get(query.get("otpHashMode", "SHA1").upper())
    if algorithm is None:
        raise InputError("a KeeOtp hash mode that is not SHA1, SHA256 or SHA512")
    return OtpParams(secret=_base32(query["key"]), algorithm=Algorithm(algorithm),
                     digits=_number(query.get("size", "6"), "size"), period=_number(query.get("step", "30"), "step"),
                     issuer=title, account=user)


def _tray_totp(seed: str, settings: str, title: str, user: str) -> OtpParams:
    period, digits = 30, 6
    if settings.strip():
        parts = settings.strip().split(";")
        if len(parts) < 2:
            raise InputError("its TOTP Settings are not <period>;<digits>")
        if parts[1].strip() == "S":
            raise InputError(STEAM_REFUSAL)
        period, digits = _number(parts[0], "period"), _number(parts[1], "digits")
    return OtpParams(secret=_base32(seed), digits=digits, period=period, issuer=title, account=user)


def _keepass_secret(fields: dict[str, str], prefix: str) -> bytes | None:
    for encoding in _SECRET_ENCODINGS:
        text = fields.get(f"{prefix}-Secret{encoding}", "").strip()
        if not text:
            continue
        try:
            if encoding == "-Hex":
                return bytes.fromhex(text)
            if encoding == "-Base32":
                return _base32(text)
            if encoding == "-Base64":
                return base64.b64decode(text, validate=True)
        except (ValueError, binascii.Error):
            raise InputError(f"its {prefix}-Secret{encoding} is not {encoding[1:].lower()}") from None
        return text.encode("utf-8")  # the plain field holds the key's bytes as UTF-8 text
    return None


def _keepass_params(kind: OtpType, secret: bytes, fields: dict[str, str], title: str, user: str) -> OtpParams:
    if kind is OtpType.HOTP:
        return OtpParams(secret=secret, type=kind, counter=_number(fields.get("HmacOtp-Counter", "0"), "counter"),
                         issuer=title, account=user)
    algorithm = _KEEPASS_ALGORITHMS.get(fields.get("TimeOtp-Algorithm", "HMAC-SHA-1").strip().upper())
    if algorithm is None:
        raise InputError("a TimeOtp-Algorithm that is not HMAC-SHA-1, HMAC-SHA-256 or HMAC-SHA-512")
    return OtpParams(secret=secret, algorithm=Algorithm(algorithm),
                     digits=_number(fields.get("TimeOtp-Length", "6"), "length"),
                     period=_number(fields.get("TimeOtp-Period", "30"), "period"), issuer=title, account=user)


def _base32(text: str) -> bytes:
    try:
        return decode_base32(text)
    except InputError:
        raise InputError("the secret is not base32") from None


def _number(text: str, what: str) -> int:
    number = ascii_number(text.strip(), 9)
    if number is None:
        raise InputError(f"its {what} is not a number")
    return number
