"""Fault injection for emulated cards: lost links, forced status words, slow answers."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from otpburn.errors import InputError
from otpburn.transport.virtual import LinkLostError

ACTIONS = ("drop-before", "drop-after", "status", "delay")


@dataclass
class Fault:
    """Fires on commands with instruction byte `ins`, `times` times (None: every time)."""

    action: str
    ins: int
    sw: int = 0x6F00
    delay: float = 0.0
    times: int | None = 1
    skip: int = 0  # let this many matching commands pass first

    def matches(self, ins: int) -> bool:
        return self.ins == ins and (self.times is None or self.times > 0)

    def consume(self) -> None:
        if self.times is not None:
            self.times -= 1


def parse_fault(text: str) -> Fault:
    """`drop-before:C5`, `drop-after:D4`, `status:CE:6983`, `delay:41:0.5`; optional `xN` / `x*` (how often)
    and `@N` (after letting N matching commands through)."""
    match = re.fullmatch(
        r"(drop-before|drop-after|status|delay):([0-9A-Fa-f]{2})(?::([0-9A-Fa-f.]+))?(?:x(\d+|\*))?(?:@(\d+))?", text)
    if not match:
        raise InputError(f"bad fault {text!r}: use ACTION:INS[:VALUE][xN][@N], e.g. drop-after:C5 or status:CE:6983")
    action, ins, value, times, skip = match.groups()
    fault = Fault(action, int(ins, 16), times=None if times == "*" else int(times or 1), skip=int(skip or 0))
    if action == "status":
        if not value or len(value) != 4:
            raise InputError("a status fault needs a 4-digit status word, e.g. status:CE:6983")
        fault.sw = int(value, 16)
    elif action == "delay":
        try:
            fault.delay = float(value or "0.5")
        except ValueError:
            raise InputError("a delay fault needs seconds, e.g. delay:41:0.5") from None
    return fault


class FaultPlan:
    """The faults of one card, applied around each command."""

    def __init__(self, faults: list[Fault] | None = None) -> None:
        self.faults = list(faults or [])
        self._armed: list[Fault] = []

    def add(self, fault: Fault) -> None:
        self.faults.append(fault)

    def before(self, ins: int) -> bytes | None:
        """Apply faults due before a command; a status word to answer instead, or None."""
        self._armed = []
        for fault in self.faults:
            if not fault.matches(ins):
                continue
            if fault.skip:  # counted once per command, here
                fault.skip -= 1
                continue
            self._armed.append(fault)
        for fault in self._armed:
            if fault.action == "drop-after":
                continue
            fault.consume()
            if fault.action == "drop-before":
                raise LinkLostError()
            if fault.action == "delay":
                time.sleep(fault.delay)
            if fault.action == "status":
                return fault.sw.to_bytes(2, "big")
        return None

    def after(self, ins: int) -> None:
        for fault in getattr(self, "_armed", []):
            if fault.matches(ins) and fault.action == "drop-after":
                fault.consume()
                raise LinkLostError()
