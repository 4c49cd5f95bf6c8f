"""YKOATH: the OATH applet of YubiKeys and compatible keys (many credentials, codes on request).

The applet computes codes itself, so a burn can be verified automatically: CALCULATE
must give the host's code for the same time step.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from otpburn.errors import InputError, OperationError, Remedy
from otpburn.otp.fitting import fit_secret
from otpburn.otp.hotp import truncate
from otpburn.otp.params import Algorithm, OtpParams, OtpType
from otpburn.tokens.base import Capabilities, Family, IdentifiedSession, TokenInfo
from otpburn.tokens.tlv import parse_tlvs, tlv
from otpburn.transport.apdu import Apdu, Response
from otpburn.transport.channel import Channel
from otpburn.transport.status import StatusWordError

FAMILY = Family.YKOATH
AID = bytes.fromhex("A0000005272101")
TAG_NAME, TAG_NAME_LIST, TAG_KEY, TAG_CHALLENGE, TAG_RESPONSE = 0x71, 0x72, 0x73, 0x74, 0x75
TAG_TRUNCATED, TAG_HOTP, TAG_PROPERTY, TAG_VERSION, TAG_IMF, TAG_ALGORITHM, TAG_TOUCH = (
    0x76, 0x77, 0x78, 0x79, 0x7A, 0x7B, 0x7C)
INS_PUT, INS_DELETE, INS_SET_CODE, INS_LIST = 0x01, 0x02, 0x03, 0xA1
INS_CALCULATE, INS_VALIDATE, INS_CALCULATE_ALL, INS_SEND_REMAINING = 0xA2, 0xA3, 0xA4, 0xA5
TYPE_BITS = {OtpType.HOTP: 0x10, OtpType.TOTP: 0x20}
ALGORITHM_BITS = {Algorithm.SHA1: 0x01, Algorithm.SHA256: 0x02, Algorithm.SHA512: 0x03}
PROPERTY_REQUIRE_TOUCH = 0x02
MIN_KEY = 14  # the applet wants at least 14 key bytes; zero-padding keeps the codes (RFC 2104)
MAX_NAME = 64
MAX_COUNTER = 0xFFFFFFFF  # the initial moving factor is four bytes
DEFAULT_PERIOD = 30
SW_NO_SPACE, SW_AUTH_REQUIRED, SW_WRONG_SYNTAX, SW_NO_SUCH_OBJECT = 0x6A84, 0x6982, 0x6A80, 0x6984

CAPABILITIES = Capabilities(
    family=FAMILY,
    model="OATH applet",
    types=frozenset(OtpType),
    algorithms=frozenset(Algorithm),
    digits=frozenset({6, 7, 8}),
    periods=None,
    secret_min=MIN_KEY,
    secret_max=None,
    clock_readable=False,
    clock_settable=False,
    time_write_wipes_seed=False,
    computes_codes=True,
    credential_slots=32,
    printed_serial=False,
    manufacturer="Yubico",
)


# --- names and keys ---------------------------------------------------------------------

def credential_id(params: OtpParams) -> str:
    """`[period/][issuer:]account`: the period prefix only for TOTP with a period other than 30."""
    name = f"{params.issuer}:{params.account}" if params.issuer else params.account
    if not name:
        raise InputError("the account has no name; an OATH applet stores credentials by name")
    if params.type is OtpType.TOTP and params.period != DEFAULT_PERIOD:
        name = f"{params.period}/{name}"
    if len(name.encode()) > MAX_NAME:
        raise InputError(f"the name {name!r} is {len(name.encode())} bytes; the applet stores at most {MAX_NAME}")
    return name


_TOTP_ID = re.compile(r"^((\d+)/)?(([^:]+):)?(.+)$")


def parse_credential_id(name: str, otp_type: OtpType) -> tuple[str, str, int]:
    """(issuer, account, period) from a credential id, as the applet's own tools read it."""
    if otp_type is OtpType.TOTP:
        match = _TOTP_ID.match(name)
        if match:
            period = int(match.group(2)) if match.group(2) else DEFAULT_PERIOD
            return match.group(4) or "", match.group(5), period
        return "", name, DEFAULT_PERIOD
    if ":" in name[1:]:
        issuer, _, account = name.partition(":")
        return issuer, account, 0
    return "", name, 0


def fit_key(params: OtpParams) -> bytes:
    """The key as the applet needs it: hashed if longer than a block, zero-padded to 14 bytes."""
    return fit_secret(params.secret, params.algorithm, MIN_KEY, params.algorithm.block_size).secret


def derive_key(password: str, salt: bytes) -> bytes:
    """PBKDF2-HMAC-SHA1, 1000 iterations, 16 bytes: the applet's access key."""
    return hashlib.pbkdf2_hmac("sha1", password.encode("utf-8"), salt, 1000, 16)


# --- encoders ---------------------------------------------------------------------------

def select_apdu() -> Apdu:
    return Apdu(0x00, 0xA4, 0x04, 0x00, AID, name="SELECT OATH")


