"""What the emulated Token2-family cards share, card side: memory kept in a JSON file (0600), the
fault plan around each command, one command at a time, and the SM4 operations with their key.

Written from the protocol notes like the cards themselves: it never imports `otpburn.tokens`.
"""

from __future__ import annotations

import json
import math
import os
import re
import secrets
import threading
import types
import typing
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import Field, asdict
from pathlib import Path
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from otpburn.emulator.faults import FaultPlan
from otpburn.files import write_private

SW_WRONG_LENGTH = b"\x67\x00"
CLOCK_SPAN = 2.0**32  # seconds either way a clock offset may reach: a token's clock is a 32-bit count
MAX_SERIAL_DIGITS = 20  # a Token2 serial has 13 digits and a Molto2's 15; any answer keeps 20 short
_HEX = re.compile(r"(?:[0-9A-Fa-f]{2})+")


class MemoryFieldError(ValueError):
    """A field of a card's memory (as its file holds it, maybe edited by hand) that the card cannot hold."""

    def __init__(self, field: str) -> None:
        super().__init__(f"the memory's {field!r} field holds what the card cannot")
        self.field = field


def hex_bytes(low: int, high: int) -> Callable[[str], bool]:
    """A rule for hex text of `low` to `high` bytes."""
    return lambda text: _HEX.fullmatch(text) is not None and low <= len(text) // 2 <= high


def check_memory(memory: object, rules: Mapping[str, Callable[[Any], bool]]) -> None:
    """Each field of `memory` holds its annotated type, as JSON gives it (an int is a float too, a bool is no int,
    and no float is infinite), and a value its rule (if any) takes; None passes a field that may be None. Read from
    a file, memory is checked whole when the card is made, not found wrong halfway through a command."""
    for name, hint in _hints(type(memory)).items():
        value = getattr(memory, name)
        rule = rules.get(name)
        if not _holds(value, hint) or (value is not None and rule is not None and not rule(value)):
            raise MemoryFieldError(name)


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(kind: type) -> dict[str, Any]:
    """The annotations of a memory class, resolved once (a Molto2 makes a hundred profiles at a time)."""
    if kind not in _HINTS:
        _HINTS[kind] = typing.get_type_hints(kind)
    return _HINTS[kind]


def _holds(value: object, hint: Any) -> bool:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        return any(_holds(value, arg) for arg in args)
    if origin is list:
        return type(value) is list and all(_holds(item, args[0]) for item in value)
    if origin is dict:
        return type(value) is dict and all(_holds(key, args[0]) and _holds(item, args[1])
                                           for key, item in value.items())
    if hint is float:
        return type(value) in (int, float) and math.isfinite(value)  # type: ignore[arg-type]
    if hint in (int, bool, str, type(None)):
        return type(value) is hint
    return isinstance(value, hint)  # a dataclass of the memory (a Molto2's profile)

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
