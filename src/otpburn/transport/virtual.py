"""An in-process reader that holds one virtual card: for demos, trying otpburn, and tests.

The card is anything that speaks APDUs card-side (see `VirtualCard`); the emulated
tokens in `otpburn.emulator` are the usual ones. A card can signal a lost link by
raising `LinkLostError`, which the reader reports exactly like a PC/SC reader would.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

from otpburn.transport.errors import CardRemovedError, NoCardError, NoReaderError
from otpburn.transport.readers import ReaderInfo

VIRTUAL_READER = "otpburn virtual reader"


class LinkLostError(Exception):
    """Raised card-side to simulate a token leaving the field."""


class VirtualCard(Protocol):
    atr: bytes

    def power_on(self) -> None: ...

    def power_off(self) -> None: ...

    def process(self, command: bytes) -> bytes: ...


class VirtualConnection:
    def __init__(self, reader: VirtualReader) -> None:
        self._reader = reader
        self.reader = reader.name
        self.atr = reader.card.atr if reader.card else b""
        self._open = True
        reader.open_connections += 1

    def transmit(self, command: bytes) -> bytes:
        card = self._reader.card
        if not self._open or card is None:
            raise CardRemovedError("the token left the reader")
        try:
            return card.process(command)
        except LinkLostError:
            self._reader.remove()
            raise CardRemovedError("the token left the reader while talking to it") from None

    def disconnect(self) -> None:
        if self._open:
            self._open = False
            self._reader.open_connections -= 1


class VirtualReader:
    """A reader backend with one slot. `insert` and `remove` move the card.

    `name`: what the reader is called (a Molto2 is a reader of its own, named after the product).
    """

    def __init__(self, card: VirtualCard | None = None, name: str = VIRTUAL_READER) -> None:
        self.name = name
        self.card: VirtualCard | None = None
        self._held: VirtualCard | None = None
        self._changed = threading.Condition()
        self.open_connections = 0  # connections handed out and not yet disconnected
        if card is not None:
            self.insert(card)

    def insert(self, card: VirtualCard | None = None) -> None:
        with self._changed:
            self.card = card or self._held
            if self.card is not None:
                self.card.power_on()
            self._changed.notify_all()

    def remove(self) -> None:
        with self._changed:
            if self.card is not None:
                self.card.power_off()
                self._held = self.card
            self.card = None
            self._changed.notify_all()

    def list_readers(self) -> list[ReaderInfo]:
        return [ReaderInfo(self.name, self.card is not None, self.card.atr if self.card else b"")]

    def connect(self, reader: str | None = None, exclusive: bool = False) -> VirtualConnection:
        if reader is not None and reader != self.name:
            raise NoReaderError(f"no reader named {reader!r}")
        if self.card is None:
            raise NoCardError("no token on the virtual reader")
        return VirtualConnection(self)

    def _wait(self, present: bool, timeout: float | None, cancel: threading.Event | None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._changed:
            while (self.card is not None) != present:
                if cancel is not None and cancel.is_set():
                    return False
                left = 0.1 if deadline is None else min(0.1, deadline - time.monotonic())
                if left <= 0:
                    return False
                self._changed.wait(left)
            return True

    def wait_for_card(self, reader: str, timeout: float | None, cancel: threading.Event | None = None) -> bool:
        return self._wait(True, timeout, cancel)

    def wait_for_removal(self, reader: str, timeout: float | None, cancel: threading.Event | None = None) -> bool:
        return self._wait(False, timeout, cancel)

    def close(self) -> None:
        pass
