"""An emulated Token2-family single-profile TOTP token, card side.

Written from the protocol notes independently of `otpburn.tokens.token2`: it parses
commands itself and never imports the driver, so a driver bug cannot hide behind the
same bug here. Its non-volatile memory can live in a JSON file (the seed in hex, as
the chip holds it: this is a test tool).
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from otpburn.emulator.faults import FaultPlan
from otpburn.emulator.memory import check_memory, hex_bytes
from otpburn.emulator.sm4_card import CLOCK_SPAN, MAX_SERIAL_DIGITS, Sm4Card
from otpburn.otp.hotp import totp
from otpburn.otp.params import Algorithm
from otpburn.untrusted import ascii_digits

VENDOR_KEY = "8AD206883CA369482AB27182B6E83224"
ATR = bytes.fromhex("3B80800101")  # contactless pseudo-ATR with no historical bytes

# The emulated models by name -> serial prefix; the first three keep their seed on a clock write.
MODEL_PREFIXES = {
    "OTPC-P1-i": "8659612", "miniOTP-2-i": "8659600", "C302-i": "8659632",
    "OTPC-P2-i": "8659622", "OTPC-P2-i-NB": "8659621", "miniOTP-3-i": "8659601",
    "miniOTP-3-i-NB": "8659609", "C301-i": "8659610",
}
_KEEPS_SEED_PREFIXES = ("8659612", "8659600", "8659632")
_TIMEOUT_SECONDS = {0x00: 15, 0x01: 30, 0x02: 60, 0x03: 120}
MAX_DRIFT_PPM = 1_000_000  # a clock at twice the speed, or stopped; a real one drifts by tens
_HMACS = {0x01: Algorithm.SHA1, 0x02: Algorithm.SHA256}
_STEPS = {0x1E: 30, 0x3C: 60}

SW_OK = b"\x90\x00"
SW_WRONG_LENGTH = b"\x67\x00"
SW_SECURITY = b"\x69\x82"
SW_AUTH_FAILED = b"\x69\x83"
SW_CONDITIONS = b"\x69\x85"
SW_BAD_DATA = b"\x6A\x80"
SW_BAD_P1P2 = b"\x6A\x86"
SW_NOT_FOUND = b"\x6A\x82"
SW_BAD_INS = b"\x6D\x00"
SW_BAD_CLA = b"\x6E\x00"


@dataclass
class Token2Memory:
    """The token's non-volatile state."""

    serial: str = "8659622000001"
    key: str = VENDOR_KEY
    seed: str | None = None  # hex
    hmac: int = 0x01
    step: int = 0x1E
    display_timeout: int = 0x01
    clock_offset: float = 0.0  # token clock minus host clock at `clock_set_at`
    clock_set_at: float = 0.0
    drift_ppm: float = 0.0
    lockout_after: int | None = None  # older firmware: lock after N failed authentications
    failed_auths: int = 0
    locked: bool = False
    auth_attempts: int = 0  # every EXTERNAL AUTHENTICATE received, for tests and --show
    log: list[str] = field(default_factory=list)  # names of the commands received, in order

    def __post_init__(self) -> None:
        check_memory(self, _MEMORY_RULES)


_MEMORY_RULES: dict[str, Callable[[Any], bool]] = {
    "serial": lambda serial: ascii_digits(serial) and len(serial) <= MAX_SERIAL_DIGITS,
    "key": hex_bytes(16, 16),
    "seed": hex_bytes(1, 63),
    "hmac": lambda code: code in _HMACS,
    "step": lambda code: code in _STEPS,
    "display_timeout": lambda code: code in _TIMEOUT_SECONDS,
    "clock_offset": lambda seconds: abs(seconds) <= CLOCK_SPAN,
    "clock_set_at": lambda seconds: 0 <= seconds <= CLOCK_SPAN,
    "drift_ppm": lambda ppm: abs(ppm) <= MAX_DRIFT_PPM,
    "lockout_after": lambda count: count >= 1,
    "failed_auths": lambda count: count >= 0,
    "auth_attempts": lambda count: count >= 0,
}


