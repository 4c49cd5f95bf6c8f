"""Token2 Molto2 / Molto2v2: up to 100 TOTP profiles on one USB CCID token (protocols.md §1.13).

The same SM4 family as the single-profile tokens, with rules of its own: the key is derived
from a changeable customer key (SHA-1, first 16 bytes); a failed authentication answers
`63 Cx` with the attempts left before the device locks; seeds are padded only when not
block-aligned; each profile has its own settings (with a digits tag) and title; a profile's
seed can be deleted without any key; key changes and factory resets wait for the button.

Safety: authentication is sent once per token per process. After a refusal this process
never authenticates to that token again, and with one attempt left it does not authenticate
at all unless the caller says the user accepted the risk.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from otpburn.errors import InputError, OperationError, Remedy
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

FAMILY = Family.MOLTO2
MODEL = "Molto2"
FACTORY_CUSTOMER_KEY = b"TOKEN2MOLTO1-KEY"
PROFILES = 100  # Molto2v2; the first Molto2 holds 50 (the device refuses the numbers beyond)
SEED_MAX = 63
TITLE_MAX = 12  # UTF-8 bytes
HMAC_CODES = {Algorithm.SHA1: 0x01, Algorithm.SHA256: 0x02}
DIGIT_CODES = {4: 0x04, 6: 0x06, 8: 0x08, 10: 0x0A}
STEP_CODES = {30: 0x1E, 60: 0x3C}
SW_AWAITING_BUTTON = 0x9060  # accepted; done once the user presses the token's ▲ button
SW_NOTHING_THERE = 0x6A83  # delete of an empty profile
SW_PROFILE_REFUSED = (0x6A86, 0x6B00, 0x6A82)  # a profile number the device does not have
SW_LOCKED = 0x6983
INS_INFO, INS_CHALLENGE, INS_AUTH, INS_DELETE, INS_RESET = 0x41, 0x4B, 0xCE, 0xE6, 0x56
INS_SEED, INS_TITLE, INS_CONFIG, INS_CHANGE_KEY = 0xC5, 0xD5, 0xD4, 0xD7

CAPABILITIES = Capabilities(
    family=FAMILY,
    model=MODEL,
    types=frozenset({OtpType.TOTP}),
    algorithms=frozenset(HMAC_CODES),
    digits=frozenset(DIGIT_CODES),
    periods=frozenset(STEP_CODES),
    secret_min=1,
    secret_max=SEED_MAX,
    clock_readable=True,
    clock_settable=True,
    time_write_wipes_seed=False,
    computes_codes=False,
    credential_slots=PROFILES,
    manufacturer="Token2",
    display_timeouts=frozenset(DISPLAY_TIMEOUT_CODES),
)

_MOLTO_WORD = re.compile(r"molto", re.IGNORECASE)


def is_molto2_reader(reader_name: str) -> bool:
    """A Molto2 is a CCID reader of its own named after the product ("TOKEN2 Molto2 [CCID Interface] 00 00").

    Only the product word counts: Token2's FIDO keys and its NFC reader carry the brand too.
    """
    return bool(_MOLTO_WORD.search(reader_name))


# --- keys ---------------------------------------------------------------------------------

def sm4_key(customer_key: bytes) -> bytes:
    """The device's SM4 key: the first 16 bytes of SHA-1 over the customer key."""
    if not customer_key:
        raise InputError("the customer key is empty")
    return hashlib.sha1(customer_key).digest()[:16]  # noqa: S324 (the device's key derivation, not our choice)


_HEX_KEY = re.compile(r"[0-9A-Fa-f]{32}")


def parse_customer_key(text: str) -> bytes:
    """A customer key as people write it: the text (`TOKEN2MOLTO1-KEY`) or its 32 hex digits.

    `ascii:` or `hex:` in front says which, for a text key that happens to be 32 hex digits.
    """
    text = text.strip("\r\n")
    if text.startswith("hex:"):
        try:
            key = bytes.fromhex(text[4:].replace(" ", ""))
        except ValueError:
            raise InputError("the customer key after 'hex:' is not hexadecimal") from None
    elif text.startswith("ascii:"):
        key = text[6:].encode("utf-8")
    elif _HEX_KEY.fullmatch(text):
        key = bytes.fromhex(text)
    else:
        key = text.encode("utf-8")
    if not key:
        raise InputError("the customer key is empty")
    return key


