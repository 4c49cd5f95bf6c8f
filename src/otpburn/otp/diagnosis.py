"""Comparing the code a token shows with the seed's codes, and naming the cause of a mismatch.

Causes searched, in order of how often they happen: the token's clock is off by whole
steps, the token uses another hash algorithm or period, the secret was typed in hex but
read as base32 (or the reverse, or used as ASCII text), the code has another length.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from enum import StrEnum

from otpburn.errors import InputError, Remedy
from otpburn.otp.codec import decode_base32, decode_hex, encode_base32, encode_hex
from otpburn.otp.hotp import checked_time, hotp, time_step
from otpburn.otp.params import MAX_COUNTER, Algorithm, OtpParams, OtpType
from otpburn.untrusted import ascii_digits

WINDOW = 1  # steps either side that count as a match (clocks are read to the second)
CLOCK_SEARCH = 120  # steps either side searched for a clock offset (an hour at 30 s)


class Cause(StrEnum):
    """Why a typed code does not match — or that it does. Front ends word each, with its fields."""

    MATCHES = "matches"
    COUNTER_AHEAD = "counter-ahead"  # HOTP: the code belongs to a later counter (`counter`)
    CLOCK_OFF = "clock-off"  # TOTP: the token's clock is `clock_offset` seconds off
    ALGORITHM = "algorithm"  # the token computes with `algorithm`
    PERIOD = "period"  # the token uses `period`-second steps
    BASE32_READ_AS_HEX = "base32-read-as-hex"  # the secret, written in base32, went on read as hex
    HEX_READ_AS_BASE32 = "hex-read-as-base32"  # the secret, written in hex, went on read as base32
    BASE32_AS_TEXT = "base32-as-text"  # the secret's base32 letters went on as ASCII text
    HEX_AS_TEXT = "hex-as-text"  # the secret's hex digits went on as ASCII text
    DIGITS = "digits"  # the token shows `digits` digits
    CODE_LENGTH = "code-length"  # the typed code has `digits` digits, the account's codes another number
    UNKNOWN = "unknown"  # none of the likely mistakes


@dataclass(frozen=True)
class Diagnosis:
    matches: bool
    cause: Cause
    clock_offset: int | None = None  # seconds, when the cause is the token's clock
    remedy: Remedy | None = None  # the burn option that fixes it, for front ends to name
    counter: int | None = None
    algorithm: Algorithm | None = None
    period: int | None = None
    digits: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {"matches": self.matches, "cause": self.cause.value, "clock_offset": self.clock_offset,
                **({"counter": self.counter} if self.counter is not None else {}),
                **({"algorithm": self.algorithm.value} if self.algorithm is not None else {}),
                **({"period": self.period} if self.period is not None else {}),
                **({"digits": self.digits} if self.digits is not None else {})}


def _offsets(params: OtpParams, code: str, at: float, reach: int) -> list[int]:
    """Step offsets within ±reach at which `params` produce `code` (nearest first)."""
    if len(code) != params.digits:
        return []
    base = params.counter if params.type is OtpType.HOTP else time_step(at, params.period)
    found = []
    for distance in range(reach + 1):
        for offset in {distance, -distance}:
            step = base + offset
            if 0 <= step <= MAX_COUNTER and hmac.compare_digest(
                    hotp(params.secret, step, params.digits, params.algorithm), code):
                found.append(offset)
        if found:
            return found
    return found


def diagnose(params: OtpParams, code: str, at: float | None = None) -> Diagnosis:
    """Does `code` (typed from the token) belong to `params` now? If not, why not?"""
    code = code.strip().replace(" ", "")
    # ASCII only: no token shows other digits, and the constant-time comparison compares ASCII text.
    if not ascii_digits(code):
        raise InputError("type the digits the token shows, 0 to 9 (spaces are fine)")
    now = checked_time(at)
    if _offsets(params, code, now, WINDOW):
        return Diagnosis(True, Cause.MATCHES)
    if params.type is OtpType.HOTP:
        ahead = _offsets(params, code, now, 20)
        if ahead:
            return Diagnosis(False, Cause.COUNTER_AHEAD, counter=params.counter + ahead[0])
    else:
        offsets = _offsets(params, code, now, CLOCK_SEARCH)
        if offsets:
            return Diagnosis(False, Cause.CLOCK_OFF, offsets[0] * params.period, Remedy.SYNC_CLOCK)

    for algorithm in Algorithm:
        if algorithm is not params.algorithm and _offsets(params.replace(algorithm=algorithm), code, now, 2):
            return Diagnosis(False, Cause.ALGORITHM, remedy=Remedy.ALGORITHM, algorithm=algorithm)
    if params.type is OtpType.TOTP:
        for period in (30, 60):
            if period != params.period and _offsets(params.replace(period=period), code, now, 2):
                return Diagnosis(False, Cause.PERIOD, remedy=Remedy.PERIOD, period=period)
    for cause, secret in _misread_secrets(params.secret):
        if _offsets(params.replace(secret=secret), code, now, 2):
            return Diagnosis(False, cause, remedy=Remedy.ENCODING)
    if len(code) != params.digits:
        for digits in range(6, 11):
            if digits != params.digits and len(code) == digits \
                    and _offsets(params.replace(digits=digits), code, now, 2):
                return Diagnosis(False, Cause.DIGITS, digits=digits)
        return Diagnosis(False, Cause.CODE_LENGTH, digits=len(code))
    return Diagnosis(False, Cause.UNKNOWN)


def _misread_secrets(secret: bytes) -> list[tuple[Cause, bytes]]:
    """The secrets a token holds when someone mixed up how the secret was written."""
    alternatives = []
    as_base32, as_hex = encode_base32(secret), encode_hex(secret)
    try:
        alternatives.append((Cause.BASE32_READ_AS_HEX, decode_hex(as_base32)))
    except InputError:
        pass
    try:
        alternatives.append((Cause.HEX_READ_AS_BASE32, decode_base32(as_hex)))
    except InputError:
        pass
    alternatives.append((Cause.BASE32_AS_TEXT, as_base32.encode()))
    alternatives.append((Cause.HEX_AS_TEXT, as_hex.encode()))
    return alternatives
