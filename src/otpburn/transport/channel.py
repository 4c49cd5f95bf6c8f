"""A channel to one card: sends APDUs, follows 61xx/6Cxx, counts and traces exchanges."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from otpburn.errors import OperationError
from otpburn.transport.apdu import Apdu, Response
from otpburn.transport.errors import CardRemovedError
from otpburn.transport.trace import Tracer


class CardConnection(Protocol):
    """What a reader backend hands out once a card is connected."""

    reader: str
    atr: bytes

    def transmit(self, command: bytes) -> bytes: ...

    def disconnect(self) -> None: ...


MAX_CONTINUATIONS = 256  # 61xx chains: 64 KiB at most, far beyond any token's answer


def get_response(length: int) -> Apdu:
    """ISO 7816-4 GET RESPONSE for T=0 readers (`61xx`)."""
    return Apdu(0x00, 0xC0, 0x00, 0x00, le=length, name="GET RESPONSE")


class Channel:
    def __init__(self, connection: CardConnection, tracer: Tracer | None = None) -> None:
        self.connection = connection
        self.tracer = tracer
        self.exchanges = 0
        self.closed = False

    @property
    def reader(self) -> str:
        return self.connection.reader

    @property
    def atr(self) -> bytes:
        return self.connection.atr

    def send(self, apdu: Apdu, remaining: Callable[[int], Apdu] = get_response) -> Response:
        """Send `apdu`; re-issue on `6Cxx`, collect `61xx` continuations with `remaining`."""
        response = self._exchange(apdu)
        if response.sw1 == 0x6C:
            response = self._exchange(apdu.with_le(response.sw2))
        data = response.data
        continuations = 0
        while response.sw1 == 0x61:
            continuations += 1
            if continuations > MAX_CONTINUATIONS:  # a card that always says "more" must not hold us forever
                raise OperationError(f"the token kept announcing more data after {len(data)} bytes; its answer "
                                     "was abandoned")
            response = self._exchange(remaining(response.sw2))
            data += response.data
        return Response(data, response.sw) if data is not response.data else response

    def _exchange(self, apdu: Apdu) -> Response:
        start = time.perf_counter()
        self.exchanges += 1
        try:
            raw = self.connection.transmit(apdu.to_bytes())
        except Exception:
            if self.tracer:
                self.tracer(apdu, None, time.perf_counter() - start)
            raise
        if len(raw) < 2:
            # Some readers report success with no status bytes when the card left mid-command.
            if self.tracer:
                self.tracer(apdu, None, time.perf_counter() - start)
            raise CardRemovedError("the token stopped answering (did it move off the reader?)")
        response = Response.from_bytes(raw)
        if self.tracer:
            self.tracer(apdu, response, time.perf_counter() - start)
        return response

    def close(self) -> None:
        """Disconnect from the card; closing again does nothing."""
        if not self.closed:
            self.closed = True
            self.connection.disconnect()
