"""Writing a token's clock so that it lands exactly: shared by the families whose settings carry the time.

The settings write sets the clock, and the token starts its new second at the moment the write
arrives. To leave a clock exactly where it was (or exactly on the PC's time), the write is sent
where the wanted time crosses a whole second; without `--sync-clock` the token's own time is
first read to a fraction of a second by watching its second tick over.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any, Protocol

from otpburn.provisioning.steps import BurnRun, Step
from otpburn.tokens.base import ClockReading

DEFAULT_LAG = 0.005  # seconds a command takes to reach the token when nothing was measured

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
        run.report.warnings.append("the token's clock did not advance while it was read; a stopped clock shows "
                                   "wrong codes: set it from the PC's clock")
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


def wait_for_whole_second(wanted: TimeAt, lag: float, slack: float = 0.0) -> tuple[int, float]:
    """Sleep until a write sent now arrives as `wanted` crosses a whole second.

    Returns the clock value to write and the monotonic moment it is sent. A late wake-up
    (a loaded machine) costs only its own delay: the value is taken after waking. A write that
    would arrive at most `slack` seconds after a whole second goes at once (many writes in a row).
    """
    now = time.monotonic()
    arrival = wanted(now + lag)
    if arrival - math.floor(arrival) > slack:
        time.sleep(math.ceil(arrival) - arrival)
    sent = time.monotonic()
    return round(wanted(sent + lag)), sent
