"""The library returns data; the CLI and the window word it. Every member of every kind of data a burn hands
to a front end — steps, token states, checks and their findings, notes, refusals, waits, export notes, code
diagnoses, the PC clock's verdicts, batch events and the errors that carry data — is rendered here through
both front ends' words. A new member without words fails this test.

(Batches run from the command line only: their events are worded by the CLI alone.)
"""

from __future__ import annotations

import pytest

from otpburn.cli import wording as cli
from otpburn.cli.export_notes import export_note_text
from otpburn.errors import RegistrationError, RegistrationProblem
from otpburn.otp import Algorithm, OtpParams
from otpburn.otp.diagnosis import Cause, Diagnosis
from otpburn.otp.fitting import FitAction, FittedSecret
from otpburn.otp.refusals import Refusal, RefusalKind
from otpburn.provisioning.batches.batch import (
    BatchEvent,
    BatchRow,
    PlaceNext,
    RowDone,
    RowResult,
    SkipReason,
    Stopped,
    StopReason,
)
from otpburn.provisioning.batches.fill import NotEnoughProfilesError
from otpburn.provisioning.burn import checks
from otpburn.provisioning.burn.flow import AfterBurnError, AfterStage, BurnOutcome
from otpburn.provisioning.burn.pc_clock import PcClockResult, PcClockState, PcClockWrongError
from otpburn.provisioning.burn.resilient import TokenLeft
from otpburn.provisioning.burn.steps import (
    BurnCancelledError,
    BurnFailedError,
    BurnNote,
    BurnReport,
    ClockDriftNote,
    ClockStoppedNote,
    ResumedNote,
    SecretFittedNote,
    SeedDoesNotFitError,
    Step,
    TitleCutNote,
    TokenState,
)
from otpburn.provisioning.records.exports import DuoTypeNote, ExportNote, ExportRefusedError, SpreadsheetNote
from otpburn.registrars.base import SettingsRefusedError
from otpburn.sources.seedfiles import SeedRecord
from otpburn.tokens.base import Family, TokenInfo
from otpburn.tokens.token2 import capabilities, model_for_serial

gui = pytest.importorskip("otpburn.gui.wording", reason="PySide6 is part of the test extras")

PARAMS = OtpParams(secret=b"wording test secret!", issuer="Acme", account="amy")
FITTED = FittedSecret(b"x" * 20, (FitAction.HASHED, FitAction.PADDED), 70)
INFO = TokenInfo(Family.TOKEN2, "OTPC-P2-i", "8659622000001", capabilities(model_for_serial("8659622000001")))
CLOCK = PcClockResult(PcClockState.OFF, 42.0, "pool.ntp.org", ("pool.ntp.org: timed out",))


def refusal(kind: RefusalKind) -> Refusal:
    return Refusal(kind, "OTPC-P2-i", 7, (1, 2))


FINDINGS: dict[type[checks.Finding], checks.Finding] = {
    checks.ModelNotWritable: checks.ModelNotWritable("8659699000001", "unknown"),
    checks.SeedFits: checks.SeedFits(Algorithm.SHA1, 6, 20),
    checks.SecretFitted: checks.SecretFitted(FITTED),
    checks.SeedRefused: checks.SeedRefused(tuple(refusal(kind) for kind in RefusalKind)),
    checks.TokenClock: checks.TokenClock(-40.3, False, True),
    checks.PcClock: checks.PcClock(CLOCK),
    checks.ExportPlanned: checks.ExportPlanned("entra", "/tmp/entra.csv"),
    checks.RegistrarReady: checks.RegistrarReady("privacyidea", "pi", "3.14", "amy"),
    checks.ProgressReady: checks.ProgressReady("/tmp/progress.json"),
    checks.RegistrationDeferred: checks.RegistrationDeferred("privacyidea", RegistrationError(
        "no answer", system="privacyidea", problem=RegistrationProblem.UNREACHABLE)),
}
NOTES: dict[type[BurnNote], BurnNote] = {
    SecretFittedNote: SecretFittedNote(FITTED), ClockStoppedNote: ClockStoppedNote(), ClockDriftNote: ClockDriftNote(3),
    TitleCutNote: TitleCutNote("A very long "), ResumedNote: ResumedNote(2),
}
EXPORT_NOTES: dict[type[ExportNote], ExportNote] = {
    SpreadsheetNote: SpreadsheetNote(("0012345",)), DuoTypeNote: DuoTypeNote(6, 30),
}
RECORD = SeedRecord("8659622000001", PARAMS, 3)
BATCH_EVENTS: dict[type[BatchEvent], list[BatchEvent]] = {
    PlaceNext: [PlaceNext(1, 3)],
    RowDone: [RowDone(BatchRow("8659622000001", "OTPC-P2-i", result, RECORD), True) for result in RowResult]
    + [RowDone(BatchRow("?", "", RowResult.SKIPPED, skipped=reason), True) for reason in SkipReason],
    Stopped: [Stopped(reason, 2, 30.0) for reason in StopReason],
}


