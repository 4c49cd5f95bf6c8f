"""A tiny SNTP server on loopback whose clock is off by a chosen number of seconds."""

from __future__ import annotations

import socket
import struct
import threading
import time

NTP_EPOCH_OFFSET = 2_208_988_800


def _ntp(seconds: float) -> bytes:
    return struct.pack(">II", int(seconds) + NTP_EPOCH_OFFSET, int((seconds % 1) * 2**32))


class SkewedSntpServer:
    def __init__(self, skew: float, stratum: int = 2) -> None:
        self.skew, self.stratum = skew, stratum
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self.requests = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data, peer = self.sock.recvfrom(512)
            except TimeoutError:
                continue
            except OSError:
                return
            self.requests += 1
            now = time.time() + self.skew
            answer = bytes((0x24, self.stratum, 6, 0xEC)) + bytes(20) + data[40:48] + _ntp(now) + _ntp(now)
            self.sock.sendto(answer, peer)

    def __enter__(self) -> SkewedSntpServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()