def put_apdu(params: OtpParams, touch: bool = False) -> Apdu:
    name = credential_id(params).encode()
    key = fit_key(params)
    body = tlv(TAG_NAME, name)
    key_value = bytes((TYPE_BITS[params.type] | ALGORITHM_BITS[params.algorithm], params.digits)) + key
    key_start = len(body) + 2 + 2  # tag, length, type byte, digits byte
    body += tlv(TAG_KEY, key_value)
    spans = ((key_start, key_start + len(key)),)
    if touch:
        body += bytes((TAG_PROPERTY, PROPERTY_REQUIRE_TOUCH))  # tag and value, no length byte
    if params.type is OtpType.HOTP and params.counter:
        if params.counter > MAX_COUNTER:  # never cut silently: the token would count from another value
            raise InputError(f"an OATH applet's HOTP counter starts at {MAX_COUNTER} at most")
        body += tlv(TAG_IMF, struct.pack(">I", params.counter))
    return Apdu(0x00, INS_PUT, 0x00, 0x00, body, secret_spans=spans, name="PUT")


def delete_apdu(name: str) -> Apdu:
    return Apdu(0x00, INS_DELETE, 0x00, 0x00, tlv(TAG_NAME, name.encode()), name="DELETE")


def list_apdu() -> Apdu:
    return Apdu(0x00, INS_LIST, 0x00, 0x00, name="LIST")


def calculate_apdu(name: str, challenge: bytes, truncated: bool = True) -> Apdu:
    return Apdu(0x00, INS_CALCULATE, 0x00, 0x01 if truncated else 0x00,
                tlv(TAG_NAME, name.encode()) + tlv(TAG_CHALLENGE, challenge), name="CALCULATE")


def calculate_all_apdu(challenge: bytes) -> Apdu:
    return Apdu(0x00, INS_CALCULATE_ALL, 0x00, 0x01, tlv(TAG_CHALLENGE, challenge), name="CALCULATE ALL")


def send_remaining_apdu(_length: int = 0) -> Apdu:
    return Apdu(0x00, INS_SEND_REMAINING, 0x00, 0x00, name="SEND REMAINING")


def validate_apdu(key: bytes, device_challenge: bytes, host_challenge: bytes) -> Apdu:
    response = hmac.new(key, device_challenge, "sha1").digest()
    return Apdu(0x00, INS_VALIDATE, 0x00, 0x00, tlv(TAG_RESPONSE, response) + tlv(TAG_CHALLENGE, host_challenge),
                secret_spans=((2, 22),), secret_response=True, name="VALIDATE")


def set_code_apdu(key: bytes | None, challenge: bytes = b"") -> Apdu:
    if key is None:
        return Apdu(0x00, INS_SET_CODE, 0x00, 0x00, tlv(TAG_KEY, b""), name="SET CODE")
    body = tlv(TAG_KEY, bytes((TYPE_BITS[OtpType.TOTP] | ALGORITHM_BITS[Algorithm.SHA1],)) + key)
    body += tlv(TAG_CHALLENGE, challenge) + tlv(TAG_RESPONSE, hmac.new(key, challenge, "sha1").digest())
    return Apdu(0x00, INS_SET_CODE, 0x00, 0x00, body, secret_spans=((3, 19), (31, 51)), name="SET CODE")


def format_code(value: bytes, digits: int) -> str:
    """A code from a truncated answer (4 bytes; the top bit masked here, whatever the device did)."""
    return str((int.from_bytes(value, "big") & 0x7FFFFFFF) % 10**digits).zfill(digits)


def code_from_response(tag: int, value: bytes) -> str | None:
    if tag not in (TAG_TRUNCATED, TAG_RESPONSE):
        return None  # HOTP not computed, or touch required
    # A hostile or broken card may send anything: check before reading it.
    if len(value) < (5 if tag == TAG_TRUNCATED else 21) or not 6 <= value[0] <= 10:
        raise OperationError("the applet's code answer is malformed")
    if tag == TAG_TRUNCATED:
        return format_code(value[1:5], value[0])
    return truncate(value[1:], value[0])


# --- session ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Credential:
    name: str
    type: OtpType
    algorithm: Algorithm
    issuer: str
    account: str
    period: int


class WrongPasswordError(OperationError):
    def __init__(self) -> None:
        super().__init__("the OATH password is wrong; nothing was changed (the applet allows further tries)")


class PasswordRequiredError(InputError):
    def __init__(self) -> None:
        super().__init__("this OATH applet is password protected", remedy=Remedy.TOKEN_PASSWORD)


@dataclass(frozen=True)
class OathCredentials:
    """The applet's password, asked for (`password()`) only when the applet turns out to be protected."""

    password: Callable[[], str] | None = field(default=None, repr=False)


