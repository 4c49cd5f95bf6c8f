"""Checking a code typed off a token against the seed: the diagnosis, and its entry in the audit log.

Every front end checks a typed code through here, so each check is logged the same way (the seed's
fingerprint, never the seed), whichever front end asked.
"""

from __future__ import annotations

from otpburn.otp.diagnosis import Diagnosis, diagnose
from otpburn.otp.params import OtpParams
from otpburn.provisioning.records import audit
from otpburn.tokens.base import TokenInfo


def check_typed_code(params: OtpParams, typed: str, *, at: float | None = None, token: TokenInfo | None = None,
                     profile: int | None = None, front_end: str = "cli") -> Diagnosis:
    """Does `typed` belong to `params` now (or at `at`)? Logged as a verify entry; InputError for non-digits."""
    diagnosis = diagnose(params, typed, at)
    where = {"family": token.family, "model": token.model, "serial": token.serial} if token is not None else {}
    audit.record("verify", "match" if diagnosis.matches else "mismatch", params=params, verification="typed code",
                 detail="" if diagnosis.matches else diagnosis.cause.value,
                 extra={"front_end": front_end, **({"profile": profile} if profile is not None else {})}, **where)
    return diagnosis
