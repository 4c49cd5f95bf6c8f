"""Choosing and opening a reader from what the user typed: a name, an index, or `virtual`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from otpburn.errors import InputError, Remedy
from otpburn.provisioning.access.virtual_token import open_virtual_molto2, open_virtual_reader
from otpburn.transport.channel import CardConnection
from otpburn.transport.errors import NoCardError, NoReaderError, NoReadersConnectedError
from otpburn.transport.pcsc import PcscBackend
from otpburn.transport.readers import ReaderBackend, ReaderInfo
from otpburn.transport.virtual import VIRTUAL_READER
from otpburn.untrusted import ascii_number, tame

VIRTUAL = "virtual"
VIRTUAL_MOLTO2 = "virtual-molto2"


class VirtualDisplay(Protocol):
    """An emulated token whose display otpburn can read (the built-in virtual tokens)."""

    def display_code(self, host_now: float | None = None) -> str | None: ...


@dataclass
class OpenReader:
    backend: ReaderBackend
    name: str
    virtual_card: VirtualDisplay | None = None  # the emulator behind a built-in virtual reader

    def close(self) -> None:
        self.backend.close()


def list_pcsc_readers() -> list[ReaderInfo]:
    with PcscBackend() as backend:
        return backend.list_readers()


def choose(readers: list[ReaderInfo], spec: str | None) -> ReaderInfo:
    """The reader `spec` names (exact name, 1-based index, or a unique part of a name)."""
    if not readers:
        raise NoReadersConnectedError()
    if spec is None:
        with_card = [r for r in readers if r.card_present]
        if len(readers) == 1:
            return readers[0]
        if len(with_card) == 1:
            return with_card[0]
        names = ", ".join(f"{i}. {r.name}" for i, r in enumerate(readers, start=1))
        raise InputError(f"several readers are connected ({names})", remedy=Remedy.CHOOSE_READER)
    index = ascii_number(spec, 9)
    if index is not None:
        if not 1 <= index <= len(readers):
            raise InputError(f"there is no reader number {spec}: there are {len(readers)} readers",
                             remedy=Remedy.LIST_READERS)
        return readers[index - 1]
    for reader in readers:
        if reader.name == spec:
            return reader
    partial = [r for r in readers if spec.casefold() in r.name.casefold()]
    if len(partial) == 1:
        return partial[0]
    if partial:
        raise InputError(f"{tame(spec, 80)!r} matches several readers: {', '.join(r.name for r in partial)}",
                         remedy=Remedy.CHOOSE_READER)
    raise NoReaderError(f"no reader matches {tame(spec, 80)!r}; connected: {', '.join(r.name for r in readers)}")


def open_reader(spec: str | None) -> OpenReader:
    if spec is not None and spec.lower() == VIRTUAL_MOLTO2:
        molto2_reader, molto2 = open_virtual_molto2()
        return OpenReader(molto2_reader, molto2_reader.name, molto2)
    if spec is not None and spec.lower() in (VIRTUAL, VIRTUAL_READER):
        virtual, card = open_virtual_reader()
        return OpenReader(virtual, VIRTUAL_READER, card)

    backend = PcscBackend()
    try:
        reader = choose(backend.list_readers(), spec)
    except Exception:
        backend.close()
        raise
    return OpenReader(backend, reader.name)


def connect(opened: OpenReader, wait: float = 0.0) -> CardConnection:
    """Connect to the card on the reader, waiting up to `wait` seconds for one to be placed."""
    if wait and not opened.backend.wait_for_card(opened.name, wait):
        raise NoCardError(f"no token was placed on {opened.name!r} within {wait:.0f} s")
    return opened.backend.connect(opened.name)