# --- encoders (pure functions, checked against known answers and the emulator) ------------

def device_info_apdu() -> Apdu:
    return Apdu(0x80, INS_INFO, 0x00, 0x00, le=0x00, name="GET INFO")


def profile_info_apdu(profile: int) -> Apdu:
    # Case 3 only: the device refuses this read with an Le (6FFB).
    return Apdu(0x80, INS_INFO, 0x00, _profile_byte(profile), b"\x70", name="GET PROFILE")


def delete_apdu(profile: int) -> Apdu:
    return Apdu(0x80, INS_DELETE, 0x00, _profile_byte(profile), le=0x00, name="DELETE PROFILE SEED")


def challenge_apdu() -> Apdu:
    return Apdu(0x80, INS_CHALLENGE, 0x08, 0x00, le=0x00, name="GET CHALLENGE")


def auth_apdu(challenge: bytes, key: bytes) -> Apdu:
    if len(challenge) != 8:
        raise OperationError(f"the token sent a {len(challenge)}-byte challenge; 8 bytes were expected")
    return Apdu(0x80, INS_AUTH, 0x00, 0x00, sm4_ecb(key, challenge + bytes(8)), secret_spans=((0, 16),),
                name="EXTERNAL AUTHENTICATE")


def pad_seed(seed: bytes) -> bytes:
    """80 00… only when the seed is not already a multiple of 16 bytes (unlike the single-profile tokens)."""
    if not 1 <= len(seed) <= SEED_MAX:
        raise InputError(f"a Molto2 profile holds secrets of 1 to {SEED_MAX} bytes, not {len(seed)}")
    return pad_method2(seed, always=False)


def _secure(ins: int, p1: int, p2: int, body: bytes, key: bytes, name: str, secret_body: bool) -> Apdu:
    tag = command_mac(key, ins, p1, p2, body)
    spans = ((0, len(body) + 4),) if secret_body else ((len(body), len(body) + 4),)
    return Apdu(0x84, ins, p1, p2, body + tag, secret_spans=spans, name=name)


def seed_apdu(profile: int, seed: bytes, key: bytes) -> Apdu:
    return _secure(INS_SEED, 0x01, _profile_byte(profile), sm4_ecb(key, pad_seed(seed)), key, "SET SEED", True)


def encode_title(title: str) -> bytes:
    raw = title.encode("utf-8")
    if len(raw) > TITLE_MAX:
        raise InputError(f"a Molto2 title holds {TITLE_MAX} bytes of UTF-8; {title!r} takes {len(raw)}")
    return pad_method2(raw, always=True)  # always one 16-byte block


def title_apdu(profile: int, title: str, key: bytes) -> Apdu:
    return _secure(INS_TITLE, 0x00, _profile_byte(profile), sm4_ecb(key, encode_title(title)), key, "SET TITLE",
                   False)


def config_tlv(display_timeout: int, clock: int, algorithm: Algorithm, digits: int, period: int) -> bytes:
    try:
        timeout_code = DISPLAY_TIMEOUT_CODES[display_timeout]
        hmac_code = HMAC_CODES[Algorithm(algorithm)]
        digits_code = DIGIT_CODES[digits]
        step_code = STEP_CODES[period]
    except KeyError as exc:
        raise InputError(f"a Molto2 profile cannot hold the setting {exc.args[0]}") from None
    return (bytes((0x81, 0x14, 0x1F, 0x01, timeout_code)) + _clock_tlv(clock)
            + bytes((0x86, 0x09, 0x0A, 0x01, hmac_code, 0x0B, 0x01, digits_code, 0x0D, 0x01, step_code)))


def _clock_tlv(clock: int) -> bytes:
    if not 0 <= clock < 2**32:
        raise InputError("the clock value is outside the token's range")
    return b"\x0F\x04" + clock.to_bytes(4, "big")


