"""Comparing the code a token shows with the seed's codes, and naming the cause of a mismatch.

Causes searched, in order of how often they happen: the token's clock is off by whole
steps, the token uses another hash algorithm or period, the secret was typed in hex but
read as base32 (or the reverse, or used as ASCII text), the code has another length.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from otpburn.errors import InputError, Remedy
from otpburn.otp.codec import decode_base32, decode_hex, encode_base32, encode_hex
from otpburn.otp.hotp import checked_time, hotp, time_step
from otpburn.otp.params import MAX_COUNTER, Algorithm, OtpParams, OtpType

WINDOW = 1  # steps either side that count as a match (clocks are read to the second)
CLOCK_SEARCH = 120  # steps either side searched for a clock offset (an hour at 30 s)


@dataclass(frozen=True)
class Diagnosis:
    matches: bool
    cause: str  # one sentence a user understands
    fix: str = ""
    clock_offset: int | None = None  # seconds, when the cause is the token's clock
    remedy: Remedy | None = None  # the burn option that fixes it, for front ends to name

    def as_dict(self) -> dict[str, object]:
        return {"matches": self.matches, "cause": self.cause, "fix": self.fix, "clock_offset": self.clock_offset}


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
    # ASCII only: str.isdigit() also takes full-width or Arabic-Indic digits, which no token shows and
    # which the constant-time comparison refuses (it compares ASCII text).
    if not (code.isascii() and code.isdigit()):
        raise InputError("type the digits the token shows, 0 to 9 (spaces are fine)")
    now = checked_time(at)
    if _offsets(params, code, now, WINDOW):
        return Diagnosis(True, "the token shows the right code")
    if params.type is OtpType.HOTP:
        ahead = _offsets(params, code, now, 20)
        if ahead:
            return Diagnosis(False, f"the code belongs to counter {params.counter + ahead[0]}",
                             "the token's counter has moved on; resynchronise the counter on the server")
    else:
        offsets = _offsets(params, code, now, CLOCK_SEARCH)
        if offsets:
            seconds = offsets[0] * params.period
            direction = "ahead" if seconds > 0 else "behind"
            return Diagnosis(False, f"the token's clock is about {abs(seconds)} s {direction}",
                             "burn again setting the token's clock from this PC's (check the PC's clock first)",
                             seconds, Remedy.SYNC_CLOCK)

    for algorithm in Algorithm:
        if algorithm is not params.algorithm and _offsets(params.replace(algorithm=algorithm), code, now, 2):
            return Diagnosis(False, f"the token computes with {algorithm.value}, not {params.algorithm.value}",
                             f"burn again with {params.algorithm.value}, or tell the service {algorithm.value}",
                             remedy=Remedy.ALGORITHM)
    if params.type is OtpType.TOTP:
        for period in (30, 60):
            if period != params.period and _offsets(params.replace(period=period), code, now, 2):
                return Diagnosis(False, f"the token uses {period} s steps, not {params.period} s",
                                 f"burn again with {params.period} s steps", remedy=Remedy.PERIOD)
    for label, secret in _misread_secrets(params.secret):
        if _offsets(params.replace(secret=secret), code, now, 2):
            return Diagnosis(False, f"the token holds the secret {label}",
                             "burn again giving the secret in the encoding it was written in",
                             remedy=Remedy.ENCODING)
    if len(code) != params.digits:
        for digits in range(6, 11):
            if digits != params.digits and len(code) == digits \
                    and _offsets(params.replace(digits=digits), code, now, 2):
                return Diagnosis(False, f"the token shows {digits} digits where the account expects {params.digits}",
                                 f"set the account (or the token) to {params.digits} digits")
        return Diagnosis(False, f"the code has {len(code)} digits; this account's codes have {params.digits}",
                         "type the whole code as the token shows it")
    return Diagnosis(False, "the code matches none of the likely mistakes (clock, algorithm, period, encoding)",
                     "check that this token holds this account's seed, then burn it again")


def _misread_secrets(secret: bytes) -> list[tuple[str, bytes]]:
    """The secrets a token holds when someone mixed up how the secret was written."""
    alternatives = []
    as_base32, as_hex = encode_base32(secret), encode_hex(secret)
    try:
        alternatives.append(("read as hex although it is base32", decode_hex(as_base32)))
    except InputError:
        pass
    try:
        alternatives.append(("read as base32 although it is hex", decode_base32(as_hex)))
    except InputError:
        pass
    alternatives.append(("as ASCII text instead of decoded base32", as_base32.encode()))
    alternatives.append(("as ASCII text instead of decoded hex", as_hex.encode()))
    return alternatives
