"""The window's words for what the library returns as data: steps, token states, checks, notes, refusals,
waits, export notes, code diagnoses, and the errors that carry data. Every text goes through Qt's
translation (context "Wording"); `tests/architecture/test_wording.py` renders every member.

Loaded when the first of these is shown, not with the window: it brings the data types of the burn.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication

from otpburn.errors import OtpburnError
from otpburn.gui.translation import QT_TRANSLATE_NOOP, remedy_text
from otpburn.otp.diagnosis import Cause, Diagnosis
from otpburn.otp.fitting import FitAction, FittedSecret
from otpburn.otp.params import OtpParams
from otpburn.otp.refusals import Refusal, RefusalKind
from otpburn.provisioning.burn.checks import (
    Check,
    CheckKind,
    ExportPlanned,
    Finding,
    ModelNotWritable,
    PcClock,
    ProgressReady,
    RegistrarReady,
    RegistrationDeferred,
    SecretFitted,
    SeedFits,
    SeedRefused,
    TokenClock,
)
from otpburn.provisioning.burn.flow import AfterBurnError, AfterStage
from otpburn.provisioning.burn.pc_clock import PcClockResult, PcClockState, PcClockWrongError
from otpburn.provisioning.burn.resilient import TokenLeft
from otpburn.provisioning.burn.steps import (
    BurnFailedError,
    BurnNote,
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
from otpburn.registrars.base import IMPORT_NAMES, SYSTEM_NAMES, SettingsRefusedError

CONTEXT = "Wording"


def tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


STATES: dict[TokenState, str] = {
    TokenState.UNTOUCHED: QT_TRANSLATE_NOOP("Wording", "Nothing was written to the token."),
    TokenState.SETTINGS_WRITTEN: QT_TRANSLATE_NOOP(
        "Wording", "The settings were written; the old seed is still there but may not match them: burn again."),
    TokenState.SEED_ERASED: QT_TRANSLATE_NOOP(
        "Wording", "The settings were written and the token's old seed is erased: burn again."),
    TokenState.SEED_WRITTEN: QT_TRANSLATE_NOOP(
        "Wording", "The seed was written; check the token's code before relying on it."),
    TokenState.CREDENTIAL_UNCONFIRMED: QT_TRANSLATE_NOOP(
        "Wording", "The credential was written but could not be confirmed."),
    TokenState.PROFILE_EMPTY: QT_TRANSLATE_NOOP(
        "Wording", "The profile holds no seed now (an old one was erased first): burn again."),
}

STEPS: dict[Step, str] = {
    Step.IDENTIFY: QT_TRANSLATE_NOOP("Wording", "identify"),
    Step.PREFLIGHT: QT_TRANSLATE_NOOP("Wording", "check"),
    Step.READ_CLOCK: QT_TRANSLATE_NOOP("Wording", "clock"),
    Step.AUTHENTICATE: QT_TRANSLATE_NOOP("Wording", "authenticate"),
    Step.ERASE: QT_TRANSLATE_NOOP("Wording", "erase"),
    Step.CONFIG: QT_TRANSLATE_NOOP("Wording", "settings"),
    Step.TITLE: QT_TRANSLATE_NOOP("Wording", "title"),
    Step.SEED: QT_TRANSLATE_NOOP("Wording", "seed"),
    Step.READ_BACK: QT_TRANSLATE_NOOP("Wording", "read back"),
    Step.VERIFY: QT_TRANSLATE_NOOP("Wording", "verify"),
}

CHECK_NAMES: dict[CheckKind, str] = {
    CheckKind.TOKEN: QT_TRANSLATE_NOOP("Wording", "token"),
    CheckKind.SEED_FITS: QT_TRANSLATE_NOOP("Wording", "seed fits the token"),
    CheckKind.TOKEN_CLOCK: QT_TRANSLATE_NOOP("Wording", "token clock"),
    CheckKind.PC_CLOCK: QT_TRANSLATE_NOOP("Wording", "this PC's clock"),
    CheckKind.EXPORT: QT_TRANSLATE_NOOP("Wording", "export"),
    CheckKind.REGISTRAR: QT_TRANSLATE_NOOP("Wording", "identity system"),
    CheckKind.PROGRESS: QT_TRANSLATE_NOOP("Wording", "progress file"),
}

REFUSALS: dict[RefusalKind, str] = {
    RefusalKind.TYPE: QT_TRANSLATE_NOOP("Wording", "{who} holds only {allowed} accounts, not {wanted}"),
    RefusalKind.ALGORITHM: QT_TRANSLATE_NOOP("Wording", "{who} computes {allowed} only, not {wanted}"),
    RefusalKind.DIGITS: QT_TRANSLATE_NOOP("Wording", "{who} shows {allowed} digits, not {wanted}"),
    RefusalKind.PERIOD: QT_TRANSLATE_NOOP("Wording", "{who} supports periods of {allowed} s, not {wanted} s"),
    RefusalKind.SECRET_TOO_LONG: QT_TRANSLATE_NOOP(
        "Wording", "the secret is {wanted} bytes and {who} holds at most {allowed}; shortening it would change every "
        "code"),
    RefusalKind.BASE32_TOO_LONG: QT_TRANSLATE_NOOP(
        "Wording", "the secret is {wanted} base32 characters and {who} takes at most {allowed}"),
    RefusalKind.SECRET_TOO_SHORT: QT_TRANSLATE_NOOP(
        "Wording", "{who} needs a secret of at least {allowed} bytes; none of that length gives the same codes"),
    RefusalKind.COUNTER: QT_TRANSLATE_NOOP("Wording", "{who}'s counter starts at {allowed} at most, not {wanted}"),
    RefusalKind.DISPLAY_TIMEOUT: QT_TRANSLATE_NOOP(
        "Wording", "{who}'s display stays on for {allowed} s, not {wanted} s"),
    RefusalKind.TITLE_TOO_LONG: QT_TRANSLATE_NOOP(
        "Wording", "a Molto2 title holds {allowed} bytes of UTF-8; \"{wanted}\" is longer"),
    RefusalKind.SERIAL_MISSING: QT_TRANSLATE_NOOP("Wording",
                                                  "{who} files tokens by serial number, and this one has none"),
}

# An identity system takes accounts; a token holds, computes and shows them.
SYSTEM_REFUSALS: dict[RefusalKind, str] = {
    RefusalKind.TYPE: QT_TRANSLATE_NOOP("Wording", "{who} takes only {allowed} tokens, not {wanted}"),
    RefusalKind.ALGORITHM: QT_TRANSLATE_NOOP("Wording", "{who} takes only {allowed} tokens, not {wanted}"),
    RefusalKind.DIGITS: QT_TRANSLATE_NOOP("Wording", "{who} takes only {allowed}-digit codes, not {wanted}"),
    RefusalKind.PERIOD: QT_TRANSLATE_NOOP("Wording", "{who} takes only periods of {allowed} s, not {wanted} s"),
}

NOTES: dict[type[BurnNote], str] = {
    SecretFittedNote: QT_TRANSLATE_NOOP("Wording", "The secret was {how} to {fitted} bytes (the codes are identical)."),
    ClockStoppedNote: QT_TRANSLATE_NOOP(
        "Wording", "The token's clock did not advance while it was read; a stopped clock shows wrong codes: tick "
        "'Sync token clock' and burn again."),
    ClockDriftNote: QT_TRANSLATE_NOOP("Wording", "The token's clock reads {seconds:+.0f} s from what was written."),
    TitleCutNote: QT_TRANSLATE_NOOP("Wording", "The profile's title is cut to \"{title}\" (12 bytes is all a Molto2 "
                                               "shows)."),
    ResumedNote: QT_TRANSLATE_NOOP("Wording", "The token moved during the burn; otpburn resumed where it stopped."),
}

FIT_ACTIONS: dict[FitAction, str] = {
    FitAction.HASHED: QT_TRANSLATE_NOOP("Wording", "hashed"),
    FitAction.TRIMMED: QT_TRANSLATE_NOOP("Wording", "trimmed"),
    FitAction.PADDED: QT_TRANSLATE_NOOP("Wording", "padded"),
}

PC_CLOCK: dict[PcClockState, str] = {
    PcClockState.RIGHT: QT_TRANSLATE_NOOP("Wording", "right ({offset:+.1f} s from {server})"),
    PcClockState.OFF: QT_TRANSLATE_NOOP(
        "Wording", "{seconds:.0f} s off {server}: fix it (enable network time) before setting a token's clock from it"),
    PcClockState.FAR_OFF: QT_TRANSLATE_NOOP(
        "Wording", "{seconds:.0f} s off {server}: fix it (enable network time) before setting a token's clock from it"),
    PcClockState.NOT_CHECKED: QT_TRANSLATE_NOOP("Wording", "not checked (no time server configured)"),
    PcClockState.UNREACHABLE: QT_TRANSLATE_NOOP("Wording", "could not be checked (offline?)"),
}

CAUSES: dict[Cause, str] = {
    Cause.MATCHES: QT_TRANSLATE_NOOP("Wording", "the token shows the right code"),
    Cause.COUNTER_AHEAD: QT_TRANSLATE_NOOP("Wording", "the code belongs to counter {counter}"),
    Cause.CLOCK_OFF: QT_TRANSLATE_NOOP("Wording", "the token's clock is about {seconds} s off"),
    Cause.ALGORITHM: QT_TRANSLATE_NOOP("Wording", "the token computes with {found}, not {wanted}"),
    Cause.PERIOD: QT_TRANSLATE_NOOP("Wording", "the token uses {period} s steps, not {wanted_period} s"),
    Cause.BASE32_READ_AS_HEX: QT_TRANSLATE_NOOP("Wording", "the token holds the secret read as hex although it is "
                                                           "base32"),
    Cause.HEX_READ_AS_BASE32: QT_TRANSLATE_NOOP("Wording", "the token holds the secret read as base32 although it "
                                                           "is hex"),
    Cause.BASE32_AS_TEXT: QT_TRANSLATE_NOOP("Wording", "the token holds the secret as text instead of decoded "
                                                       "base32"),
    Cause.HEX_AS_TEXT: QT_TRANSLATE_NOOP("Wording", "the token holds the secret as text instead of decoded hex"),
    Cause.DIGITS: QT_TRANSLATE_NOOP("Wording", "the token shows {digits} digits where the account expects "
                                               "{wanted_digits}"),
    Cause.CODE_LENGTH: QT_TRANSLATE_NOOP("Wording", "the code has {digits} digits; this account's codes have "
                                                    "{wanted_digits}"),
    Cause.UNKNOWN: QT_TRANSLATE_NOOP("Wording", "the code matches none of the likely mistakes (clock, algorithm, "
                                                "period, encoding)"),
}
FIXES: dict[Cause, str] = {
    Cause.MATCHES: "",
    Cause.COUNTER_AHEAD: QT_TRANSLATE_NOOP("Wording", "resynchronise the counter on the server"),
    Cause.CLOCK_OFF: QT_TRANSLATE_NOOP("Wording", "tick 'Sync token clock' in step 4 and burn again"),
    Cause.ALGORITHM: QT_TRANSLATE_NOOP("Wording", "choose {wanted} in step 1 and burn again"),
    Cause.PERIOD: QT_TRANSLATE_NOOP("Wording", "set {wanted_period} s in step 1 and burn again"),
    Cause.BASE32_READ_AS_HEX: QT_TRANSLATE_NOOP("Wording", "type the secret as it was written and burn again"),
    Cause.HEX_READ_AS_BASE32: QT_TRANSLATE_NOOP("Wording", "type the secret as it was written and burn again"),
    Cause.BASE32_AS_TEXT: QT_TRANSLATE_NOOP("Wording", "type the secret as it was written and burn again"),
    Cause.HEX_AS_TEXT: QT_TRANSLATE_NOOP("Wording", "type the secret as it was written and burn again"),
    Cause.DIGITS: QT_TRANSLATE_NOOP("Wording", "set {wanted_digits} digits in step 1 (or on the token)"),
    Cause.CODE_LENGTH: QT_TRANSLATE_NOOP("Wording", "type the whole code as the token shows it"),
    Cause.UNKNOWN: QT_TRANSLATE_NOOP("Wording", "check that this token holds this account's seed, then burn again"),
}

EXPORT_NOTES: dict[type[ExportNote], str] = {
    SpreadsheetNote: QT_TRANSLATE_NOOP(
        "Wording", "A spreadsheet program would change the serials {serials} (leading zeros, long numbers): upload "
        "the file as written."),
    DuoTypeNote: QT_TRANSLATE_NOOP(
        "Wording", "In Duo's Import Hardware Tokens, choose TOTP-{digits} ({period} s); Duo cannot resync a "
        "drifting token."),
}

AFTER_STAGES: dict[AfterStage, str] = {
    AfterStage.PROGRESS: QT_TRANSLATE_NOOP("Wording", "recording it"),
    AfterStage.EXPORT: QT_TRANSLATE_NOOP("Wording", "writing its export"),
}


def _listing(values: Sequence[object]) -> str:
    return "/".join(str(value) for value in values)


def holder_text(holder: str) -> str:
    return IMPORT_NAMES.get(holder) or tr("the {0}").format(holder)


def refusal_text(refusal: Refusal) -> str:
    table = SYSTEM_REFUSALS if refusal.holder in IMPORT_NAMES and refusal.kind in SYSTEM_REFUSALS else REFUSALS
    return tr(table[refusal.kind]).format(who=holder_text(refusal.holder), wanted=refusal.wanted,
                                         allowed=_listing(refusal.allowed))


def fitted_text(fitted: FittedSecret) -> str:
    how = tr(" and ").join(tr(FIT_ACTIONS[action]) for action in fitted.actions)
    return tr(NOTES[SecretFittedNote]).format(how=how, fitted=len(fitted.secret))


def note_text(note: BurnNote) -> str:
    if isinstance(note, SecretFittedNote):
        return fitted_text(note.fitted)
    fields = {"seconds": getattr(note, "seconds", 0), "title": getattr(note, "title", ""),
              "presentations": getattr(note, "presentations", 0)}
    return tr(NOTES[type(note)]).format(**fields)


def pc_clock_text(result: PcClockResult) -> str:
    offset = result.offset or 0.0
    return tr(PC_CLOCK[result.state]).format(offset=offset, seconds=abs(offset), server=result.server)


def finding_text(finding: Finding) -> str:
    if isinstance(finding, ModelNotWritable):
        return tr("serial {0} is not a known programmable model; otpburn does not write to it").format(finding.serial)
    if isinstance(finding, SeedFits):
        return tr("{0}, {1} digits, {2}-byte secret").format(finding.algorithm.value, finding.digits,
                                                             finding.secret_bytes)
    if isinstance(finding, SecretFitted):
        return fitted_text(finding.fitted)
    if isinstance(finding, SeedRefused):
        return "; ".join(refusal_text(refusal) for refusal in finding.refusals)
    if isinstance(finding, TokenClock):
        offset = round(finding.offset)
        shown = tr("{0:+d} s").format(offset) if offset else tr("0 s")
        if finding.will_sync:
            return tr("{0} now; it will be set from this PC's clock").format(shown)
        return tr("{0} from this PC").format(shown)
    if isinstance(finding, PcClock):
        return pc_clock_text(finding.result)
    if isinstance(finding, ExportPlanned):
        return tr("{0} to {1}").format(finding.format, finding.path)
    if isinstance(finding, RegistrarReady):
        return tr("{0}: signed in ({1})").format(SYSTEM_NAMES.get(finding.system, finding.system), finding.server)
    if isinstance(finding, RegistrationDeferred):
        return tr("{0} cannot be reached: the token is burned now and registered later").format(
            SYSTEM_NAMES.get(finding.system, finding.system))
    if isinstance(finding, ProgressReady):
        return tr("{0} can be written").format(finding.path)
    raise KeyError(type(finding).__name__)


MARKS = {"ok": "✓", "warn": "!", "stop": "✗"}


def check_text(check: Check) -> str:
    remedy = remedy_text(check.remedy) if check.remedy else None
    return (f"{MARKS[check.verdict.value]} {tr(CHECK_NAMES[check.kind])}: {finding_text(check.finding)}"
            + (f"; {remedy}" if remedy else ""))


def waiting_text(left: TokenLeft) -> str:
    if left.step is not None:
        return tr("The token left the reader during '{0}'. Keep it still on the reader: waiting up to {1:.0f} s for "
                  "it to come back.").format(tr(STEPS[left.step]), left.timeout)
    return tr("The token left the reader. Keep it still on the reader: waiting up to {0:.0f} s for it to come "
              "back.").format(left.timeout)


def export_note_text(note: ExportNote) -> str:
    fields = {"serials": ", ".join(getattr(note, "serials", ())), "digits": getattr(note, "digits", 0),
              "period": getattr(note, "period", 0)}
    return tr(EXPORT_NOTES[type(note)]).format(**fields)


def diagnosis_values(diagnosis: Diagnosis, params: OtpParams) -> dict[str, object]:
    return {"counter": diagnosis.counter, "seconds": abs(diagnosis.clock_offset or 0),
            "found": diagnosis.algorithm.value if diagnosis.algorithm else "", "wanted": params.algorithm.value,
            "period": diagnosis.period, "wanted_period": params.period, "digits": diagnosis.digits,
            "wanted_digits": params.digits}


def cause_text(diagnosis: Diagnosis, params: OtpParams) -> str:
    return tr(CAUSES[diagnosis.cause]).format(**diagnosis_values(diagnosis, params))


def fix_text(diagnosis: Diagnosis, params: OtpParams) -> str:
    fix = FIXES[diagnosis.cause]
    return tr(fix).format(**diagnosis_values(diagnosis, params)) if fix else ""


def error_text(exc: OtpburnError) -> str | None:
    """The window's words for an error that carries data, or None for one whose message says it all."""
    if isinstance(exc, BurnFailedError):
        cause = tr("cancelled") if exc.cancelled or exc.cause is None else (error_text(exc.cause) or
                                                                            exc.cause.worded(remedy_text))
        moved = tr(" Keep the token still on the reader while burning.") if exc.link_lost else ""
        stopped = tr("The burn stopped after '{0}': {1}. {2}{3}") if exc.between_steps else \
            tr("The burn stopped at '{0}': {1}. {2}{3}")
        return stopped.format(tr(STEPS[exc.step]), cause, tr(STATES[exc.state]), moved)
    if isinstance(exc, SeedDoesNotFitError | SettingsRefusedError):
        return "; ".join(refusal_text(refusal) for refusal in exc.refusals)
    if isinstance(exc, ExportRefusedError):
        return tr("Token {0} cannot go into the {1} export: {2}").format(
            exc.record, exc.format, "; ".join(refusal_text(refusal) for refusal in exc.refusals))
    if isinstance(exc, PcClockWrongError):
        return tr("This PC's clock is {0}. Nothing was written.").format(pc_clock_text(exc.result))
    if isinstance(exc, AfterBurnError):
        cause = (error_text(exc.cause) or exc.cause.worded(remedy_text)) if exc.cause is not None else ""
        return tr("The token {0} was burned, but {1} failed: {2}. The token keeps its seed.").format(
            exc.outcome.report.info.serial, tr(AFTER_STAGES[exc.stage]), cause)
    return None