class Token2Emulator(Sm4Card[Token2Memory]):
    atr = ATR
    memory_type = Token2Memory

    def __init__(self, memory: Token2Memory | None = None, state_path: str | os.PathLike[str] | None = None,
                 faults: FaultPlan | None = None) -> None:
        super().__init__(memory, state_path, faults)
        if not self.memory.clock_set_at:
            self.memory.clock_set_at = time.time()
        self._save()

    # --- what the token would show -------------------------------------------------
    @property
    def keeps_seed_on_time_write(self) -> bool:
        return self.memory.serial.startswith(_KEEPS_SEED_PREFIXES)

    def clock(self, host_now: float | None = None) -> float:
        now = time.time() if host_now is None else host_now
        elapsed = now - self.memory.clock_set_at
        return now + self.memory.clock_offset + elapsed * self.memory.drift_ppm * 1e-6

    def display_code(self, host_now: float | None = None) -> str | None:
        """The six digits on the display now, or None when no seed is stored (it shows dashes)."""
        if self.memory.seed is None:
            return None
        return totp(bytes.fromhex(self.memory.seed), self.clock(host_now), 6, _STEPS[self.memory.step],
                    _HMACS[self.memory.hmac])

    def describe(self) -> str:
        code = self.display_code()
        shown = f"{code[:3]} {code[3:]}" if code else "- - - - - -"
        clock = time.strftime('%H:%M:%S', time.gmtime(self.clock()))
        return (f"[{self.memory.serial}] display {shown}  clock {clock} UTC  "
                f"{_HMACS[self.memory.hmac].value}/{_STEPS[self.memory.step]}s")

    # --- card interface ----------------------------------------------------------------
    def _dispatch(self, command: bytes) -> bytes:
        cla, ins, p1, p2 = command[:4]
        if len(command) <= 5:
            data = b""
        else:
            lc = command[4]
            if len(command) not in (5 + lc, 6 + lc):
                return SW_WRONG_LENGTH
            data = command[5 : 5 + lc]
        handlers = {
            (0x80, 0x41): self._get_info,
            (0x80, 0x4B): self._get_challenge,
            (0x80, 0xCE): self._external_auth,
            (0x84, 0xD4): self._set_config,
            (0x84, 0xC5): self._set_seed,
            (0x00, 0xA4): self._select,
        }
        handler = handlers.get((cla, ins))
        if handler is None:
            return SW_BAD_CLA if cla not in (0x00, 0x80, 0x84) else SW_BAD_INS
        self.memory.log.append(handler.__name__.strip("_"))
        del self.memory.log[:-50]
        answer = handler(p1, p2, data)
        self._save()
        return answer

    def _select(self, p1: int, p2: int, data: bytes) -> bytes:
        # Some hosts select B0 00 00 00 00 23 first; the token answers 9000 to it.
        return SW_OK if data == bytes.fromhex("B00000000023") else SW_NOT_FOUND

    def _get_info(self, p1: int, p2: int, data: bytes) -> bytes:
        body = b""
        for tag in data or b"\x02\x11":
            if tag == 0x02:
                serial = self.memory.serial.encode()
                body += bytes((0x02, len(serial))) + serial
            elif tag == 0x11:
                body += b"\x11\x04" + int(self.clock()).to_bytes(4, "big")
        return bytes((0x95, len(body))) + body + SW_OK

    def _get_challenge(self, p1: int, p2: int, data: bytes) -> bytes:
        if p1 != 0x08:
            return SW_BAD_P1P2
        self._challenge = secrets.token_bytes(8)
        return self._challenge + SW_OK

    def _external_auth(self, p1: int, p2: int, data: bytes) -> bytes:
        self.memory.auth_attempts += 1
        challenge, self._challenge = self._challenge, None  # a challenge is good for one try
        if self.memory.locked:
            return SW_AUTH_FAILED
        if challenge is None:
            return SW_CONDITIONS
        if len(data) != 16:
            return SW_WRONG_LENGTH
        if not secrets.compare_digest(data, self._ecb(challenge + bytes(8))):
            self.memory.failed_auths += 1
            if self.memory.lockout_after and self.memory.failed_auths >= self.memory.lockout_after:
                self.memory.locked = True
            return SW_AUTH_FAILED
        self._authenticated = True
        return SW_OK

    def _set_config(self, p1: int, p2: int, data: bytes) -> bytes:
        if not self._authenticated:
            return SW_SECURITY
        body = self._mac_body(0xD4, p1, p2, data)
        if body is None:
            return SW_AUTH_FAILED
        if (len(body) != 19 or body[:4] != b"\x81\x11\x1F\x01" or body[5:7] != b"\x0F\x04"
                or body[11:15] != b"\x86\x06\x0A\x01" or body[16:18] != b"\x0D\x01"):
            return SW_BAD_DATA
        timeout, hmac_code, step = body[4], body[15], body[18]
        if timeout not in _TIMEOUT_SECONDS or hmac_code not in _HMACS or step not in _STEPS:
            return SW_BAD_DATA
        now = time.time()
        self.memory.clock_offset = int.from_bytes(body[7:11], "big") - now
        self.memory.clock_set_at = now
        self.memory.display_timeout, self.memory.hmac, self.memory.step = timeout, hmac_code, step
        if not self.keeps_seed_on_time_write:
            self.memory.seed = None  # restricted time-sync models erase the seed
        self._notify("config")
        return SW_OK

    def _set_seed(self, p1: int, p2: int, data: bytes) -> bytes:
        if p1 != 0x01:
            return SW_BAD_P1P2
        if not self._authenticated:
            return SW_SECURITY
        body = self._mac_body(0xC5, p1, p2, data)
        if body is None:
            return SW_AUTH_FAILED
        if not body or len(body) % 16 or len(body) > 64:
            return SW_WRONG_LENGTH
        plain = self._ecb_decrypt(body).rstrip(b"\x00")
        if not plain.endswith(b"\x80"):
            return SW_BAD_DATA  # unpadded seeds are rejected
        seed = plain[:-1]
        if not 1 <= len(seed) <= 63:
            return SW_BAD_DATA
        self.memory.seed = seed.hex()
        self._notify("seed")
        return SW_OK
