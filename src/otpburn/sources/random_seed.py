"""Random seeds, from the operating system's CSPRNG."""

from __future__ import annotations

import secrets
from typing import Any

from otpburn.errors import InputError
from otpburn.otp.params import OtpParams

DEFAULT_BYTES = 20  # 160 bits: RFC 4226's recommendation, 32 base32 characters like vendor tools
MIN_BYTES = 10
MAX_BYTES = 64


def random_secret(length: int = DEFAULT_BYTES) -> bytes:
    if not MIN_BYTES <= length <= MAX_BYTES:
        raise InputError(f"a random secret must be {MIN_BYTES} to {MAX_BYTES} bytes, not {length}")
    return secrets.token_bytes(length)


def random_params(length: int = DEFAULT_BYTES, **fields: Any) -> OtpParams:
    return OtpParams(secret=random_secret(length), **fields)
