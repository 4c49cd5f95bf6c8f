"""The one way front ends reach a token: lock, reader, connection, identified session.

`token_session` takes the per-user reader lock, opens the reader, connects to the token,
identifies its family, and always closes all of it again, whatever happens inside. The CLI,
the window and batches use it (batches hold the reader with `reader_session` and present
one token after another with `presented_token`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from otpburn.provisioning.access.lock import ReaderLock
from otpburn.provisioning.access.readers import OpenReader, connect, open_reader
from otpburn.tokens.base import TokenInfo, TokenSession
from otpburn.tokens.detect import Credentials, open_session
from otpburn.tokens.probe import ProbeReport, probe
from otpburn.transport.channel import Channel
from otpburn.transport.trace import Tracer


@dataclass
class TokenOnReader:
    """An identified token on an open reader, for as long as its `token_session` lasts; `credentials` are
    what the user gave for each family (a token placed again after a dropped link is opened with them)."""

    reader: OpenReader
    channel: Channel
    session: TokenSession
    credentials: Credentials = field(default_factory=Credentials)

    @property
    def info(self) -> TokenInfo:
        return self.session.info


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
                    credentials: Credentials | None = None) -> Iterator[TokenOnReader]:
    """The token on `opened` (waiting up to `wait` s for one), identified; disconnected afterwards."""
    given = credentials or Credentials()
    channel = Channel(connect(opened, wait), tracer)
    try:
        yield TokenOnReader(opened, channel, open_session(channel, given), given)
    finally:
        channel.close()


@contextmanager
def token_session(reader: str | None, *, holder: str = "cli", wait: float = 0.0, tracer: Tracer | None = None,
                  credentials: Credentials | None = None) -> Iterator[TokenOnReader]:
    """Lock, open the reader, identify the token; everything is closed when the block ends."""
    with reader_session(reader, holder) as opened, presented_token(opened, wait=wait, tracer=tracer,
                                                                   credentials=credentials) as token:
        yield token


def probe_reader(reader: str | None, *, holder: str = "cli", wait: float = 0.0) -> ProbeReport:
    """The read-only probe of whatever card is on `reader` (tokens.probe): no authentication, no write."""
    with reader_session(reader, holder) as opened:
        channel = Channel(connect(opened, wait))
        try:
            return probe(channel)
        finally:
            channel.close()