def config_apdu(profile: int, display_timeout: int, clock: int, algorithm: Algorithm, digits: int, period: int,
                key: bytes) -> Apdu:
    body = config_tlv(display_timeout, clock, algorithm, digits, period)
    return _secure(INS_CONFIG, 0x01, _profile_byte(profile), body, key, "SET CONFIG", False)


def clock_apdu(profile: int, clock: int, key: bytes) -> Apdu:
    """The clock-only form of SET CONFIG: one profile's time, its settings left alone."""
    return _secure(INS_CONFIG, 0x01, _profile_byte(profile), b"\x81\x06" + _clock_tlv(clock), key, "SET CLOCK",
                   False)


def change_key_apdu(new_customer_key: bytes, key: bytes) -> Apdu:
    block = b"\x00" + sm4_key(new_customer_key) + b"\x80" + bytes(14)
    return _secure(INS_CHANGE_KEY, 0x00, 0x00, sm4_ecb(key, block), key, "SET CUSTOMER KEY", True)


def factory_reset_apdu() -> Apdu:
    return Apdu(0x80, INS_RESET, 0x00, 0x00, le=0x00, name="FACTORY RESET")


def _profile_byte(profile: int) -> int:
    if not 0 <= profile < PROFILES:
        raise InputError(f"Molto2 profiles are numbered 0 to {PROFILES - 1}, not {profile}")
    return profile


# --- parsers ------------------------------------------------------------------------------

def parse_device_info(data: bytes) -> tuple[str, int]:
    """Serial and clock: the serial's length at byte 3, the serial, 2 bytes, the clock (u32 BE)."""
    if len(data) < 4:
        raise OperationError("the token's device information is too short; is this a Molto2?")
    end = 4 + data[3]
    if data[3] == 0 or len(data) < end + 6:
        raise OperationError("the token's device information is cut short; is this a Molto2?")
    serial = data[4:end]
    if not serial.isalnum() or not serial.isascii():
        raise OperationError("the token's serial number is not printable; is this a Molto2?")
    return serial.decode("ascii"), int.from_bytes(data[end + 2:end + 6], "big")


@dataclass(frozen=True)
class Profile:
    """One profile's public block, readable without the key. Only `occupied` is reliable for empty slots."""

    number: int
    occupied: bool
    title: str
    algorithm: Algorithm | None
    period: int
    digits: int
    flag: int = 0

    def as_dict(self) -> dict[str, object]:
        return {"profile": self.number, "occupied": self.occupied, "title": self.title,
                "algorithm": self.algorithm.value if self.algorithm else None, "period": self.period,
                "digits": self.digits}


_ALGORITHMS = {code: algorithm for algorithm, code in HMAC_CODES.items()}


def parse_profile(number: int, data: bytes) -> Profile:
    if len(data) != 33 or data[:4] != b"\x95\x1F\x70\x1D":
        raise OperationError(f"profile {number}'s public block is not in the Molto2 layout")
    block = data[4:]
    title = block[1:17].split(b"\x00", 1)[0].decode("utf-8", errors="replace")
    return Profile(number, occupied=block[28] == 0x01, title=title, algorithm=_ALGORITHMS.get(block[25]),
                   period=block[26], digits=block[27], flag=block[0])


# --- errors -------------------------------------------------------------------------------

class WrongCustomerKeyError(OperationError):
    """The device refused the customer key (`63 Cx`); `remaining` attempts are left before it locks."""

    def __init__(self, serial: str, remaining: int) -> None:
        self.serial, self.remaining = serial, remaining
        attempts = "1 attempt remains" if remaining == 1 else f"{remaining} attempts remain"
        super().__init__(f"the Molto2 {serial} refused the customer key: {attempts} before it locks for good. "
                         "otpburn does not try again; find the right key first",
                         remedy=Remedy.CUSTOMER_KEY)


class DeviceLockedError(OperationError):
    def __init__(self, serial: str) -> None:
        self.serial = serial
        super().__init__(f"the Molto2 {serial} is locked after too many wrong customer keys; only a factory reset "
                         "(which erases every profile) makes it usable again")


