"""Google Authenticator exports: otpauth-migration://offline?data=<base64 protobuf>.

The payload is a small protobuf (`MigrationPayload`, see the README's format notes).
We decode the protobuf wire format by hand: the message has a dozen scalar fields,
and a ~80-line reader avoids a protobuf runtime and generated code for it.
Unknown fields are skipped, as protobuf requires.
"""

from __future__ import annotations

import base64
import binascii
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlsplit

from otpburn.errors import InputError
from otpburn.otp.params import Algorithm, OtpParams, OtpType

SCHEME = "otpauth-migration"

_ALGORITHMS = {0: Algorithm.SHA1, 1: Algorithm.SHA1, 2: Algorithm.SHA256, 3: Algorithm.SHA512}
_ALGORITHM_NAMES = {4: "MD5"}
_DIGITS = {0: 6, 1: 6, 2: 8, 3: 7}
_TYPES = {0: OtpType.TOTP, 1: OtpType.HOTP, 2: OtpType.TOTP}

_VARINT, _I64, _LEN, _I32 = 0, 1, 2, 5


class MigrationEntry(NamedTuple):
    """One account of an export; `params` is None when it cannot be used (with `problem`). A tuple: an export of
    many accounts makes one each, and a frozen dataclass took three times as long to make."""

    position: int  # in its export, from 0 (-1: a link that could not be read)
    name: str
    issuer: str
    params: OtpParams | None
    problem: str | None = None


@dataclass(frozen=True)
class MigrationBatch:
    entries: tuple[MigrationEntry, ...]
    version: int = 0
    batch_size: int = 1
    batch_index: int = 0
    batch_id: int = 0
    usable: tuple[OtpParams, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "usable", tuple(e.params for e in self.entries if e.params is not None))

    @property
    def part_text(self) -> str:
        if self.batch_size > 1:
            return f"QR code {self.batch_index + 1} of {self.batch_size} of this export"
        return ""


def is_migration(text: str) -> bool:
    return text.strip().lower().startswith(SCHEME + ":")


_LINK_START = re.compile(re.escape(SCHEME) + r"://", re.IGNORECASE)
_LINK_BODY = re.compile(r"[A-Za-z0-9%+/=_\-?&.:]*")
_CONTINUATION = re.compile(r"^[A-Za-z0-9%+/=_-]+$")


@dataclass(frozen=True)
class FoundLink:
    line: int  # 1-based line where the link starts
    text: str
    last_line: int  # where it ends (after the lines a wrapped link continues on)


def find_migration_links(text: str) -> list[FoundLink]:
    """Every Google Authenticator export link in a text, as export tools write them.

    Lines starting with '#' are comments; anything before the link on its line is a prefix
    ('QR-Code:', a number, a bullet); a link wrapped over several lines continues on lines
    made only of base64 and percent characters.
    """
    links: list[FoundLink] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        start = _LINK_START.search(line)
        if line.lstrip().startswith("#") or start is None:
            index += 1
            continue
        body = _LINK_BODY.match(line, start.end())
        link = line[start.start():body.end() if body else start.end()]
        number = index + 1
        index += 1
        while index < len(lines) and _CONTINUATION.match(lines[index].strip()) and \
                _LINK_START.search(lines[index]) is None:
            link += lines[index].strip()
            index += 1
        links.append(FoundLink(number, link, index))
    return links


def parse_migration(text: str) -> MigrationBatch:
    """Decode every account of a Google Authenticator export URI."""
    uri = text.strip()
    try:
        parts = urlsplit(uri)
    except ValueError:  # e.g. an unclosed '[' read as an IPv6 host
        raise InputError("the export link is malformed") from None
    if parts.scheme.lower() != SCHEME:
        raise InputError(f"expected an {SCHEME}:// URI")
    data = [value for key, value in parse_qsl(parts.query, keep_blank_values=True) if key == "data"]
    if not data or not data[0].strip():
        raise InputError("the export URI has no data parameter")
    if len(data) > 1:
        raise InputError("the export URI has more than one data parameter")
    raw = _b64decode(data[0])
    try:
        return _parse_payload(raw)
    except _TruncatedError:
        raise InputError("the export data is cut short (was the QR code read completely?)") from None


def _b64decode(text: str) -> bytes:
    # parse_qsl turned '+' into ' '; standard base64 uses '+', so put it back.
    cleaned = text.strip().replace(" ", "+")
    cleaned = cleaned.replace("-", "+").replace("_", "/")  # tolerate URL-safe base64 too
    cleaned = cleaned.rstrip("=")
    cleaned += "=" * (-len(cleaned) % 4)
    try:
        return base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        raise InputError("the export data is not valid base64") from None


