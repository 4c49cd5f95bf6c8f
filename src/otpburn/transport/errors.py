"""Reader-side failures, each with a message that says what to do."""

from __future__ import annotations

from otpburn.errors import ReaderError, Remedy


class NoServiceError(ReaderError):
    def __init__(self, detail: str = "") -> None:
        super().__init__("the PC/SC service is not running" + (f" ({detail})" if detail else ""),
                         remedy=Remedy.START_PCSC)


class NoReaderError(ReaderError):
    pass


class NoReadersConnectedError(NoReaderError):
    def __init__(self) -> None:
        super().__init__("no smart-card reader is connected", remedy=Remedy.VIRTUAL_READER)


class NoCardError(ReaderError):
    pass


class CardRemovedError(ReaderError):
    """The card left the field (or the link broke) while we were talking to it."""


class ReaderBusyError(ReaderError):
    """Another program connected to the reader exclusively: nobody else may talk to its token."""

    def __init__(self, reader: str = "") -> None:
        self.reader = reader
        where = f" {reader!r}" if reader else ""
        super().__init__(f"the reader{where} is held exclusively by another program", remedy=Remedy.FREE_READER)