class AlreadyRefusedError(OperationError):
    """This process already had a customer key refused by this device: it never authenticates to it again."""

    def __init__(self, serial: str, remaining: int) -> None:
        self.serial, self.remaining = serial, remaining
        super().__init__(f"the Molto2 {serial} already refused a customer key in this run ({remaining} attempts "
                         "left); otpburn does not try again in the same run")


class LastAttemptError(OperationError):
    """One attempt is left: a wrong key now locks the device, so authentication needs explicit consent."""

    def __init__(self, serial: str) -> None:
        self.serial = serial
        super().__init__(f"the Molto2 {serial} has one authentication attempt left: a wrong customer key now locks "
                         "it for good", remedy=Remedy.LAST_ATTEMPT)


class ButtonNotPressedError(OperationError):
    def __init__(self, what: str) -> None:
        self.what = what
        super().__init__(f"the {what} was not confirmed on the token (its ▲ button was not pressed in time); "
                         "if you press it now, the token still carries it out")


class ProfileEmptyError(InputError):
    def __init__(self, profile: int) -> None:
        self.profile = profile
        super().__init__(f"profile {profile} holds no seed; nothing was deleted")


# Serials whose device refused a key in this process, with the attempts it said were left.
_REFUSED_IN_THIS_PROCESS: dict[str, int] = {}


# --- session ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Molto2Credentials:
    """The customer key, asked for (`customer_key()`) only when a write needs it, and whether the user agreed
    to spend the last authentication attempt (a wrong key then locks the device for good)."""

    customer_key: Callable[[], bytes] | None = field(default=None, repr=False)
    last_attempt_accepted: bool = False


