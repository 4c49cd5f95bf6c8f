"""Writing a token's clock so that it lands exactly: shared by the families whose settings carry the time.

The settings write sets the clock, and the token starts its new second at the moment the write
arrives. To leave a clock where it was (or on the PC's time), the write must arrive where the wanted
time crosses a whole second: within CLOCK_SLACK of one, it goes at once (the token's clock then runs
that little behind or ahead), otherwise it waits for the next. Without `--sync-clock` the token's
own time is first read to a fraction of a second by watching its second tick over — and then, a
moment after that edge, authentication and the write usually still land inside the slack, so no
second is lost waiting. (Authenticating before the watch would save the few milliseconds between,
but no host reads the clock between authentication and the writes, and whether every firmware keeps
the authentication across those reads is not documented; the order stays the vendor's.)
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any, Protocol

from otpburn.provisioning.burn.steps import BurnRun, ClockStoppedNote, Step
from otpburn.tokens.base import ClockReading

DEFAULT_LAG = 0.005  # seconds a command takes to reach the token when nothing was measured
CLOCK_SLACK = 0.05  # seconds a written clock may differ from the wanted time (either way), instead of waiting

TimeAt = Callable[[float], float]  # the wanted token time at a time.monotonic() moment


class ClockedSession(Protocol):
    def read_clock_tick(self) -> ClockReading: ...


def read_own_clock(run: BurnRun[Any], session: ClockedSession) -> ClockReading | None:
    """The READ_CLOCK step, when settings are to be written and the token's own time is kept.

    Run it before authentication: nothing may come between the reading and the writes.
    """
    if Step.CONFIG in run.skip or run.options.sync_clock or run.info.clock is None:
        return None
    with run.step(Step.READ_CLOCK):
        started = time.monotonic()
        reading = session.read_clock_tick()
        run.report.clock_wait += time.monotonic() - started
    if not reading.ticked:
        run.report.notes.append(ClockStoppedNote())
    return reading


def write_on_the_second(run: BurnRun[Any], reading: ClockReading | None, write: Callable[[int], None]) -> TimeAt:
    """Call `write(clock)` (inside the CONFIG step) so that it arrives as the wanted time turns a whole
    second; the token's time from then on (for a read-back check)."""
    wanted = token_time(reading)
    lag = reading.lag if reading else DEFAULT_LAG
    waiting = time.monotonic()
    clock, sent = wait_for_whole_second(wanted, lag)
    run.report.clock_wait += sent - waiting
    write(clock)
    run.report.clock_written = clock
    return written_time(clock, sent + lag)


def token_time(reading: ClockReading | None) -> TimeAt:
    """The time the token should keep: its own (as read) or, without a reading, the PC's."""
    if reading is not None:
        return reading.at
    wall_minus_monotonic = time.time() - time.monotonic()
    return lambda monotonic: monotonic + wall_minus_monotonic


def written_time(clock: int, arrived: float) -> TimeAt:
    return lambda monotonic: clock + (monotonic - arrived)


def wait_for_whole_second(wanted: TimeAt, lag: float, slack: float = CLOCK_SLACK) -> tuple[int, float]:
    """The clock value to write and the monotonic moment to send it, so that it arrives within `slack` of
    where `wanted` crosses a whole second.

    A write that would arrive within `slack` of a whole second (either side) goes at once, with that
    second's value; otherwise this sleeps until the next one. A late wake-up (a loaded machine) costs
    only its own delay: the value is taken after waking.
    """
    now = time.monotonic()
    arrival = wanted(now + lag)
    fraction = arrival - math.floor(arrival)
    if slack < fraction < 1 - slack:
        time.sleep(math.ceil(arrival) - arrival)
    sent = time.monotonic()
    return round(wanted(sent + lag)), sent
