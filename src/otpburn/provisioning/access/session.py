"""The one way front ends reach a token: lock, reader, connection, identified session, checks.

`token_session` takes the per-user reader lock, opens the reader, connects to the token,
identifies its family, and always closes all of it again, whatever happens inside. The CLI,
the window and batches use it (batches hold the reader with `reader_session` and present
one token after another with `presented_token`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from otpburn.otp.params import OtpParams
from otpburn.provisioning.access.lock import ReaderLock
from otpburn.provisioning.access.readers import OpenReader, connect, open_reader
from otpburn.provisioning.burn import checks as preflight
from otpburn.tokens.base import TokenInfo, TokenSession
from otpburn.tokens.detect import open_session
from otpburn.tokens.token2 import TRANSPORT_KEY
from otpburn.transport.channel import Channel
from otpburn.transport.trace import Tracer


@dataclass
class TokenOnReader:
    """An identified token on an open reader, for as long as its `token_session` lasts."""

    reader: OpenReader
    channel: Channel
    session: TokenSession
    key: bytes = TRANSPORT_KEY

    @property
    def info(self) -> TokenInfo:
        return self.session.info

    def checks(self, params: OtpParams, sync_clock: bool = False, ntp_servers: list[str] | None = None,
               check_pc_clock: bool = True) -> list[preflight.Check]:
        """Every check before a burn of `params`, each with its verdict."""
        return preflight.burn_checks(self.info, params, sync_clock, ntp_servers, check_pc_clock)


@contextmanager
def reader_session(reader: str | None, holder: str = "cli") -> Iterator[OpenReader]:
    """The reader `reader` names, held under the per-user lock until the block ends."""
    with ReaderLock(holder):
        opened = open_reader(reader)
        try:
            yield opened
        finally:
            opened.close()


@contextmanager
def presented_token(opened: OpenReader, *, wait: float = 0.0, tracer: Tracer | None = None,
                    key: bytes = TRANSPORT_KEY) -> Iterator[TokenOnReader]:
    """The token on `opened` (waiting up to `wait` s for one), identified; disconnected afterwards."""
    channel = Channel(connect(opened, wait), tracer)
    try:
        yield TokenOnReader(opened, channel, open_session(channel, key), key)
    finally:
        channel.close()


@contextmanager
def token_session(reader: str | None, *, holder: str = "cli", wait: float = 0.0, tracer: Tracer | None = None,
                  key: bytes = TRANSPORT_KEY) -> Iterator[TokenOnReader]:
    """Lock, open the reader, identify the token; everything is closed when the block ends."""
    with reader_session(reader, holder) as opened, presented_token(opened, wait=wait, tracer=tracer,
                                                                   key=key) as token:
        yield token
