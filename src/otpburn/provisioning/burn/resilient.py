"""A burn that survives the token leaving the reader.

When the link drops, the user is told to keep the token on the reader; the burn waits
for the token to come back (with a timeout, cancellable), checks it is the same token
(serial), and goes on from the first step that did not finish. A step whose answer was
lost counts as unfinished and is done again; settings and seed are written in that
order, so a settings write that erases the seed is always followed by the seed.
Authentication happens at most once per presentation and is never retried after a
refusal.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass

from otpburn.errors import OperationError, OtpburnError, ReaderError
from otpburn.otp.params import OtpParams
from otpburn.provisioning.access.readers import OpenReader
from otpburn.provisioning.burn.families import family_burn
from otpburn.provisioning.burn.steps import (
    BurnCancelledError,
    BurnFailedError,
    BurnOptions,
    BurnReport,
    Step,
    run_burn,
    steps_to_skip,
)
from otpburn.tokens.base import TokenSession
from otpburn.tokens.detect import Credentials, open_session
from otpburn.transport.channel import Channel
from otpburn.transport.errors import CardRemovedError, NoCardError
from otpburn.transport.trace import Tracer

MAX_PRESENTATIONS = 5


class DifferentTokenError(OperationError):
    def __init__(self, serial: str, expected: str) -> None:
        super().__init__(f"a different token was placed (serial {serial}, expected {expected}); put the first "
                         "token back to finish its burn")
        self.serial, self.expected = serial, expected


@dataclass(frozen=True)
class TokenLeft:
    """The token left the reader (during `step`, or while it was identified again): the burn waits up to
    `timeout` seconds for it to come back, and the user may stop it."""

    step: Step | None
    timeout: float


def resilient_burn(opened: OpenReader, params: OtpParams, options: BurnOptions, *,
                   credentials: Credentials | None = None, tracer: Tracer | None = None,
                   progress: Callable[[Step], None] | None = None, on_wait: Callable[[TokenLeft], None] | None = None,
                   resume_timeout: float = 30.0, cancel: threading.Event | None = None,
                   first_session: TokenSession | None = None) -> tuple[BurnReport, int]:
    """Burn with resume; returns the report and how many presentations it took."""
    finished: frozenset[Step] = frozenset()
    serial = None
    session = first_session
    presentations = 0
    while True:
        presentations += 1
        channel = None
        try:
            if session is None:
                connection = opened.backend.connect(opened.name)
                channel = Channel(connection, tracer)
                session = open_session(channel, credentials)
            # else: the first session's channel is the caller's, and stays open for its next command
            # (a Molto2 filled profile after profile keeps one authentication).
            if serial is None:
                serial = session.info.serial
            elif session.info.serial != serial:
                raise DifferentTokenError(session.info.serial, serial)
            family = family_burn(session)
            return run_burn(family, session, params, options, progress, finished), presentations
        except BurnFailedError as failure:
            if not failure.link_lost or presentations >= MAX_PRESENTATIONS or resume_timeout <= 0:
                raise
            finished = steps_to_skip(family, finished, failure)
            wait_for_return(opened, failure, on_wait, resume_timeout, cancel)
        except (CardRemovedError, NoCardError) as exc:  # lost while identifying
            if serial is None or presentations >= MAX_PRESENTATIONS or resume_timeout <= 0:
                raise
            wait_for_return(opened, exc, on_wait, resume_timeout, cancel)
        finally:
            if channel is not None:
                with suppress(OtpburnError):  # the link is already gone
                    channel.close()
        session = None


def wait_for_return(opened: OpenReader, failure: BurnFailedError | ReaderError,
                    on_wait: Callable[[TokenLeft], None] | None, timeout: float,
                    cancel: threading.Event | None) -> None:
    """Wait for the token to come back; the failure that made it wait when it does not, or the user stops."""
    if on_wait:
        on_wait(TokenLeft(failure.step if isinstance(failure, BurnFailedError) else None, timeout))
    try:
        # A token that moved is usually seen leaving before it comes back; a flicker is not.
        opened.backend.wait_for_removal(opened.name, 1.0, cancel)
        back = opened.backend.wait_for_card(opened.name, timeout, cancel)
        stopped = cancel is not None and cancel.is_set()
    except KeyboardInterrupt:  # Ctrl+C while waiting: the token's state is the one the failure left
        back, stopped = False, True
    if back:
        return
    if stopped and isinstance(failure, BurnFailedError):
        raise BurnFailedError(failure.step, BurnCancelledError(), failure.state, failure.report, failure.done)
    raise failure
