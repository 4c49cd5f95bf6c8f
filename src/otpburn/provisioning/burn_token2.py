"""Burning a Token2-family single-profile token: authenticate once, settings, seed, read back.

Settings are written before the seed because on most models a settings (clock) write erases
the seed; the seed always follows, on this presentation or the next.

The settings write also sets the clock, and the token starts its new second at the moment
the write arrives. To leave a clock exactly where it was (or exactly on the PC's time), the
write is sent where the wanted time crosses a whole second; without `--sync-clock` the token's
time is first read to a fraction of a second by watching its second tick over.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from otpburn.provisioning.steps import BurnRun, FamilyBurn, Step, TokenState
from otpburn.tokens.base import ClockReading, DifferentTokenAnsweredError, TokenInfo
from otpburn.tokens.token2 import Token2Session

CLOCK_TOLERANCE = 2.0  # seconds: what a read-back may differ by (the token reports whole seconds)
DEFAULT_LAG = 0.005  # seconds a command takes to reach the token when nothing was measured


class Token2Burn(FamilyBurn[Token2Session]):
    def steps(self, run: BurnRun[Token2Session]) -> None:
        session, info, params, options = run.session, run.info, run.params, run.options
        writes_config = Step.CONFIG not in run.skip
        reading: ClockReading | None = None
        if writes_config and not options.sync_clock and info.clock is not None:
            with run.step(Step.READ_CLOCK):  # before authentication: nothing may come between it and the writes
                started = time.monotonic()
                reading = session.read_clock_tick()
                run.report.clock_wait += time.monotonic() - started
                if not reading.ticked:
                    run.report.warnings.append("the token's clock did not advance while it was read; a stopped "
                                               "clock shows wrong codes: set it from the PC's clock")
        if not {Step.CONFIG, Step.SEED} <= run.skip:  # a read-back alone needs no authentication
            with run.step(Step.AUTHENTICATE):
                session.authenticate()

        wanted = token_time(reading)
        if writes_config:
            with run.step(Step.CONFIG):
                lag = reading.lag if reading else DEFAULT_LAG
                waiting = time.monotonic()
                clock, sent = wait_for_whole_second(wanted, lag)
                run.report.clock_wait += sent - waiting
                session.set_config(options.display_timeout, clock, params.algorithm, params.period)
                wanted = written_time(clock, sent + lag)
                run.report.clock_written = clock

        if Step.SEED not in run.skip:
            with run.step(Step.SEED):
                session.set_seed(params.secret)

        with run.step(Step.READ_BACK):
            after = session.get_info()
            run.report.read_back = after
            if after.serial != info.serial:
                raise DifferentTokenAnsweredError(after.serial, info.serial)
            if writes_config and after.clock is not None:
                # A whole-second reading: the token's time lies in [clock, clock + 1).
                drift = after.clock + 0.5 - wanted(time.monotonic())
                if abs(drift) > CLOCK_TOLERANCE:
                    run.report.warnings.append(f"the token's clock reads {drift:+.0f} s from what was written")

    def state_after(self, finished: set[Step], info: TokenInfo, interrupted: Step | None = None) -> TokenState:
        if Step.SEED in finished:
            return TokenState.SEED_WRITTEN
        # A write whose answer was lost may have happened: assume the worse, so the advice is to burn again.
        if Step.CONFIG in finished or interrupted in (Step.CONFIG, Step.SEED):
            return TokenState.SEED_ERASED if info.capabilities.time_write_wipes_seed else TokenState.SETTINGS_WRITTEN
        return TokenState.UNTOUCHED

    def carry_over(self, finished: set[Step]) -> set[Step]:
        if Step.CONFIG not in finished:
            return finished - {Step.SEED}  # settings still to be written would erase the seed
        return finished


TimeAt = Callable[[float], float]  # the wanted token time at a time.monotonic() moment


def token_time(reading: ClockReading | None) -> TimeAt:
    """The time the token should keep: its own (as read) or, without a reading, the PC's."""
    if reading is not None:
        return reading.at
    wall_minus_monotonic = time.time() - time.monotonic()
    return lambda monotonic: monotonic + wall_minus_monotonic


def written_time(clock: int, arrived: float) -> TimeAt:
    return lambda monotonic: clock + (monotonic - arrived)


def wait_for_whole_second(wanted: TimeAt, lag: float) -> tuple[int, float]:
    """Sleep until a write sent now arrives as `wanted` crosses a whole second.

    Returns the clock value to write and the monotonic moment it is sent. A late wake-up
    (a loaded machine) costs only its own delay: the value is taken after waking.
    """
    now = time.monotonic()
    arrival = wanted(now + lag)
    time.sleep(max(0.0, math.ceil(arrival) - arrival))
    sent = time.monotonic()
    return round(wanted(sent + lag)), sent
