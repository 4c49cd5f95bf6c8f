"""Is the PC's clock right? A small SNTP client (RFC 4330), with short timeouts.

A token's clock is set from the PC's, so the PC is checked first: Deepnet's first
troubleshooting step, automated. Offline is a warning, never a hang.
"""

from __future__ import annotations

import os
import socket
import struct
import threading
import time
from dataclasses import dataclass
from enum import StrEnum

from otpburn.errors import InputError, OperationError
from otpburn.untrusted import ascii_number

NTP_EPOCH_OFFSET = 2_208_988_800  # seconds from 1900-01-01 to 1970-01-01
DEFAULT_SERVERS = ("pool.ntp.org",)
WARN_OFFSET = 2.0  # seconds
STOP_OFFSET = 30.0


class PcClockState(StrEnum):
    RIGHT = "right"  # within WARN_OFFSET of a time server
    OFF = "off"  # beyond WARN_OFFSET: a token's clock set from it would be off too
    FAR_OFF = "far-off"  # beyond STOP_OFFSET: no clock is set from it
    NOT_CHECKED = "not-checked"  # no time server configured
    UNREACHABLE = "unreachable"  # no server answered (offline?)


@dataclass(frozen=True)
class PcClockResult:
    state: PcClockState
    offset: float | None = None  # reference time minus PC time, seconds (positive: the PC is behind)
    server: str = ""
    failures: tuple[str, ...] = ()  # "server: reason" for each server that did not answer

    @property
    def verdict(self) -> str:
        return {PcClockState.RIGHT: "ok", PcClockState.FAR_OFF: "stop"}.get(self.state, "warn")


class PcClockWrongError(OperationError):
    """The PC's clock is too far off to set a token's clock from it: nothing was written."""

    def __init__(self, result: PcClockResult) -> None:
        self.result = result
        super().__init__(f"the PC's clock is {result.offset or 0:+.0f} s off {result.server}; nothing was written")


def configured_servers() -> list[str]:
    """Servers from OTPBURN_NTP_SERVERS (comma separated; empty disables the check) or the default pool."""
    value = os.environ.get("OTPBURN_NTP_SERVERS")
    if value is None:
        return list(DEFAULT_SERVERS)
    return [server.strip() for server in value.split(",") if server.strip()]


def _to_ntp(seconds: float) -> bytes:
    whole = int(seconds) + NTP_EPOCH_OFFSET
    return struct.pack(">II", whole & 0xFFFFFFFF, int((seconds % 1) * 2**32))


def _from_ntp(data: bytes) -> float:
    whole, fraction = struct.unpack(">II", data)
    return float(whole - NTP_EPOCH_OFFSET + fraction / 2**32)


def split_server(server: str) -> tuple[str, int]:
    """`host` or `host:port` (an IPv6 address in brackets when it has a port)."""
    host, port = server, "123"
    if server.startswith("["):
        host, closed, rest = server[1:].partition("]")
        port = rest.removeprefix(":") or port
        if not closed:
            host = ""
    elif server.count(":") == 1:
        host, _, port = server.partition(":")
    number = ascii_number(port, 5)
    if not host or number is None or not 0 < number < 65536:
        raise InputError(f"{server!r} is not a time server (HOST or HOST:PORT)")
    return host, number


def query(server: str, timeout: float = 1.0) -> float:
    """The offset (server time minus local time) in seconds; OSError or TimeoutError on failure.

    Only an answer from the server's own address and port that echoes our transmit time is
    taken, so a stray or spoofed datagram cannot move the verdict.
    """
    host, port = split_server(server)
    addresses: list[tuple[str, int]] = []
    errors: list[OSError] = []

    def resolve() -> None:  # getaddrinfo has no timeout of its own
        try:
            info = socket.getaddrinfo(host, port, socket.AF_INET, socket.SOCK_DGRAM)[0][4]
            addresses.append((str(info[0]), int(info[1])))
        except OSError as exc:
            errors.append(exc)

    resolver = threading.Thread(target=resolve, daemon=True)
    resolver.start()
    resolver.join(timeout)
    if not addresses:
        raise errors[0] if errors else TimeoutError(f"could not resolve {host} in time")
    address = addresses[0]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.connect(address)  # the kernel then drops datagrams from any other address or port
        sent = time.time()
        transmit = _to_ntp(sent)
        sock.send(b"\x23" + bytes(39) + transmit)  # LI 0, version 4, client mode
        data = sock.recv(512)
        received = time.time()
    if len(data) < 48 or data[0] & 0x07 not in (4, 5):
        raise OSError("not an NTP server answer")
    if data[24:32] != transmit:
        raise OSError("the answer does not belong to our request")
    if data[1] == 0:
        raise OSError("the server is not synchronised (kiss-o'-death)")
    server_received, server_sent = _from_ntp(data[32:40]), _from_ntp(data[40:48])
    return ((server_received - sent) + (server_sent - received)) / 2


def check_pc_clock(servers: list[str] | None = None, timeout: float = 1.0) -> PcClockResult:
    servers = configured_servers() if servers is None else servers
    if not servers:
        return PcClockResult(PcClockState.NOT_CHECKED)
    failures = []
    for server in servers:
        try:
            offset = query(server, timeout)
        except (OSError, TimeoutError) as exc:
            failures.append(f"{server}: {exc.strerror if isinstance(exc, OSError) and exc.strerror else exc}")
            continue
        if abs(offset) <= WARN_OFFSET:
            return PcClockResult(PcClockState.RIGHT, offset, server)
        return PcClockResult(PcClockState.FAR_OFF if abs(offset) > STOP_OFFSET else PcClockState.OFF, offset, server)
    return PcClockResult(PcClockState.UNREACHABLE, failures=tuple(failures))
