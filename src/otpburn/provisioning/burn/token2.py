"""Burning a Token2-family single-profile token: authenticate once, settings, seed, read back.

Settings are written before the seed because on most models a settings (clock) write erases
the seed; the seed always follows, on this presentation or the next.

The settings write also sets the clock, to the second (clock_write.py).
"""

from __future__ import annotations

import time

from otpburn.provisioning.burn.clock_write import TimeAt, read_own_clock, write_on_the_second
from otpburn.provisioning.burn.steps import BurnRun, ClockDriftNote, FamilyBurn, Step, TokenState
from otpburn.tokens.base import DifferentTokenAnsweredError, TokenInfo
from otpburn.tokens.token2 import Token2Session

CLOCK_TOLERANCE = 2.0  # seconds: what a read-back may differ by (the token reports whole seconds)


class Token2Burn(FamilyBurn[Token2Session]):
    def steps(self, run: BurnRun[Token2Session]) -> None:
        session, info, params, options = run.session, run.info, run.params, run.options
        writes_config = Step.CONFIG not in run.skip
        reading = read_own_clock(run, session)
        if not {Step.CONFIG, Step.SEED} <= run.skip:  # a read-back alone needs no authentication
            with run.step(Step.AUTHENTICATE):
                session.authenticate()

        wanted: TimeAt | None = None  # the token's time once its clock is written
        if writes_config:
            with run.step(Step.CONFIG):
                wanted = write_on_the_second(run, reading, lambda clock: session.set_config(
                    options.display_timeout, clock, params.algorithm, params.period))

        if Step.SEED not in run.skip:
            with run.step(Step.SEED):
                session.set_seed(params.secret)

        with run.step(Step.READ_BACK):
            after = session.get_info()
            run.report.read_back = after
            if after.serial != info.serial:
                raise DifferentTokenAnsweredError(after.serial, info.serial)
            if wanted is not None and after.clock is not None:
                # A whole-second reading: the token's time lies in [clock, clock + 1).
                drift = after.clock + 0.5 - wanted(time.monotonic())
                if abs(drift) > CLOCK_TOLERANCE:
                    run.report.notes.append(ClockDriftNote(drift))

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

