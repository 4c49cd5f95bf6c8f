"""An emulated card's memory as its file holds it (JSON, maybe edited by hand): what loading one that is no card's
memory raises, and the check each card runs on its memory when it is made, so that a wrong field is named then and
not found halfway through a command."""

from __future__ import annotations

import math
import re
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any

# What loading a file that is no card's memory raises: not JSON (or not UTF-8), a field missing, unknown or of the
# wrong kind, a value the card cannot hold (MemoryFieldError), JSON nested deeper than Python parses.
UNREADABLE_MEMORY = (ValueError, TypeError, KeyError, RecursionError)
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
