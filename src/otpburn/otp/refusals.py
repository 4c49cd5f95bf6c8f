"""Why an account cannot go where it was meant to go — a token model or an identity system — as data.

The library never words a refusal: the CLI and the window do, each in its own terms.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RefusalKind(StrEnum):
    """What about an account a token or an identity system cannot hold."""

    TYPE = "type"  # HOTP where only TOTP is held
    ALGORITHM = "algorithm"
    DIGITS = "digits"
    PERIOD = "period"
    SECRET_TOO_LONG = "secret-too-long"  # noqa: S105  beyond what RFC 2104 fitting brings within the limit
    SECRET_TOO_SHORT = "secret-too-short"  # noqa: S105
    BASE32_TOO_LONG = "base32-too-long"  # an identity system's limit, counted in base32 characters
    COUNTER = "counter"  # an HOTP counter beyond what the token can start from
    DISPLAY_TIMEOUT = "display-timeout"
    TITLE_TOO_LONG = "title-too-long"  # a Molto2 profile title beyond 12 bytes of UTF-8
    SERIAL_MISSING = "serial-missing"  # the identity system files tokens by serial, and there is none


@dataclass(frozen=True)
class Refusal:
    """One reason an account cannot go onto a token, or into an identity system, as it is.

    `holder` names what refuses (a token model, an identity system); `wanted` is the account's value;
    `allowed` the values the holder takes (or the limit, for lengths).
    """

    kind: RefusalKind
    holder: str
    wanted: object
    allowed: tuple[object, ...] = ()