class Molto2Session(IdentifiedSession):
    """One connection to a Molto2. Plain reads need no key; writes need `authenticate` first."""

    family: ClassVar[Family] = FAMILY

    def __init__(self, channel: Channel, credentials: Molto2Credentials | None = None) -> None:
        self.channel = channel
        self.credentials = credentials or Molto2Credentials()
        self._key: bytes | None = None
        self._info: TokenInfo | None = None
        self.profile_count = PROFILES
        self._clock_reading: ClockReading | None = None

    @property
    def authenticated(self) -> bool:
        return self._key is not None

    def identify(self) -> TokenInfo:
        info = self.get_info()
        self.profile(0)  # the public block answers in the Molto2 layout, or this is something else
        return info

    def _send(self, apdu: Apdu, allowed: tuple[int, ...] = ()) -> Response:
        response = self.channel.send(apdu)
        if not response.ok and response.sw not in allowed:
            raise StatusWordError(response.sw, apdu.name)
        return response

    def get_info(self) -> TokenInfo:
        response = self._send(device_info_apdu())
        host_time = time.time()
        serial, clock = parse_device_info(response.data)
        self._info = TokenInfo(FAMILY, MODEL, serial, CAPABILITIES, clock, host_time)
        return self._info

    def read_clock_tick(self) -> ClockReading:
        """The device's time to a fraction of a second; watched once per connection (the profiles of one
        fill share it: a reading ties the device's clock to the host's monotonic clock)."""
        if self._clock_reading is None:
            self._clock_reading = watch_clock_tick(self._clock_sample)
        return self._clock_reading

    def _clock_sample(self) -> ClockSample:
        sent = time.monotonic()
        response = self._send(device_info_apdu())
        answered = time.monotonic()
        serial, clock = parse_device_info(response.data)
        if serial != self.info.serial:
            raise DifferentTokenAnsweredError(serial, self.info.serial)
        return ClockSample(clock, sent, answered)

    # --- plain (keyless) commands ------------------------------------------------------
    def profile(self, number: int) -> Profile:
        return parse_profile(number, self._send(profile_info_apdu(number)).data)

    def profiles(self) -> list[Profile]:
        """Every profile's public block; the first number the device refuses ends the list (50 on a Molto2 v1)."""
        found = []
        for number in range(PROFILES):
            response = self._send(profile_info_apdu(number), allowed=SW_PROFILE_REFUSED)
            if not response.ok:
                if number == 0:
                    raise StatusWordError(response.sw, "GET PROFILE")
                break
            found.append(parse_profile(number, response.data))
        self.profile_count = len(found)
        return found

    def delete(self, number: int) -> None:
        """Delete one profile's seed (the device asks for no key; its title stays)."""
        response = self._send(delete_apdu(number), allowed=(SW_NOTHING_THERE,))
        if response.sw == SW_NOTHING_THERE:
            raise ProfileEmptyError(number)

    def factory_reset(self) -> bool:
        """Ask for a factory reset; True when the device waits for its button (`9060`)."""
        return self._send(factory_reset_apdu(), allowed=(SW_AWAITING_BUTTON,)).sw == SW_AWAITING_BUTTON

    # --- authentication ----------------------------------------------------------------
    def authenticate(self, customer_key: bytes, *, known_remaining: int | None = None,
                     last_attempt_accepted: bool = False) -> None:
        """Challenge-response with the key derived from `customer_key`: at most once per device and process.

        `known_remaining`: the attempts the device said were left when it last refused a key
        (remembered by the caller across runs). With one left, authentication needs
        `last_attempt_accepted`.
        """
        if self._key is not None:
            return
        serial = self.info.serial
        if serial in _REFUSED_IN_THIS_PROCESS:
            raise AlreadyRefusedError(serial, _REFUSED_IN_THIS_PROCESS[serial])
        if known_remaining == 0:
            raise DeviceLockedError(serial)
        if known_remaining == 1 and not last_attempt_accepted:
            raise LastAttemptError(serial)
        key = sm4_key(customer_key)
        challenge = self._send(challenge_apdu()).data
        response = self.channel.send(auth_apdu(challenge, key))
        if response.ok:
            self._key = key
            return
        if response.sw1 == 0x63 and response.sw2 & 0xF0 == 0xC0:
            remaining = response.sw2 & 0x0F
            _REFUSED_IN_THIS_PROCESS[serial] = remaining
            if remaining == 0:
                raise DeviceLockedError(serial)
            raise WrongCustomerKeyError(serial, remaining)
        _REFUSED_IN_THIS_PROCESS[serial] = 0
        if response.sw == SW_LOCKED:
            raise DeviceLockedError(serial)
        raise StatusWordError(response.sw, "EXTERNAL AUTHENTICATE")

    def forget_key(self) -> None:
        """Authenticate afresh next time (after a customer-key change)."""
        self._key = None

    def _need_key(self) -> bytes:
        if self._key is None:
            raise OperationError("this Molto2 command needs the customer key first")
        return self._key

    # --- secure commands ---------------------------------------------------------------
    def set_config(self, number: int, display_timeout: int, clock: int, algorithm: Algorithm, digits: int,
                   period: int) -> None:
        self._send(config_apdu(number, display_timeout, clock, algorithm, digits, period, self._need_key()))

    def set_clock(self, number: int, clock: int) -> None:
        self._send(clock_apdu(number, clock, self._need_key()))

    def set_title(self, number: int, title: str) -> None:
        self._send(title_apdu(number, title, self._need_key()))

    def set_seed(self, number: int, seed: bytes) -> None:
        self._send(seed_apdu(number, seed, self._need_key()))

    def change_key(self, new_customer_key: bytes) -> bool:
        """Ask for a new customer key; True when the device waits for its button (`9060`)."""
        apdu = change_key_apdu(new_customer_key, self._need_key())
        return self._send(apdu, allowed=(SW_AWAITING_BUTTON,)).sw == SW_AWAITING_BUTTON


def allow_one_more_attempt(serial: str) -> None:
    """The user chose, explicitly, to try another customer key on this device (the window's dialog, which shows
    the attempts left): the next authentication in this process is allowed once. Never called on its own."""
    _REFUSED_IN_THIS_PROCESS.pop(serial, None)


def forget_refusals() -> None:
    """For tests that play several runs in one process: forget which devices refused a key."""
    _REFUSED_IN_THIS_PROCESS.clear()
