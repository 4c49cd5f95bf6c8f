"""What the emulated Token2-family cards share, card side: memory kept in a JSON file (0600), the
fault plan around each command, one command at a time, and the SM4 operations with their key.

Written from the protocol notes like the cards themselves: it never imports `otpburn.tokens`.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import Field, asdict
from pathlib import Path
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from otpburn.emulator.faults import FaultPlan
from otpburn.files import write_private

SW_WRONG_LENGTH = b"\x67\x00"
CLOCK_SPAN = 2.0**32  # seconds either way a clock offset may reach: a token's clock is a 32-bit count
MAX_SERIAL_DIGITS = 20  # a Token2 serial has 13 digits and a Molto2's 15; any answer keeps 20 short
class CardMemory(Protocol):
    """A card's memory: a dataclass holding, among the rest, its SM4 key in hex."""

    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]
    key: str


M = TypeVar("M", bound=CardMemory)


class Sm4Card(ABC, Generic[M]):
    atr: bytes  # each card class sets its answer-to-reset
    memory_type: ClassVar[Callable[..., Any]]

    def __init__(self, memory: M | None, state_path: str | os.PathLike[str] | None,
                 faults: FaultPlan | None) -> None:
        self.state_path = Path(state_path) if state_path else None
        if memory is None and self.state_path and self.state_path.exists():
            memory = self.memory_type(**json.loads(self.state_path.read_text()))
        self.memory: M = memory if memory is not None else self.memory_type()
        self.faults = faults or FaultPlan()
        self._challenge: bytes | None = None
        self._authenticated = False
        self._lock = threading.Lock()
        self.on_change: Callable[[str], None] | None = None  # told of every change (emulate --show)

    # --- card interface -----------------------------------------------------------------
    def power_on(self) -> None:
        self._challenge, self._authenticated = None, False

    def power_off(self) -> None:
        self._challenge, self._authenticated = None, False

    def process(self, command: bytes) -> bytes:
        with self._lock:
            if len(command) < 4:
                return SW_WRONG_LENGTH
            ins = command[1]
            forced = self.faults.before(ins)
            if forced is not None:
                return forced
            answer = self._dispatch(command)
            self.faults.after(ins)
            return answer

    @abstractmethod
    def _dispatch(self, command: bytes) -> bytes: ...

    # --- SM4 with the card's key --------------------------------------------------------
    @property
    def _key(self) -> bytes:
        return bytes.fromhex(self.memory.key)

    def _ecb(self, data: bytes) -> bytes:
        encryptor = Cipher(algorithms.SM4(self._key), modes.ECB()).encryptor()  # noqa: S305 (the token's protocol)
        return encryptor.update(data) + encryptor.finalize()

    def _ecb_decrypt(self, data: bytes) -> bytes:
        decryptor = Cipher(algorithms.SM4(self._key), modes.ECB()).decryptor()  # noqa: S305 (the token's protocol)
        return decryptor.update(data) + decryptor.finalize()

    def _mac_body(self, ins: int, p1: int, p2: int, data: bytes) -> bytes | None:
        """The body without its 4-byte MAC, or None when the MAC is wrong (SM4-CBC over `80 INS P1 P2 Lc'`)."""
        if len(data) < 5:
            return None
        body, tag = data[:-4], data[-4:]
        message = bytes((0x80, ins, p1, p2, len(body))) + body
        if len(message) % 16:
            message += b"\x80" + bytes(-(len(message) + 1) % 16)
        encryptor = Cipher(algorithms.SM4(self._key), modes.CBC(bytes(16))).encryptor()
        last_block = (encryptor.update(message) + encryptor.finalize())[-16:]
        return body if secrets.compare_digest(last_block[:4], tag) else None

    # --- around the memory --------------------------------------------------------------
    def _notify(self, event: str) -> None:
        if self.on_change:
            self.on_change(event)

    def _save(self) -> None:
        if self.state_path is not None:
            write_private(self.state_path, json.dumps(asdict(self.memory), indent=1).encode(), force=True)
