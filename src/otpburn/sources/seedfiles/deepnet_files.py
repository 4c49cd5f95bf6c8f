"""Deepnet's token files: DualShield's "V5" XML (what Deepnet ships with SafeID hardware tokens and what
DualShield's token import takes) and the older Deepnet UAP "V3" layout.

Sources: Deepnet's wiki page "DualShield Token File Format for SafeID Hardware OTP Tokens" (a header with
`manufacturerCode`, `productCode`, `encrypt` NONE|AES256, `encode` HEX|BASE64, `digits` 6|8, `timeWindow`
30|60 and `crypto` HmacSHA1|HmacSHA256|HmacSHA512, then `tokens/token` with `serial` and `seed`), its
"How to import Google Authenticator tokens into DualShield" (manufacturer GG, product GT, `encode` BASE32,
the time step as `synchronisation`), and Deepnet knowledge-base article 9, which shows one SafeID token
(serial 71358472) in both layouts: UAP V3's model/type `TB` is the token V5 files as product `ST`,
DualShield's predefined "SafeID/Time-Based" product (TOTP, 60 s).

Deepnet does not publish how an AES256 file is encrypted (which key derivation, mode and IV), so such a
file is named and refused rather than guessed at. The files are streamed: a token read is dropped.
"""

from __future__ import annotations

import base64
import binascii
import io
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from dataclasses import dataclass

from otpburn.errors import InputError
from otpburn.otp.codec import decode_base32, decode_hex
from otpburn.otp.params import Algorithm, OtpParams, OtpType
from otpburn.sources.seedfiles.model import Rows, SeedRecord, printable
from otpburn.sources.seedfiles.xml_safety import check_xml
from otpburn.untrusted import ascii_number

ROOTS = ("data", "tokenList")  # V5, UAP V3
KIND = "DualShield token"
# DualShield's predefined SafeID/Time-Based product, which a V5 header that names no settings means.
SAFEID_TIME_BASED = {"digits": "6", "timeWindow": "60", "crypto": "HmacSHA1"}


@dataclass(frozen=True)
class Header:
    encode: str
    digits: int
    period: int
    algorithm: Algorithm


def read_deepnet(path: str, data: bytes, root: str) -> Rows:
    check_xml(path, data, KIND)
    found = Rows(kind="DualShield token file (V5)" if root == "data" else "Deepnet UAP token file (V3)")
    try:
        if root == "data":
            _read_v5(path, data, found)
        else:
            _read_v3(path, data, found)
    except ElementTree.ParseError:
        raise InputError(f"{path}: not a valid {KIND} file (its XML is damaged)") from None
    return found


def _ends(data: bytes) -> Iterator[ElementTree.Element]:
    # Safe to stream with the standard parser: check_xml has refused any DOCTYPE or entity.
    for _event, element in ElementTree.iterparse(io.BytesIO(data), events=("end",)):  # noqa: S314
        yield element


def _text(element: ElementTree.Element, name: str) -> str:
    return (element.findtext(name) or "").strip()


def _read_v5(path: str, data: bytes, found: Rows) -> None:
    header: Header | None = None
    number = 0
    for element in _ends(data):
        if element.tag == "header":
            header = _header(path, element, found.notes)
        elif element.tag == "token":
            number += 1
            if header is None:
                raise InputError(f"{path}: its tokens come before its header; not a {KIND} file")
            _token(header, number, element, found)
            element.clear()  # read: a 100 000-token file keeps no tree


