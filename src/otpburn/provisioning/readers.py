"""Choosing and opening a reader from what the user typed: a name, an index, or `virtual`."""

from __future__ import annotations

from dataclasses import dataclass

from otpburn.errors import InputError
from otpburn.transport.errors import NoCardError, NoReaderError
from otpburn.transport.readers import ReaderInfo
from otpburn.transport.virtual import VIRTUAL_READER

VIRTUAL = "virtual"


@dataclass
class OpenReader:
    backend: object
    name: str
    virtual_card: object | None = None  # the emulator behind the virtual reader

    def close(self) -> None:
        close = getattr(self.backend, "close", None)
        if close:
            close()


def list_pcsc_readers() -> list[ReaderInfo]:
    from otpburn.transport.pcsc import PcscBackend

    with PcscBackend() as backend:
        return backend.list_readers()


def choose(readers: list[ReaderInfo], spec: str | None) -> ReaderInfo:
    """The reader `spec` names (exact name, 1-based index, or a unique part of a name)."""
    if not readers:
        raise NoReaderError("no smart-card reader is connected; plug in an NFC reader, or use --reader virtual")
    if spec is None:
        with_card = [r for r in readers if r.card_present]
        if len(readers) == 1:
            return readers[0]
        if len(with_card) == 1:
            return with_card[0]
        names = ", ".join(f"{i}. {r.name}" for i, r in enumerate(readers, start=1))
        raise InputError(f"several readers are connected ({names}); choose one with --reader NAME or --reader N")
    if spec.isdigit():
        index = int(spec)
        if not 1 <= index <= len(readers):
            raise InputError(f"--reader {spec}: there are {len(readers)} readers (see 'otpburn readers')")
        return readers[index - 1]
    for reader in readers:
        if reader.name == spec:
            return reader
    partial = [r for r in readers if spec.casefold() in r.name.casefold()]
    if len(partial) == 1:
        return partial[0]
    if partial:
        raise InputError(f"--reader {spec!r} matches several readers: {', '.join(r.name for r in partial)}")
    raise NoReaderError(f"no reader matches {spec!r}; connected: {', '.join(r.name for r in readers)}")


def open_reader(spec: str | None) -> OpenReader:
    if spec is not None and spec.lower() in (VIRTUAL, VIRTUAL_READER):
        from otpburn.provisioning.virtual_token import open_virtual_reader

        reader, card = open_virtual_reader()
        return OpenReader(reader, VIRTUAL_READER, card)
    from otpburn.transport.pcsc import PcscBackend

    backend = PcscBackend()
    try:
        reader = choose(backend.list_readers(), spec)
    except Exception:
        backend.close()
        raise
    return OpenReader(backend, reader.name)


def connect(opened: OpenReader, wait: float = 0.0):
    """Connect to the card on the reader, waiting up to `wait` seconds for one to be placed."""
    if wait and not opened.backend.wait_for_card(opened.name, wait):
        raise NoCardError(f"no token was placed on {opened.name!r} within {wait:.0f} s")
    return opened.backend.connect(opened.name)
