"""HOTP (RFC 4226) and TOTP (RFC 6238), and the code windows shown to users."""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

from otpburn.errors import InputError
from otpburn.otp.params import MAX_COUNTER, Algorithm, OtpParams, OtpType


def hotp(secret: bytes, counter: int, digits: int = 6, algorithm: Algorithm = Algorithm.SHA1) -> str:
    """The RFC 4226 code for one counter value, zero-padded to `digits`."""
    mac = hmac.new(secret, counter.to_bytes(8, "big"), Algorithm(algorithm).hashlib_name).digest()
    return truncate(mac, digits)


def truncate(mac: bytes, digits: int) -> str:
    """RFC 4226 dynamic truncation of a full HMAC to a decimal code."""
    offset = mac[-1] & 0x0F
    value = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def time_step(at: float, period: int = 30) -> int:
    """The TOTP counter (RFC 6238 'T') for a Unix time."""
    return int(at // period)


def totp(secret: bytes, at: float, digits: int = 6, period: int = 30, algorithm: Algorithm = Algorithm.SHA1) -> str:
    return hotp(secret, time_step(at, period), digits, algorithm)


def code_at(params: OtpParams, at: float | None = None) -> str:
    """The code `params` gives now (or at `at`); HOTP uses its counter."""
    if params.type is OtpType.HOTP:
        return hotp(params.secret, params.counter, params.digits, params.algorithm)
    return totp(params.secret, checked_time(at), params.digits, params.period, params.algorithm)


@dataclass(frozen=True)
class CodeWindow:
    """Previous, current and next code, as the vendor tools show them, plus the countdown."""

    previous: str
    current: str
    next: str
    step: int  # TOTP time step or HOTP counter of `current`
    seconds_left: int  # until `current` expires; 0 for HOTP
    period: int  # 0 for HOTP

    def as_dict(self) -> dict[str, object]:
        return {
            "previous": self.previous,
            "current": self.current,
            "next": self.next,
            "step": self.step,
            "seconds_left": self.seconds_left,
            "period": self.period,
        }


MAX_TIME = 253_402_300_799  # 9999-12-31 23:59:59 UTC: later "times" are typing mistakes


def checked_time(at: float | None) -> float:
    """`at`, or now; InputError for a time no token can show (negative, not finite, past year 9999)."""
    now = time.time() if at is None else at
    if not (0 <= now <= MAX_TIME):  # also false for NaN
        raise InputError("the time must be a Unix time from 0 (1970) to the year 9999")
    return now


def code_window(params: OtpParams, at: float | None = None) -> CodeWindow:
    """Codes around now. For HOTP: the codes at counter-1, counter, counter+1 (empty where there is none)."""
    def code(step: int) -> str:
        return hotp(params.secret, step, params.digits, params.algorithm) if 0 <= step <= MAX_COUNTER else ""

    if params.type is OtpType.HOTP:
        step = params.counter
        return CodeWindow(code(step - 1), code(step), code(step + 1), step, 0, 0)
    now = checked_time(at)
    step = time_step(now, params.period)
    seconds_left = params.period - int(now - step * params.period)
    return CodeWindow(code(step - 1), code(step), code(step + 1), step, seconds_left, params.period)


def matching_steps(params: OtpParams, code: str, at: float | None = None, window: int = 1) -> list[int]:
    """Offsets (in steps, within ±window) at which `code` is what `params` would show."""
    now = checked_time(at)
    base = params.counter if params.type is OtpType.HOTP else time_step(now, params.period)
    found = []
    for offset in range(-window, window + 1):
        step = base + offset
        if step < 0:
            continue
        if hmac.compare_digest(hotp(params.secret, step, params.digits, params.algorithm), code):
            found.append(offset)
    return found


def hash_key(secret: bytes, algorithm: Algorithm) -> bytes:
    return hashlib.new(Algorithm(algorithm).hashlib_name, secret).digest()
