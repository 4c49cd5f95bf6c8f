"""Token2-style single-profile programmable NFC TOTP tokens (ExcelSecu family).

Byte-level protocol: plain ISO 7816 APDUs, no applet SELECT; SM4 for the challenge
response (ECB) and the seed (ECB), SM4-CBC-MAC (ISO 9797-1 algorithm 1, first 4 bytes)
over a pseudo header with CLA 80 on the CLA 84 commands. One authentication covers
SET CONFIG and SET SEED. Authentication is attempted at most once per session: older
tokens lock themselves for good after failed attempts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import ClassVar

from otpburn.errors import InputError, OperationError
from otpburn.otp.params import Algorithm, OtpType
from otpburn.tokens.base import (
    DISPLAY_TIMEOUT_CODES,
    Capabilities,
    ClockReading,
    ClockSample,
    DifferentTokenAnsweredError,
    Family,
    IdentifiedSession,
    TokenInfo,
    watch_clock_tick,
)
from otpburn.tokens.sm4 import command_mac, pad_method2, sm4_ecb
from otpburn.transport.apdu import Apdu, Response
from otpburn.transport.channel import Channel
from otpburn.transport.status import StatusWordError

FAMILY = Family.TOKEN2
# Published by the vendor; identical on every single-profile token and not changeable.
TRANSPORT_KEY = bytes.fromhex("8AD206883CA369482AB27182B6E83224")
SEED_MAX = 63
SEED_PAD_TO = 20  # the vendor reference pads short seeds to 20 bytes (same codes, RFC 2104)
HMAC_CODES = {Algorithm.SHA1: 0x01, Algorithm.SHA256: 0x02}
STEP_CODES = {30: 0x1E, 60: 0x3C}
SW_AUTH_REFUSED = 0x6983


@dataclass(frozen=True)
class Model:
    name: str
    time_write_keeps_seed: bool


# Serial prefix -> model. Longest prefix wins. Non-programmable models are deliberately absent.
MODELS = {
    "8659612": Model("OTPC-P1-i", True),
    "8659622": Model("OTPC-P2-i", False),
    "8659621": Model("OTPC-P2-i-NB", False),
    "8659600": Model("miniOTP-2-i", True),
    "8659601": Model("miniOTP-3-i", False),
    "8659609": Model("miniOTP-3-i-NB", False),
    "8659610": Model("C301-i", False),
    "8659632": Model("C302-i", True),
}


def model_for_serial(serial: str) -> Model | None:
    matches = [prefix for prefix in MODELS if serial.startswith(prefix)]
    return MODELS[max(matches, key=len)] if matches else None


def capabilities(model: Model | None) -> Capabilities:
    return Capabilities(
        family=FAMILY,
        model=model.name if model else "unknown Token2-family token",
        types=frozenset({OtpType.TOTP}),
        algorithms=frozenset(HMAC_CODES),
        digits=frozenset({6}),
        periods=frozenset(STEP_CODES),
        secret_min=1,
        secret_max=SEED_MAX,
        clock_readable=True,
        clock_settable=True,
        time_write_wipes_seed=not model.time_write_keeps_seed if model else True,
        computes_codes=False,
        credential_slots=1,
        writable=model is not None,
        manufacturer="Token2",
        display_timeouts=frozenset(DISPLAY_TIMEOUT_CODES),
    )


# --- encoders (pure functions, checked against the known-answer vectors) -------------

def mac(key: bytes, ins: int, p1: int, p2: int, body: bytes) -> bytes:
    """SM4-CBC-MAC over `80 INS P1 P2 Lc'` + body (Lc' excludes the MAC), first 4 bytes."""
    return command_mac(key, ins, p1, p2, body)


def get_info_apdu() -> Apdu:
    # Data 02 11: the tags to return (02 serial, 11 clock).
    return Apdu(0x80, 0x41, 0x00, 0x00, bytes((0x02, 0x11)), name="GET INFO")


def get_challenge_apdu() -> Apdu:
    return Apdu(0x80, 0x4B, 0x08, 0x00, b"\x00", name="GET CHALLENGE")


def external_auth_apdu(challenge: bytes, key: bytes = TRANSPORT_KEY) -> Apdu:
    if len(challenge) != 8:
        raise OperationError(f"the token sent a {len(challenge)}-byte challenge; 8 bytes were expected")
    cryptogram = sm4_ecb(key, challenge + b"\x00" * 8)
    return Apdu(0x80, 0xCE, 0x00, 0x00, cryptogram, secret_spans=((0, 16),), name="EXTERNAL AUTHENTICATE")


def config_tlv(display_timeout: int, clock: int, algorithm: Algorithm, period: int) -> bytes:
    try:
        timeout_code = DISPLAY_TIMEOUT_CODES[display_timeout]
        hmac_code = HMAC_CODES[Algorithm(algorithm)]
        step_code = STEP_CODES[period]
    except KeyError as exc:
        raise InputError(f"this token cannot hold the setting {exc.args[0]}") from None
    if not 0 <= clock < 2**32:
        raise InputError("the clock value is outside the token's range")
    return (
        bytes((0x81, 0x11, 0x1F, 0x01, timeout_code, 0x0F, 0x04)) + clock.to_bytes(4, "big")
        + bytes((0x86, 0x06, 0x0A, 0x01, hmac_code, 0x0D, 0x01, step_code))
    )


def set_config_apdu(display_timeout: int, clock: int, algorithm: Algorithm, period: int,
                    key: bytes = TRANSPORT_KEY) -> Apdu:
    body = config_tlv(display_timeout, clock, algorithm, period)
    tag = mac(key, 0xD4, 0x00, 0x00, body)
    return Apdu(0x84, 0xD4, 0x00, 0x00, body + tag, secret_spans=((len(body), len(body) + 4),), name="SET CONFIG")


def normalise_seed(secret: bytes) -> bytes:
    """Zero-pad seeds shorter than 20 bytes to 20 (identical codes, RFC 2104), check the maximum."""
    if not 1 <= len(secret) <= SEED_MAX:
        raise InputError(f"this token holds secrets of 1 to {SEED_MAX} bytes, not {len(secret)}")
    return secret + b"\x00" * (SEED_PAD_TO - len(secret)) if len(secret) < SEED_PAD_TO else secret


def set_seed_apdu(secret: bytes, key: bytes = TRANSPORT_KEY, pad_short: bool = True) -> Apdu:
    seed = normalise_seed(secret) if pad_short else secret
    if not 1 <= len(seed) <= SEED_MAX:
        raise InputError(f"this token holds secrets of 1 to {SEED_MAX} bytes, not {len(seed)}")
    cryptogram = sm4_ecb(key, pad_method2(seed, always=True))  # always pad: aligned seeds too
    tag = mac(key, 0xC5, 0x01, 0x00, cryptogram)
    return Apdu(0x84, 0xC5, 0x01, 0x00, cryptogram + tag, secret_spans=((0, len(cryptogram) + 4),), name="SET SEED")


def parse_info(data: bytes) -> tuple[str, int]:
    """Serial and clock from a GET INFO answer (`95 L 02 N serial 11 04 time`)."""
    if len(data) < 4:
        raise OperationError("the token's GET INFO answer is too short; is this a Token2-family token?")
    length = data[3]
    end = 4 + length
    if len(data) < end + 6:
        raise OperationError("the token's GET INFO answer is cut short")
    serial_bytes = data[4:end]
    if not serial_bytes.isdigit():
        raise OperationError("the token's serial number is not made of digits; is this a Token2-family token?")
    clock = int.from_bytes(data[end + 2 : end + 6], "big")
    return serial_bytes.decode("ascii"), clock


# --- session --------------------------------------------------------------------------

class AuthenticationRefusedError(OperationError):
    def __init__(self) -> None:
        super().__init__(
            "authentication refused or token locked (status 6983); do not retry with this tool "
            "until you know why: older tokens lock themselves for good after failed attempts, "
            "and a token of another make needs another key"
        )


@dataclass(frozen=True)
class Token2Credentials:
    """What authenticates to a Token2-family token: the vendor's transport key, or a key of its own."""

    transport_key: bytes = field(default=TRANSPORT_KEY, repr=False)

    def __post_init__(self) -> None:
        if len(self.transport_key) != 16:
            raise InputError("the transport key must be 16 bytes (32 hex digits)")


class Token2Session(IdentifiedSession):
    """One presentation of a Token2-family token on a reader."""

    family: ClassVar[Family] = FAMILY

    def __init__(self, channel: Channel, credentials: Token2Credentials | None = None) -> None:
        self.channel = channel
        self._key = (credentials or Token2Credentials()).transport_key
        self.authenticated = False
        self.auth_attempted = False
        self._info: TokenInfo | None = None

    def identify(self) -> TokenInfo:
        return self.get_info()

    def _send(self, apdu: Apdu) -> Response:
        response = self.channel.send(apdu)
        if response.sw == SW_AUTH_REFUSED and apdu.ins in (0xCE, 0xD4, 0xC5):
            raise AuthenticationRefusedError()
        if not response.ok:
            raise StatusWordError(response.sw, apdu.name)
        return response

    def get_info(self) -> TokenInfo:
        response = self._send(get_info_apdu())
        host_time = time.time()
        serial, clock = parse_info(response.data)
        model = model_for_serial(serial)
        self._info = TokenInfo(FAMILY, capabilities(model).model, serial, capabilities(model), clock, host_time)
        return self._info

    def read_clock_tick(self) -> ClockReading:
        """The token's time to a fraction of a second, by watching its second tick over."""
        return watch_clock_tick(self._clock_sample)

    def _clock_sample(self) -> ClockSample:
        serial = self.info.serial
        sent = time.monotonic()
        response = self._send(get_info_apdu())
        answered = time.monotonic()
        answered_serial, clock = parse_info(response.data)
        if answered_serial != serial:
            raise DifferentTokenAnsweredError(answered_serial, serial)
        return ClockSample(clock, sent, answered)

    def authenticate(self) -> None:
        """Challenge-response with the transport key. Never repeated within a session."""
        if self.authenticated:
            return
        if self.auth_attempted:
            raise OperationError("authentication already failed on this token; otpburn does not retry it")
        challenge = self._send(get_challenge_apdu()).data
        apdu = external_auth_apdu(challenge, self._key)
        self.auth_attempted = True
        self._send(apdu)
        self.authenticated = True

    def set_config(self, display_timeout: int, clock: int, algorithm: Algorithm, period: int) -> None:
        self._require_auth("SET CONFIG")
        self._send(set_config_apdu(display_timeout, clock, algorithm, period, self._key))

    def set_seed(self, secret: bytes) -> None:
        self._require_auth("SET SEED")
        self._send(set_seed_apdu(secret, self._key))

    def _require_auth(self, command: str) -> None:
        if not self.authenticated:
            raise OperationError(f"{command} needs authentication first")
