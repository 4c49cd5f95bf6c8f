"""The token's clock through burns: kept to a fraction of a second without --sync-clock,
set to the PC's time with it, and a clock that does not run is named."""

from __future__ import annotations

import time

from otpburn.emulator.faults import Fault, FaultPlan
from otpburn.emulator.token2 import Token2Emulator, Token2Memory
from otpburn.otp import OtpParams
from otpburn.provisioning.access.readers import OpenReader
from otpburn.provisioning.access.session import presented_token
from otpburn.provisioning.burn.steps import BurnOptions, ClockStoppedNote, Step
from otpburn.transport.virtual import VIRTUAL_READER, VirtualReader
from tests.provisioning.test_resume_virtual import SteadyHand
from tests.support.burning import burn_on

SECRET = b"12345678901234567890"


def burn_once(card: Token2Emulator, options: BurnOptions, reader: VirtualReader | None = None):
    reader = reader or VirtualReader(card)
    with presented_token(OpenReader(reader, VIRTUAL_READER)) as token:
        return burn_on(token, OtpParams(SECRET), options, resume_timeout=5)


def offset_now(card: Token2Emulator) -> float:
    return card.clock() - time.time()


def test_ten_burns_without_sync_keep_the_tokens_offset():
    start = -40.3
    card = Token2Emulator(Token2Memory(serial="8659622000001", clock_offset=start, clock_set_at=time.time()))
    offsets = []
    for _ in range(10):
        result = burn_once(card, BurnOptions(sync_clock=False))
        assert Step.READ_CLOCK in result.report.done and not result.report.notes
        offsets.append(offset_now(card))
    # A whole-second write would have moved it by up to a second each time (the old drift was -0.3..-0.7 s per burn).
    assert all(abs(offset - start) <= 0.5 for offset in offsets), offsets
    assert card.memory.seed == SECRET.hex()


def test_sync_clock_puts_the_token_on_the_pcs_time_without_reading_it_first():
    card = Token2Emulator(Token2Memory(serial="8659622000001", clock_offset=-300.6, clock_set_at=time.time()))
    result = burn_once(card, BurnOptions(sync_clock=True))
    assert Step.READ_CLOCK not in result.report.done
    assert abs(offset_now(card)) <= 0.5


def test_a_clock_that_does_not_run_is_named_and_the_burn_still_finishes():
    # drift of -1 000 000 ppm: the emulated clock stands still
    card = Token2Emulator(Token2Memory(serial="8659622000001", clock_set_at=time.time(), drift_ppm=-1_000_000))
    result = burn_once(card, BurnOptions(sync_clock=False))
    assert any(isinstance(note, ClockStoppedNote) for note in result.report.notes)
    assert card.memory.seed == SECRET.hex()


def test_losing_the_token_while_its_clock_is_read_resumes_and_keeps_the_offset():
    # The second GET INFO is the first read of the clock watch.
    card = Token2Emulator(Token2Memory(serial="8659622000001", clock_offset=7.25, clock_set_at=time.time()),
                          faults=FaultPlan([Fault("drop-after", 0x41, skip=1)]))
    reader = VirtualReader(card)
    with SteadyHand(reader):
        result = burn_once(card, BurnOptions(sync_clock=False), reader)
    assert result.presentations == 2
    assert card.memory.auth_attempts == 1  # nothing secure was sent on the lost presentation
    assert abs(offset_now(card) - 7.25) <= 0.5