def _header(path: str, header: ElementTree.Element, notes: list[str]) -> Header:
    encrypt = _text(header, "encrypt").upper() or "NONE"
    if encrypt != "NONE":
        raise InputError(f"{path}: its seeds are encrypted ({printable(encrypt, 20)}); Deepnet does not publish how, "
                         "so otpburn cannot open it: ask Deepnet for the file with encrypt NONE, or import it into "
                         "DualShield directly")
    encode = _text(header, "encode").upper()
    if encode not in ("HEX", "BASE64", "BASE32"):
        raise InputError(f"{path}: its header's seed encoding is {printable(encode, 20)!r}; a {KIND} file says HEX, "
                         "BASE64 or BASE32")
    given = {name: _text(header, name) for name in SAFEID_TIME_BASED}
    given["timeWindow"] = given["timeWindow"] or _text(header, "synchronisation")
    missing = [name for name, value in given.items() if not value]
    if missing:
        notes.append(f"its header names no {', '.join(missing)}: read as DualShield's SafeID/Time-Based product "
                     "(TOTP, 6 digits, 60 s, SHA-1); compare the first code with the token")
    values = {name: value or SAFEID_TIME_BASED[name] for name, value in given.items()}
    digits, period = ascii_number(values["digits"], 9), ascii_number(values["timeWindow"], 9)
    if digits is None or period is None:
        raise InputError(f"{path}: its header's digits and time window are not numbers")
    algorithm = Algorithm.parse(values["crypto"])
    OtpParams(secret=b"\0", digits=digits, period=period, algorithm=algorithm)  # the header's own limits, once
    return Header(encode, digits, period, algorithm)


def _token(header: Header, number: int, element: ElementTree.Element, found: Rows) -> None:
    serial = printable(_text(element, "serial"), 64)
    where = f"token {number}" + (f" (serial {serial})" if serial else "")
    seed = _text(element, "seed")
    try:
        if not seed:
            raise InputError("no seed")
        params = OtpParams(secret=_decode(seed, header.encode), type=OtpType.TOTP, algorithm=header.algorithm,
                           digits=header.digits, period=header.period)
    except InputError as exc:
        found.problems.append(f"{where}: {exc.message}")
        return
    found.records.append(SeedRecord(serial, params, number, unit="token"))


def _decode(seed: str, encode: str) -> bytes:
    if encode == "HEX":
        return decode_hex(seed)
    if encode == "BASE32":
        return decode_base32(seed)
    try:
        return base64.b64decode("".join(seed.split()), validate=True)
    except (binascii.Error, ValueError):
        raise InputError("the seed is not valid base64 (as the header's encode says)") from None


def _read_v3(path: str, data: bytes, found: Rows) -> None:
    number = 0
    for element in _ends(data):
        if element.tag != "tokenInfo":
            continue
        number += 1
        serial = printable(_text(element, "device/serial"), 64)
        where = f"token {number}" + (f" (serial {serial})" if serial else "")
        try:
            found.records.append(SeedRecord(serial, _v3_params(path, element), number, unit="token"))
        except InputError as exc:
            found.problems.append(f"{where}: {exc.message}")
        element.clear()


def _v3_params(path: str, info: ElementTree.Element) -> OtpParams:
    inner_text = info.findtext("token") or ""
    inner_bytes = inner_text.encode("utf-8")
    check_xml(path, inner_bytes, KIND)  # the CDATA is a document of its own: the same guards
    try:
        inner = ElementTree.fromstring(inner_bytes)  # noqa: S314 (checked above)
    except ElementTree.ParseError:
        raise InputError("its token data is not XML") from None
    kind = _text(inner, "type") or _text(info, "device/model")
    if kind.upper() != "TB":
        raise InputError(f"a {printable(kind, 20) or 'untyped'} token; otpburn reads UAP files' time-based (TB) "
                         "SafeID tokens only")
    secret = inner.find("secret")
    encoding = (secret.get("enc", "HEX") if secret is not None else "HEX").upper()
    if encoding not in ("HEX", "BASE64", "BASE32"):
        raise InputError(f"its secret's encoding is {printable(encoding, 20)!r}, not HEX, BASE64 or BASE32")
    text = (secret.text or "").strip() if secret is not None else ""
    if not text:
        raise InputError("no secret")
    digits = ascii_number(_text(inner, "digits") or "6", 9)
    if digits is None:
        raise InputError("its digits are not a number")
    # TB is the token DualShield files as SafeID/Time-Based: TOTP, 60 s, SHA-1.
    return OtpParams(secret=_decode(text, encoding), type=OtpType.TOTP, digits=digits, period=60)