def report() -> BurnReport:
    return BurnReport(INFO, PARAMS, FITTED)


def test_every_kind_of_finding_note_and_event_has_a_sample_here():
    """Guards the test itself: a new subclass must be added above (and so worded)."""
    assert set(checks.Finding.__subclasses__()) == set(FINDINGS)
    assert set(BurnNote.__subclasses__()) == set(NOTES)
    assert set(ExportNote.__subclasses__()) == set(EXPORT_NOTES)
    assert set(BatchEvent.__subclasses__()) == set(BATCH_EVENTS)


def worded(*texts: str) -> None:
    for text in texts:
        assert isinstance(text, str) and text.strip() and "{" not in text, text


@pytest.mark.parametrize("state", list(TokenState))
def test_token_states(state):
    worded(cli.STATES[state], gui.tr(gui.STATES[state]))


@pytest.mark.parametrize("step", list(Step))
def test_steps(step):
    worded(cli.STEPS[step], gui.tr(gui.STEPS[step]))


@pytest.mark.parametrize("kind", list(checks.CheckKind))
@pytest.mark.parametrize("verdict", list(checks.Verdict))
def test_checks(kind, verdict):
    for finding in FINDINGS.values():
        check = checks.Check(kind, verdict, finding)
        worded(cli.check_line(check), gui.check_text(check))


@pytest.mark.parametrize("note", list(NOTES.values()), ids=lambda note: type(note).__name__)
def test_burn_notes(note):
    worded(cli.note_text(note), gui.note_text(note))


@pytest.mark.parametrize("kind", list(RefusalKind))
def test_refusals(kind):
    for holder in ("OTPC-P2-i", "entra", "duo", "privacyidea"):
        one = Refusal(kind, holder, 7, (1, 2))
        worded(cli.refusal_text(one), gui.refusal_text(one))


@pytest.mark.parametrize("state", list(PcClockState))
def test_pc_clock(state):
    result = PcClockResult(state, 3.5, "pool.ntp.org", ("pool.ntp.org: timed out",))
    worded(cli.pc_clock_text(result), gui.pc_clock_text(result))


@pytest.mark.parametrize("cause", list(Cause))
def test_diagnoses(cause):
    diagnosis = Diagnosis(cause is Cause.MATCHES, cause, 60, None, 12, Algorithm.SHA256, 60, 8)
    worded(cli.cause_text(diagnosis, PARAMS), gui.cause_text(diagnosis, PARAMS))
    if cause is not Cause.MATCHES:
        worded(cli.fix_text(diagnosis, PARAMS), gui.fix_text(diagnosis, PARAMS))


@pytest.mark.parametrize("note", list(EXPORT_NOTES.values()), ids=lambda note: type(note).__name__)
def test_export_notes(note):
    worded(export_note_text(note), gui.export_note_text(note))


@pytest.mark.parametrize("step", [None, *Step])
def test_waiting(step):
    left = TokenLeft(step, 30.0)
    worded(cli.waiting_text(left), gui.waiting_text(left))


@pytest.mark.parametrize("event", [event for events in BATCH_EVENTS.values() for event in events], ids=repr)
def test_batch_events_in_the_cli(event):
    worded(cli.batch_event_text(event))


ERRORS = [
    *(BurnFailedError(Step.SEED, BurnCancelledError(), state, None) for state in TokenState),
    SeedDoesNotFitError([refusal(kind) for kind in RefusalKind]),
    ExportRefusedError("entra", "8659622000001", [refusal(RefusalKind.ALGORITHM)]),
    SettingsRefusedError("entra", [Refusal(RefusalKind.PERIOD, "entra", 45, (30, 60))]),
    PcClockWrongError(PcClockResult(PcClockState.FAR_OFF, 300.0, "pool.ntp.org")),
    *(AfterBurnError(stage, BurnCancelledError(), BurnOutcome(report(), 1, None, None)) for stage in AfterStage),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda error: type(error).__name__)
def test_errors_that_carry_data(error):
    worded(cli.describe(error), gui.error_text(error))


def test_a_fill_that_does_not_fit_in_the_cli():
    worded(cli.describe(NotEnoughProfilesError(12, 3, 90)))
