"""Reader-side failures, each with a message that says what to do."""

from __future__ import annotations

from otpburn.errors import ReaderError


class NoServiceError(ReaderError):
    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "the PC/SC service is not running"
            + (f" ({detail})" if detail else "")
            + "; start it (Linux: 'sudo systemctl start pcscd' or run 'pcscd'), or use --reader virtual to try otpburn"
        )


class NoReaderError(ReaderError):
    pass


class NoCardError(ReaderError):
    pass


class CardRemovedError(ReaderError):
    """The card left the field (or the link broke) while we were talking to it."""


class ReaderBusyError(ReaderError):
    pass
