"""PC/SC readers through pyscard (pcsc-lite on Linux and macOS, WinSCard on Windows).

We use pyscard's thin `smartcard.scard` layer rather than its object API so every
failure arrives as a PC/SC return code that we can turn into a message a user can
act on.

Connections are shared, so otpburn works next to programs that keep a reader open
(Yubico Authenticator, GnuPG's scdaemon, browsers), and each holds one PC/SC transaction
from connect to disconnect: while otpburn talks to a token, other programs' commands wait,
so nothing can come between its identification, authentication and writes.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from otpburn.errors import ReaderError
from otpburn.installation import install_command
from otpburn.transport.errors import (
    CardRemovedError,
    NoCardError,
    NoReaderError,
    NoReadersConnectedError,
    NoServiceError,
    ReaderBusyError,
)
from otpburn.transport.readers import ReaderInfo

try:
    from smartcard import scard
except ImportError:  # pragma: no cover - depends on the installation
    scard = None

_POLL_SLICE_MS = 250  # status-change waits are sliced so a cancel request is seen quickly


def _require_pyscard() -> Any:
    if scard is None:
        raise ReaderError(
            f"PC/SC support is not installed: {install_command('pcsc')} "
            "(on Linux it needs libpcsclite-dev and swig to build)"
        )
    return scard


def _message(code: int) -> str:
    try:
        return str(scard.SCardGetErrorMessage(code)).strip().rstrip(".")
    except Exception:  # pragma: no cover
        return f"PC/SC error {code & 0xFFFFFFFF:#010x}"


def raise_for(code: int, reader: str = "", action: str = "") -> None:
    """Turn a PC/SC return code into the otpburn error a user can act on."""
    if code == scard.SCARD_S_SUCCESS:
        return
    where = f" {reader!r}" if reader else ""
    doing = f" while {action}" if action else ""
    if code in (scard.SCARD_E_NO_SERVICE, scard.SCARD_E_SERVICE_STOPPED):
        raise NoServiceError()
    if code == scard.SCARD_E_NO_READERS_AVAILABLE:
        raise NoReadersConnectedError()
    if code in (scard.SCARD_E_UNKNOWN_READER, scard.SCARD_E_READER_UNAVAILABLE):
        raise NoReaderError(f"the reader{where} is not available (unplugged?){doing}")
    if code in (scard.SCARD_W_REMOVED_CARD, scard.SCARD_E_NO_SMARTCARD, scard.SCARD_W_UNPOWERED_CARD):
        raise CardRemovedError(f"the token left the reader{where}{doing}")
    if code in (scard.SCARD_W_RESET_CARD,):
        raise CardRemovedError(f"the token was reset by another program{doing}")
    if code == scard.SCARD_E_SHARING_VIOLATION:
        raise ReaderBusyError(reader)
    if code in (scard.SCARD_F_COMM_ERROR, scard.SCARD_W_UNRESPONSIVE_CARD, scard.SCARD_E_NOT_TRANSACTED,
                getattr(scard, "SCARD_E_COMM_DATA_LOST", -1)):
        raise CardRemovedError(f"the link to the token was lost{doing} ({_message(code)}); "
                               "keep the token still on the reader")
    raise ReaderError(f"PC/SC error{doing}: {_message(code)}")


class PcscConnection:
    def __init__(self, context: PcscBackend, reader: str, card: int, protocol: int, atr: bytes,
                 in_transaction: bool = False) -> None:
        self._backend = context
        self.reader = reader
        self._card: int | None = card
        self._protocol = protocol
        self.atr = atr
        self.in_transaction = in_transaction

    def transmit(self, command: bytes) -> bytes:
        if self._card is None:
            raise CardRemovedError("the connection to the token is closed")
        code, response = scard.SCardTransmit(self._card, self._protocol, list(command))
        raise_for(code, self.reader, "talking to the token")
        return bytes(response)

    def disconnect(self) -> None:
        if self._card is not None:
            if self.in_transaction:  # its answer does not matter: a removed token ended it already
                scard.SCardEndTransaction(self._card, scard.SCARD_LEAVE_CARD)
                self.in_transaction = False
            scard.SCardDisconnect(self._card, scard.SCARD_LEAVE_CARD)
            self._card = None


class PcscBackend:
    """PC/SC readers. One context per backend; close() releases it."""

    def __init__(self) -> None:
        _require_pyscard()
        code, self._context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        raise_for(code, action="connecting to the PC/SC service")

    def close(self) -> None:
        if self._context is not None:
            scard.SCardReleaseContext(self._context)
            self._context = None

    def __enter__(self) -> PcscBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def reader_names(self) -> list[str]:
        code, names = scard.SCardListReaders(self._context, [])
        if code == scard.SCARD_E_NO_READERS_AVAILABLE:
            return []
        raise_for(code, action="listing readers")
        return list(names)

    def list_readers(self) -> list[ReaderInfo]:
        names = self.reader_names()
        if not names:
            return []
        code, states = scard.SCardGetStatusChange(
            self._context, 0, [(name, scard.SCARD_STATE_UNAWARE) for name in names]
        )
        if code == scard.SCARD_E_TIMEOUT:
            return [ReaderInfo(name, False) for name in names]
        raise_for(code, action="reading the readers' state")
        return [
            ReaderInfo(name, bool(state & scard.SCARD_STATE_PRESENT), bytes(atr),
                       bool(state & scard.SCARD_STATE_EXCLUSIVE))
            for name, state, atr in states
        ]

    def connect(self, reader: str, exclusive: bool = False) -> PcscConnection:
        """Connect to the token on `reader`, shared, inside a transaction held until disconnect.

        While another program holds its own transaction, PC/SC makes this wait for it to end.
        """
        share = scard.SCARD_SHARE_EXCLUSIVE if exclusive else scard.SCARD_SHARE_SHARED
        code, card, protocol = scard.SCardConnect(
            self._context, reader, share, scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
        )
        if code in (scard.SCARD_E_NO_SMARTCARD, scard.SCARD_W_REMOVED_CARD):
            raise NoCardError(f"no token on the reader {reader!r}; place the token (switched on) on the reader")
        raise_for(code, reader, "connecting to the token")
        connection = PcscConnection(self, reader, card, protocol, b"")
        try:
            code = scard.SCardBeginTransaction(card)
            raise_for(code, reader, "reserving the token")
            connection.in_transaction = True
            code, _name, _state, _protocol, atr = scard.SCardStatus(card)
            raise_for(code, reader, "reading the token's ATR")
        except BaseException:
            connection.disconnect()
            raise
        connection.atr = bytes(atr)
        return connection

    def _wait(self, reader: str, present: bool, timeout: float | None, cancel: threading.Event | None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        known = scard.SCARD_STATE_UNAWARE
        while True:
            if cancel is not None and cancel.is_set():
                return False
            remaining_ms = _POLL_SLICE_MS
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                remaining_ms = max(1, min(_POLL_SLICE_MS, int(left * 1000)))
            code, states = scard.SCardGetStatusChange(self._context, remaining_ms, [(reader, known)])
            if code == scard.SCARD_E_TIMEOUT:
                continue
            raise_for(code, reader, "waiting for the token")
            _name, state, _atr = states[0]
            if bool(state & scard.SCARD_STATE_PRESENT) == present and not state & scard.SCARD_STATE_MUTE:
                return True
            known = state & ~scard.SCARD_STATE_CHANGED

    def wait_for_card(self, reader: str, timeout: float | None, cancel: threading.Event | None = None) -> bool:
        return self._wait(reader, True, timeout, cancel)

    def wait_for_removal(self, reader: str, timeout: float | None, cancel: threading.Event | None = None) -> bool:
        return self._wait(reader, False, timeout, cancel)