class _TruncatedError(Exception):
    pass


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    """The number encoded at `pos` and where the next field starts."""
    result = shift = 0
    while True:
        if pos >= len(data):
            raise _TruncatedError
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift >= 70:
            raise InputError("the export data holds a malformed number")


def _fields(data: bytes) -> Iterator[tuple[int, int, Any]]:
    """(field number, wire type, value) of each field of a message; LEN values are bytes, numbers are ints.
    A key, number or length below 128 (nearly every one an export holds) is read in place, not by a _varint call:
    100 000 accounts' payloads took 455 ms with a call for each, 240 ms so."""
    pos, end = 0, len(data)
    while pos < end:
        key = data[pos]
        pos += 1
        if key > 0x7F:
            key, pos = _varint(data, pos - 1)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise InputError("the export data is not a Google Authenticator export")
        if wire == _VARINT or wire == _LEN:
            if pos >= end:
                raise _TruncatedError
            value = data[pos]
            pos += 1
            if value > 0x7F:
                value, pos = _varint(data, pos - 1)
            if wire == _VARINT:
                yield number, wire, value
                continue
            if pos + value > end:
                raise _TruncatedError
            pos += value
            yield number, wire, data[pos - value:pos]
        elif wire == _I64 or wire == _I32:
            size = 8 if wire == _I64 else 4
            if pos + size > end:
                raise _TruncatedError
            pos += size
            yield number, wire, int.from_bytes(data[pos - size:pos], "little")
        else:
            raise InputError("the export data is not a Google Authenticator export")


def _signed(value: int, bits: int) -> int:
    value &= (1 << 64) - 1
    if value >= 1 << 63:
        value -= 1 << 64
    return value if bits == 64 else ((value + (1 << 31)) % (1 << 32)) - (1 << 31)


def _expect(wire: int, wanted: int, what: str) -> None:
    if wire != wanted:
        raise InputError(f"the export data has a malformed {what} field")


def _parse_payload(raw: bytes) -> MigrationBatch:
    blobs: list[bytes] = []
    header = {"version": 0, "batch_size": 1, "batch_index": 0, "batch_id": 0}
    names = {2: "version", 3: "batch_size", 4: "batch_index", 5: "batch_id"}
    for number, wire, value in _fields(raw):
        if number == 1:
            _expect(wire, _LEN, "account")
            blobs.append(value)
        elif number in names:
            _expect(wire, _VARINT, names[number])
            header[names[number]] = _signed(value, 32)
    if not blobs:
        raise InputError("the export holds no accounts")
    entries = tuple(_parse_entry(index, blob) for index, blob in enumerate(blobs))
    return MigrationBatch(entries, **header)


def _parse_entry(index: int, blob: bytes) -> MigrationEntry:
    secret, name, issuer = b"", "", ""
    algorithm_code = digits_code = type_code = counter = 0
    for number, wire, value in _fields(blob):
        if number == 1:
            _expect(wire, _LEN, "secret")
            secret = value
        elif number in (2, 3):
            _expect(wire, _LEN, "name")
            try:
                text = value.decode("utf-8")
            except UnicodeDecodeError:
                raise InputError(f"account {index + 1}: its name is not valid UTF-8") from None
            if number == 2:
                name = text
            else:  # one string for each issuer, not one for each of its accounts (100 000 accounts: 5 MB)
                issuer = sys.intern(text)
        elif number in (4, 5, 6, 7):
            _expect(wire, _VARINT, "parameter")
            if number == 4:
                algorithm_code = value
            elif number == 5:
                digits_code = value
            elif number == 6:
                type_code = value
            else:
                counter = _signed(value, 64)
    account = name
    if ":" in name:
        label_issuer, _, account = name.partition(":")
        issuer = issuer or sys.intern(label_issuer.strip())
        account = account.strip()

    problem = None
    if algorithm_code not in _ALGORITHMS:
        label = _ALGORITHM_NAMES.get(algorithm_code, f"code {algorithm_code}")
        problem = f"uses the {label} algorithm, which hardware tokens do not support"
    elif digits_code not in _DIGITS:
        problem = f"uses an unknown digit count (code {digits_code})"
    elif type_code not in _TYPES:
        problem = f"has an unknown OTP type (code {type_code})"
    elif not secret:
        problem = "has no secret"
    elif counter < 0:
        problem = "has a negative counter"
    else:
        try:  # by position: keywords cost a quarter more; the export has no period (Google uses only 30 s)
            params = OtpParams(secret, _TYPES[type_code], _ALGORITHMS[algorithm_code], _DIGITS[digits_code], 30,
                               counter, issuer, account)
        except InputError as exc:
            problem = exc.message
        else:
            return MigrationEntry(index, account, issuer, params)
    return MigrationEntry(index, account, issuer, None, problem)
