"""RFC 6238 written out independently of otpburn, and a guard against step boundaries."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Any


def reference_totp(secret: bytes, at: float, period: int = 30, digest: Callable[..., Any] = hashlib.sha1,
                   digits: int = 6) -> str:
    """RFC 6238 written out here, independent of otpburn's own OTP code."""
    counter = int(at // period).to_bytes(8, "big")
    mac = hmac.new(secret, counter, digest).digest()
    offset = mac[-1] & 0x0F
    value = int.from_bytes(mac[offset:offset + 4], "big") & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def wait_for_step_start(period: int = 30, margin: float = 2.0) -> None:
    """Avoid comparing codes near a step boundary, on either side of it.

    Token clocks are written in whole seconds, so a token may run up to a second behind or
    ahead of the host: just after a boundary it can still be in the previous step.
    """
    into = time.time() % period
    if into < margin:
        time.sleep(margin - into + 0.05)
    elif period - into < margin:
        time.sleep(period - into + margin + 0.05)
