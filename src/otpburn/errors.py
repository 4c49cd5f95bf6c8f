"""One exception hierarchy for everything a user can be told about.

Each error carries a message a user can act on and the exit code the CLI uses.
Messages never contain secret material: callers pass lengths, positions and
kinds, never the bytes themselves.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_NO_READER = 3
EXIT_MISMATCH = 4


class OtpburnError(Exception):
    """Base of every expected failure."""

    exit_code = EXIT_FAILED

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"


class InputError(OtpburnError):
    """The user gave us something we cannot use: a malformed URI, bad base32, a broken file."""

    exit_code = EXIT_BAD_INPUT


class NotASeedError(OtpburnError):
    """The payload is well formed but holds no OTP seed (a push-login QR, a web link...)."""

    exit_code = EXIT_FAILED


class OperationError(OtpburnError):
    """Something we tried failed (a token refused a command, a write failed)."""

    exit_code = EXIT_FAILED


class ReaderError(OtpburnError):
    """No PC/SC service, no reader, no token, or the token went away."""

    exit_code = EXIT_NO_READER


class VerificationError(OtpburnError):
    """The token's code does not match what the seed should produce."""

    exit_code = EXIT_MISMATCH
