"""An emulated Token2 Molto2 (multi-profile TOTP token on USB CCID), card side.

Written from the protocol notes independently of `otpburn.tokens.molto2`: it parses every
command itself, checks MACs with the emulators' own code (sm4_card.py) and never imports the
driver. It keeps the device's attempt counter (`63 Cx`, locked at zero), 100 profiles (or 50,
as the first Molto2), the button that confirms key changes and factory resets (`press_button`),
and its memory in a JSON file written 0600 (the seeds in hex: this is a test tool).

What the public notes leave open, and this emulator assumes: the device information answer
uses the single-profile `95 L 02 N serial 11 04 time` form; each profile keeps its own clock
(set by its SET CONFIG) while the device information shows the device's own clock; a wrong
MAC answers `6988`; a request waiting for the button stays pending until pressed.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from otpburn.emulator.faults import FaultPlan
from otpburn.emulator.memory import MemoryFieldError, check_memory, hex_bytes
from otpburn.emulator.sm4_card import CLOCK_SPAN, MAX_SERIAL_DIGITS, Sm4Card
from otpburn.otp.hotp import totp
from otpburn.otp.params import Algorithm
from otpburn.untrusted import ascii_digits, utf8_encodable

FACTORY_KEY_TEXT = b"TOKEN2MOLTO1-KEY"
ATR = bytes.fromhex("3B8F8001804F0CA000000306030001000000006A")  # a CCID token's answer-to-reset (any will do)
MAX_ATTEMPTS = 10
MAX_ATTEMPTS_SETTABLE = 15  # the attempts left travel in the low 4 bits of `63 Cx`
MAX_PROFILES = 100
MAX_TITLE_BYTES = 12
_TIMEOUTS = {0x00: 15, 0x01: 30, 0x02: 60, 0x03: 120}
_HMACS = {0x01: Algorithm.SHA1, 0x02: Algorithm.SHA256}
_DIGITS = (4, 6, 8, 10)
_STEPS = (0x1E, 0x3C)

SW_OK = b"\x90\x00"
SW_BUTTON = b"\x90\x60"
SW_WRONG_LENGTH = b"\x67\x00"
SW_NOT_AUTHENTICATED = b"\x69\x82"
SW_LOCKED = b"\x69\x83"
SW_NO_CHALLENGE = b"\x69\x85"
SW_BAD_MAC = b"\x69\x88"
SW_BAD_DATA = b"\x6A\x80"
SW_EMPTY = b"\x6A\x83"
SW_NO_PROFILE = b"\x6A\x86"
SW_BAD_INS = b"\x6D\x00"
SW_BAD_CLA = b"\x6E\x00"
SW_LE_REFUSED = b"\x6F\xFB"


def derived_key(customer_key: bytes) -> str:
    return hashlib.sha1(customer_key).digest()[:16].hex()  # noqa: S324 (the device's derivation)


@dataclass
class ProfileMemory:
    title: str = ""
    seed: str | None = None  # hex
    hmac: int = 0x01
    digits: int = 6
    step: int = 0x1E
    display_timeout: int = 0x01
    clock_offset: float = 0.0  # this profile's clock minus host time
    written_at: int = 0  # the clock value of the last settings write (shown as "time A")

    def __post_init__(self) -> None:
        check_memory(self, _PROFILE_RULES)


_PROFILE_RULES: dict[str, Callable[[Any], bool]] = {
    "title": lambda title: utf8_encodable(title) and len(title.encode("utf-8")) <= MAX_TITLE_BYTES,
    "seed": hex_bytes(1, 63),
    "hmac": lambda code: code in _HMACS,
    "digits": lambda digits: digits in _DIGITS,
    "step": lambda code: code in _STEPS,
    "display_timeout": lambda code: code in _TIMEOUTS,
    "clock_offset": lambda seconds: abs(seconds) <= CLOCK_SPAN,
    "written_at": lambda clock: 0 <= clock < 2**32,
}


@dataclass
class Molto2Memory:
    serial: str = "826658710000001"
    key: str = field(default_factory=lambda: derived_key(FACTORY_KEY_TEXT))  # SHA-1(customer key)[:16], hex
    profile_count: int = 100
    clock_offset: float = 0.0  # the device's own clock minus host time
    max_attempts: int = MAX_ATTEMPTS
    attempts_left: int = MAX_ATTEMPTS
    profiles: list[ProfileMemory] = field(default_factory=list)
    pending: dict[str, str] | None = None  # a request waiting for the button: {"op": "key"|"reset", ...}
    shown_profile: int = 0  # the profile on the display
    auth_attempts: int = 0  # every EXTERNAL AUTHENTICATE received
    log: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if type(self.profiles) is not list:
            raise MemoryFieldError("profiles")
        self.profiles = [p if isinstance(p, ProfileMemory) else ProfileMemory(**p) for p in self.profiles]
        check_memory(self, _DEVICE_RULES)
        for field_name, fits in (("profiles", len(self.profiles) <= self.profile_count),
                                 ("attempts_left", self.attempts_left <= self.max_attempts),
                                 ("shown_profile", self.shown_profile < self.profile_count)):
            if not fits:
                raise MemoryFieldError(field_name)
        while len(self.profiles) < self.profile_count:
            self.profiles.append(ProfileMemory(clock_offset=self.clock_offset))

    @property
    def locked(self) -> bool:
        return self.attempts_left == 0


_DEVICE_RULES: dict[str, Callable[[Any], bool]] = {
    "serial": lambda serial: ascii_digits(serial) and len(serial) <= MAX_SERIAL_DIGITS,
    "key": hex_bytes(16, 16),
    "profile_count": lambda count: 1 <= count <= MAX_PROFILES,
    "clock_offset": lambda seconds: abs(seconds) <= CLOCK_SPAN,
    "max_attempts": lambda count: 1 <= count <= MAX_ATTEMPTS_SETTABLE,
    "attempts_left": lambda count: count >= 0,
    "pending": lambda request: request == {"op": "reset"} or (set(request) == {"op", "key"} and request["op"] == "key"
                                                              and hex_bytes(16, 16)(request["key"])),
    "shown_profile": lambda profile: profile >= 0,
    "auth_attempts": lambda count: count >= 0,
}


class Molto2Emulator(Sm4Card[Molto2Memory]):
    atr = ATR
    memory_type = Molto2Memory

    def __init__(self, memory: Molto2Memory | None = None, state_path: str | os.PathLike[str] | None = None,
                 faults: FaultPlan | None = None) -> None:
        super().__init__(memory, state_path, faults)
        self._save()

    # --- what the device shows ----------------------------------------------------------
    def clock(self, host_now: float | None = None) -> float:
        return (time.time() if host_now is None else host_now) + self.memory.clock_offset

    def profile_clock(self, profile: int, host_now: float | None = None) -> float:
        return (time.time() if host_now is None else host_now) + self.memory.profiles[profile].clock_offset

    def profile_code(self, profile: int, host_now: float | None = None) -> str | None:
        """The code the display shows for `profile`, or None when it holds no seed."""
        slot = self.memory.profiles[profile]
        if slot.seed is None:
            return None
        period = 30 if slot.step == 0x1E else 60
        return totp(bytes.fromhex(slot.seed), self.profile_clock(profile, host_now), slot.digits, period,
                    _HMACS[slot.hmac])

    def display_code(self, host_now: float | None = None) -> str | None:
        return self.profile_code(self.memory.shown_profile, host_now)

    def describe(self) -> str:
        shown = self.memory.shown_profile
        used = sum(1 for p in self.memory.profiles if p.seed is not None)
        code = self.display_code() or "- - - - - -"
        state = "LOCKED" if self.memory.locked else f"{self.memory.attempts_left} attempts left"
        waiting = f", waiting for ▲ ({self.memory.pending['op']})" if self.memory.pending else ""
        return (f"[Molto2 {self.memory.serial}] profile {shown} '{self.memory.profiles[shown].title}' shows {code}; "
                f"{used}/{self.memory.profile_count} profiles used; {state}{waiting}")

    def press_button(self) -> str | None:
        """The user presses ▲: a pending key change or factory reset is carried out. What was done, if anything."""
        with self._lock:
            pending, self.memory.pending = self.memory.pending, None
            if pending is None:
                return None
            if pending["op"] == "key":
                self.memory.key = pending["key"]
            elif pending["op"] == "reset":
                count = self.memory.profile_count
                self.memory.profiles = [ProfileMemory(clock_offset=self.memory.clock_offset) for _ in range(count)]
                self.memory.key = derived_key(FACTORY_KEY_TEXT)
                self.memory.attempts_left = self.memory.max_attempts
                self.memory.shown_profile = 0
            self._authenticated = False
            self._save()
        self._notify(pending["op"])
        return pending["op"]

    def _dispatch(self, command: bytes) -> bytes:
        cla, ins, p1, p2 = command[:4]
        has_le = False
        if len(command) == 4:
            data = b""
        elif len(command) == 5:
            data, has_le = b"", True
        else:
            lc = command[4]
            if len(command) not in (5 + lc, 6 + lc):
                return SW_WRONG_LENGTH
            data, has_le = command[5:5 + lc], len(command) == 6 + lc
        handlers = {
            (0x80, 0x41): self._info,
            (0x80, 0x4B): self._challenge_cmd,
            (0x80, 0xCE): self._authenticate,
            (0x80, 0xE6): self._delete,
            (0x80, 0x56): self._factory_reset,
            (0x84, 0xC5): self._set_seed,
            (0x84, 0xD5): self._set_title,
            (0x84, 0xD4): self._set_config,
            (0x84, 0xD7): self._change_key,
        }
        handler = handlers.get((cla, ins))
        if handler is None:
            return SW_BAD_CLA if cla not in (0x80, 0x84) else SW_BAD_INS
        self.memory.log.append(handler.__name__.strip("_"))
        del self.memory.log[:-200]
        answer = handler(p1, p2, data, has_le)
        self._save()
        return answer

    # --- plain commands -----------------------------------------------------------------
    def _info(self, p1: int, p2: int, data: bytes, has_le: bool) -> bytes:
        if data == b"\x70":
            if has_le:
                return SW_LE_REFUSED
            if p2 >= self.memory.profile_count:
                return SW_NO_PROFILE
            return self._public_block(p2) + SW_OK
        if data or p2:
            return SW_BAD_DATA
        serial = self.memory.serial.encode()
        body = bytes((0x02, len(serial))) + serial + b"\x11\x04" + int(self.clock()).to_bytes(4, "big")
        return bytes((0x95, len(body))) + body + SW_OK

    def _public_block(self, number: int) -> bytes:
        slot = self.memory.profiles[number]
        title = slot.title.encode("utf-8").ljust(16, b"\x00")
        present = slot.seed is not None
        block = (bytes((0x20 if present else 0x00,)) + title + slot.written_at.to_bytes(4, "big")
                 + int(self.profile_clock(number)).to_bytes(4, "big")
                 + bytes((slot.hmac, slot.step, slot.digits, 0x01 if present else 0x00)))
        return b"\x95\x1F\x70\x1D" + block

    def _delete(self, p1: int, p2: int, data: bytes, has_le: bool) -> bytes:
        if p2 >= self.memory.profile_count:
            return SW_NO_PROFILE
        slot = self.memory.profiles[p2]
        if slot.seed is None:
            return SW_EMPTY
        slot.seed = None  # the title survives: titles and seeds live apart
        self._notify(f"profile {p2} seed deleted")
        return SW_OK

    def _factory_reset(self, p1: int, p2: int, data: bytes, has_le: bool) -> bytes:
        self.memory.pending = {"op": "reset"}
        self._notify("factory reset requested")
        return SW_BUTTON

    def _challenge_cmd(self, p1: int, p2: int, data: bytes, has_le: bool) -> bytes:
        if p1 != 0x08:
            return SW_NO_PROFILE
        self._challenge = secrets.token_bytes(8)
        return self._challenge + SW_OK

    def _authenticate(self, p1: int, p2: int, data: bytes, has_le: bool) -> bytes:
        self.memory.auth_attempts += 1
        challenge, self._challenge = self._challenge, None  # one try per challenge
        if self.memory.locked:
            return SW_LOCKED
        if challenge is None:
            return SW_NO_CHALLENGE
        if len(data) != 16:
            return SW_WRONG_LENGTH
        if not secrets.compare_digest(data, self._ecb(challenge + bytes(8))):
            self.memory.attempts_left -= 1
            self._notify("wrong customer key")
            return bytes((0x63, 0xC0 | self.memory.attempts_left))
        self.memory.attempts_left = self.memory.max_attempts
        self._authenticated = True
        return SW_OK

    # --- secure commands ----------------------------------------------------------------
    def _checked(self, ins: int, p1: int, p2: int, data: bytes) -> tuple[bytes | None, bytes | None]:
        """(body, None) when authenticated and the MAC holds, else (None, the status word)."""
        if not self._authenticated:
            return None, SW_NOT_AUTHENTICATED
        body = self._mac_body(ins, p1, p2, data)
        if body is None:
            return None, SW_WRONG_LENGTH if len(data) < 5 else SW_BAD_MAC
        return body, None

    def _set_seed(self, p1: int, p2: int, data: bytes, has_le: bool) -> bytes:
        if p1 != 0x01 or p2 >= self.memory.profile_count:
            return SW_NO_PROFILE
        body, refusal = self._checked(0xC5, p1, p2, data)
        if body is None:
            return refusal or SW_BAD_DATA
        if not body or len(body) % 16 or len(body) > 64:
            return SW_WRONG_LENGTH
        seed = _unpad(self._ecb_decrypt(body))
        if not 1 <= len(seed) <= 63:
            return SW_BAD_DATA
        self.memory.profiles[p2].seed = seed.hex()
        self.memory.shown_profile = p2
        self._notify(f"profile {p2} seed")
        return SW_OK

    def _set_title(self, p1: int, p2: int, data: bytes, has_le: bool) -> bytes:
        if p2 >= self.memory.profile_count:
            return SW_NO_PROFILE
        body, refusal = self._checked(0xD5, p1, p2, data)
        if body is None:
            return refusal or SW_BAD_DATA
        if len(body) != 16:
            return SW_WRONG_LENGTH
        plain = self._ecb_decrypt(body)
        title = _unpad(plain) if plain.rstrip(b"\x00").endswith(b"\x80") else b""
        if not title or len(title) > MAX_TITLE_BYTES:
            return SW_BAD_DATA
        try:
            self.memory.profiles[p2].title = title.decode("utf-8")
        except UnicodeDecodeError:
            return SW_BAD_DATA
        self._notify(f"profile {p2} title")
        return SW_OK

    def _set_config(self, p1: int, p2: int, data: bytes, has_le: bool) -> bytes:
        if p1 != 0x01 or p2 >= self.memory.profile_count:
            return SW_NO_PROFILE
        body, refusal = self._checked(0xD4, p1, p2, data)
        if body is None:
            return refusal or SW_BAD_DATA
        slot = self.memory.profiles[p2]
        if len(body) == 8 and body[:4] == b"\x81\x06\x0F\x04":  # clock only
            clock = int.from_bytes(body[4:8], "big")
        elif (len(body) == 22 and body[:4] == b"\x81\x14\x1F\x01" and body[5:7] == b"\x0F\x04"
              and body[11:15] == b"\x86\x09\x0A\x01" and body[16:18] == b"\x0B\x01" and body[19:21] == b"\x0D\x01"):
            timeout, hmac_code, digits, step = body[4], body[15], body[18], body[21]
            if timeout not in _TIMEOUTS or hmac_code not in _HMACS or digits not in _DIGITS or step not in _STEPS:
                return SW_BAD_DATA
            clock = int.from_bytes(body[7:11], "big")
            slot.display_timeout, slot.hmac, slot.digits, slot.step = timeout, hmac_code, digits, step
        else:
            return SW_BAD_DATA
        slot.clock_offset = clock - time.time()
        slot.written_at = clock
        self.memory.shown_profile = p2
        self._notify(f"profile {p2} settings")
        return SW_OK

    def _change_key(self, p1: int, p2: int, data: bytes, has_le: bool) -> bytes:
        body, refusal = self._checked(0xD7, p1, p2, data)
        if body is None:
            return refusal or SW_BAD_DATA
        if len(body) != 32:
            return SW_WRONG_LENGTH
        plain = self._ecb_decrypt(body)
        if plain[0] != 0x00 or plain[17:] != b"\x80" + bytes(14):
            return SW_BAD_DATA
        self.memory.pending = {"op": "key", "key": plain[1:17].hex()}
        self._notify("customer key change requested")
        return SW_BUTTON


def _unpad(plain: bytes) -> bytes:
    """Strip a final `80 00…` inside the last block; a block-aligned seed arrives without one."""
    stripped = plain.rstrip(b"\x00")
    if stripped.endswith(b"\x80") and len(plain) - len(stripped) < 16:
        return stripped[:-1]
    return plain
