"""What every reader backend offers: list readers, connect, wait for a card."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Protocol

from otpburn.transport.channel import CardConnection


@dataclass(frozen=True)
class ReaderInfo:
    name: str
    card_present: bool
    atr: bytes = b""
    in_use: bool = False  # another program holds the card exclusively


class ReaderBackend(Protocol):
    def list_readers(self) -> list[ReaderInfo]: ...

    def connect(self, reader: str) -> CardConnection: ...

    def wait_for_card(self, reader: str, timeout: float | None, cancel: threading.Event | None = None) -> bool:
        """True once a card is present; False on timeout or cancel."""
        ...

    def wait_for_removal(self, reader: str, timeout: float | None, cancel: threading.Event | None = None) -> bool: ...

    def close(self) -> None: ...