class YkoathSession(IdentifiedSession):
    family: ClassVar[Family] = FAMILY

    def __init__(self, channel: Channel, credentials: OathCredentials | None = None) -> None:
        self.channel = channel
        self.credentials = credentials or OathCredentials()
        self._info: TokenInfo | None = None
        self.version = (0, 0, 0)
        self.salt = b""
        self.challenge: bytes | None = None  # present when a password is set
        self.authenticated = False

    @property
    def locked(self) -> bool:
        return self.challenge is not None and not self.authenticated

    def identify(self) -> TokenInfo:
        return self.select()

    def _send(self, apdu: Apdu) -> Response:
        response = self.channel.send(apdu, send_remaining_apdu)
        if response.ok:
            return response
        if response.sw == SW_AUTH_REQUIRED:
            raise PasswordRequiredError()
        messages = {
            SW_NO_SPACE: "the applet is full",
            SW_NO_SUCH_OBJECT: "no such credential on the applet" if apdu.ins != INS_VALIDATE else None,
            SW_WRONG_SYNTAX: f"the applet refused {apdu.name} as malformed (6A80)",
        }
        message = messages.get(response.sw)
        raise StatusWordError(response.sw, apdu.name, f"{apdu.name} failed: {message}" if message else None,
                              Remedy.DELETE_CREDENTIAL if response.sw == SW_NO_SPACE else None)

    def select(self) -> TokenInfo:
        response = self._send(select_apdu())
        fields = dict(parse_tlvs(response.data))
        if TAG_VERSION not in fields or TAG_NAME not in fields:
            raise OperationError("the card answered the OATH SELECT without version and salt")
        major, minor, patch = (fields[TAG_VERSION] + bytes(3))[:3]
        self.version = (major, minor, patch)
        self.salt = fields[TAG_NAME]
        self.challenge = fields.get(TAG_CHALLENGE)
        self.authenticated = False
        device_id = hashlib.sha256(self.salt).digest()[:16].hex().upper()
        self._info = TokenInfo(FAMILY, f"OATH applet {'.'.join(map(str, self.version))}", device_id, CAPABILITIES,
                               extra={"password_protected": self.challenge is not None})
        return self._info

    def unlock(self) -> None:
        """Validate with the password the credentials give (asked for now); PasswordRequiredError without one."""
        if not self.locked:
            return
        if self.credentials.password is None:
            raise PasswordRequiredError()
        self.validate(self.credentials.password())

    def validate(self, password: str) -> None:
        """Unlock with the password; tried once, never repeated by otpburn on a failure."""
        if self.challenge is None:
            return
        key = derive_key(password, self.salt)
        host_challenge = os.urandom(8)
        response = self.channel.send(validate_apdu(key, self.challenge, host_challenge))
        if response.sw in (SW_NO_SUCH_OBJECT, SW_WRONG_SYNTAX):
            raise WrongPasswordError()
        if not response.ok:
            raise StatusWordError(response.sw, "VALIDATE")
        fields = dict(parse_tlvs(response.data))
        expected = hmac.new(key, host_challenge, "sha1").digest()
        if not hmac.compare_digest(fields.get(TAG_RESPONSE, b""), expected):
            raise OperationError("the applet's answer to our challenge is wrong: is it a genuine OATH applet?")
        self.authenticated = True

    def list(self) -> list[Credential]:
        credentials = []
        for tag, value in parse_tlvs(self._send(list_apdu()).data):
            if tag != TAG_NAME_LIST or not value:
                continue
            otp_type = OtpType.HOTP if value[0] & 0xF0 == 0x10 else OtpType.TOTP
            algorithm = {1: Algorithm.SHA1, 2: Algorithm.SHA256, 3: Algorithm.SHA512}.get(value[0] & 0x0F,
                                                                                          Algorithm.SHA1)
            name = value[1:].decode("utf-8", errors="replace")
            issuer, account, period = parse_credential_id(name, otp_type)
            credentials.append(Credential(name, otp_type, algorithm, issuer, account, period))
        return credentials

    def put(self, params: OtpParams, touch: bool = False) -> str:
        self._send(put_apdu(params, touch))
        return credential_id(params)

    def delete(self, name: str) -> None:
        self._send(delete_apdu(name))

    def calculate(self, name: str, challenge: bytes) -> str | None:
        response = self._send(calculate_apdu(name, challenge))
        items = parse_tlvs(response.data)
        if not items:
            raise OperationError("the applet answered CALCULATE without a code")
        return code_from_response(*items[0])

    def calculate_all(self, challenge: bytes) -> dict[str, str | None]:
        codes: dict[str, str | None] = {}
        name = None
        for tag, value in parse_tlvs(self._send(calculate_all_apdu(challenge)).data):
            if tag == TAG_NAME:
                name = value.decode("utf-8", errors="replace")
            elif name is not None:
                codes[name] = code_from_response(tag, value)
                name = None
        return codes

    def set_password(self, password: str | None) -> None:
        if password is None:
            self._send(set_code_apdu(None))
            return
        self._send(set_code_apdu(derive_key(password, self.salt), os.urandom(8)))


def time_challenge(at: float, period: int) -> bytes:
    return struct.pack(">Q", int(at // period))
