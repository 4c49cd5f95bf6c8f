"""Connects an emulated card to pcscd through vsmartcard's vpcd driver.

vpcd speaks a tiny protocol over TCP: each message is a 2-byte big-endian length and
that many bytes. One byte is a control code (00 power off, 01 power on, 02 reset,
04 send the ATR); anything longer is a command APDU answered by one response APDU.

vpcd listens (on every interface, port 35963 + slot) and the card connects to it.
To keep that listener off the network, `PcscdStack` runs pcscd in a network namespace
of its own that has only a loopback interface; the bridge then opens its socket inside
that namespace (`netns`).

A card that raises `LinkLostError` is treated as taken off the reader: the connection is
dropped mid-command and the card stays away for `reinsert_after` seconds.
"""

from __future__ import annotations

import ctypes
import os
import socket
import struct
import threading
import time
from collections.abc import Callable

from otpburn.transport.virtual import LinkLostError, VirtualCard

_POWER_OFF, _POWER_ON, _RESET, _GET_ATR = 0, 1, 2, 4
_CLONE_NEWNET = 0x40000000
_QUICKACK = getattr(socket, "TCP_QUICKACK", None)  # Linux only


def enter_netns(path: str) -> None:
    """Move the calling thread into the network namespace at `path` (Linux, needs root)."""
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, _CLONE_NEWNET) != 0:
            error = ctypes.get_errno()
            raise OSError(error, f"cannot enter network namespace {path}: {os.strerror(error)}")
    finally:
        os.close(fd)


def _recv_exact(sock: socket.socket, count: int) -> bytes | None:
    data = b""
    while len(data) < count:
        if _QUICKACK is not None:
            # vpcd writes the length and the message in two sends; acknowledging at once keeps
            # its Nagle algorithm from holding the message back for our delayed ACK (~40 ms).
            sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
        chunk = sock.recv(count - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _send(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(struct.pack("!H", len(payload)) + payload)


class VpcdBridge:
    def __init__(self, card: VirtualCard | None, host: str = "127.0.0.1", port: int = 35963, *,
                 netns: str | None = None, reinsert_after: float = 1.0,
                 on_event: Callable[[str], None] | None = None) -> None:
        self.card = card
        self.host = host
        self.port = port
        self.netns = netns
        self.reinsert_after = reinsert_after
        self.on_event = on_event or (lambda event: None)
        self._stop = threading.Event()
        self._absent_until = 0.0
        self._threads: list[threading.Thread] = []
        self.connected = threading.Event()

    # --- card presence -------------------------------------------------------------
    @property
    def present(self) -> bool:
        return self.card is not None and time.monotonic() >= self._absent_until

    def remove_for(self, seconds: float) -> None:
        """Take the card off the reader for a while (as if the user lifted the token)."""
        self._absent_until = time.monotonic() + seconds
        if self.card is not None:
            self.card.power_off()

    # --- lifecycle -----------------------------------------------------------------
    def start(self) -> VpcdBridge:
        self._spawn(self._connect_loop)
        return self

    def _spawn(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name="vpcd-bridge")
        thread.start()
        self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=2)

    def wait(self) -> None:
        """Block until stop() is called (or Ctrl+C)."""
        while not self._stop.wait(0.5):
            pass

    def __enter__(self) -> VpcdBridge:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- loops ---------------------------------------------------------------------
    def _connect_loop(self) -> None:
        if self.netns:
            enter_netns(self.netns)  # this thread only: its sockets live in pcscd's namespace
        while not self._stop.is_set():
            try:
                client = socket.create_connection((self.host, self.port), timeout=2)
            except OSError:
                self._stop.wait(0.5)
                continue
            self.on_event(f"connected to vpcd at {self.host}:{self.port}")
            self.connected.set()
            with client:
                client.settimeout(None)
                # Without this, Nagle and delayed ACKs add ~40 ms to every APDU.
                client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self._serve(client)
            self.connected.clear()
            if not self._stop.is_set():
                # After a simulated removal, stay away before vpcd sees the card again.
                delay = max(0.0, self._absent_until - time.monotonic())
                self._stop.wait(delay or 0.2)

    def _serve(self, sock: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                header = _recv_exact(sock, 2)
                if header is None:
                    return
                message = _recv_exact(sock, struct.unpack("!H", header)[0])
                if message is None:
                    return
            except OSError:
                return
            card = self.card if self.present else None
            if len(message) == 1:
                if not self._control(sock, message[0], card):
                    return
                continue
            if card is None:
                return  # no card: vpcd sees the link fail, as with a real reader
            try:
                answer = card.process(message)
            except LinkLostError:
                self.on_event("link lost (token moved off the reader)")
                self.remove_for(self.reinsert_after)
                return
            try:
                _send(sock, answer)
            except OSError:
                return

    def _control(self, sock: socket.socket, code: int, card: VirtualCard | None) -> bool:
        if code == _GET_ATR:
            # An empty ATR tells vpcd that no card is present.
            _send(sock, card.atr if card is not None else b"")
            return card is not None
        if card is not None:
            if code == _POWER_OFF:
                card.power_off()
            elif code in (_POWER_ON, _RESET):
                card.power_on()
        return True
