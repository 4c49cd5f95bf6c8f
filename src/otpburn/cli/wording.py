"""The CLI's words for what the library returns as data, its exit codes, and its wording of errors.

The library never words a step, a state, a check, a note, a refusal or an event: it hands data to the
front ends. These are the command line's words for each (the window has its own, through Qt's
translation; an export's notes are worded in `otpburn.cli.export_notes`); `tests/architecture/test_wording.py`
renders every member through both.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

import click

from otpburn.cli.exit_codes import (
    EXIT_BAD_INPUT,
    EXIT_CANCELLED,
    EXIT_FAILED,
    EXIT_MISMATCH,
    EXIT_NO_READER,
    EXIT_NOT_REGISTERED,
)
from otpburn.errors import (
    InputError,
    NothingFoundError,
    OtpburnError,
    ReaderError,
    RegistrationError,
    RegistrationProblem,
    Remedy,
    VerificationError,
)
from otpburn.otp.diagnosis import Cause, Diagnosis
from otpburn.otp.fitting import FitAction, FittedSecret
from otpburn.otp.params import OtpParams
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
    Verdict,
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
from otpburn.provisioning.records.exports import ExportRefusedError
from otpburn.registrars.base import IMPORT_NAMES, SYSTEM_NAMES, SettingsRefusedError

# First match wins; an error that wraps another (a stopped burn) exits as the one underneath.
EXIT_CODES: list[tuple[type[OtpburnError], int]] = [
    (VerificationError, EXIT_MISMATCH),
    (ReaderError, EXIT_NO_READER),
    (NothingFoundError, EXIT_NO_READER),
    (InputError, EXIT_BAD_INPUT),
    (RegistrationError, EXIT_NOT_REGISTERED),
]

_PCSC_START = {
    "linux": "start it ('sudo systemctl start pcscd', or run 'pcscd')",
    "win32": "start the Windows 'Smart Card' service (services.msc)",
    "darwin": "macOS runs it by itself: unplug and plug the reader in again",
}
# Programs that commonly keep a reader to themselves, per platform.
_READER_HOLDERS = {
    "linux": "often GnuPG's scdaemon ('gpgconf --kill scdaemon'), Yubico Authenticator, a browser's smart-card "
             "module or another token tool",
    "win32": "often Yubico Authenticator, a vendor's burner tool, a browser's smart-card module or a remote-desktop "
             "session redirecting the reader",
    "darwin": "often GnuPG's scdaemon ('gpgconf --kill scdaemon'), Yubico Authenticator or another token tool",
}
_HOLDERS_HERE = _READER_HOLDERS.get(sys.platform, _READER_HOLDERS["linux"])

# How the CLI words each remedy (the window has its own words for the same data).
REMEDIES: dict[Remedy, str] = {
    Remedy.FORCE: "use --force to replace it",
    Remedy.CUSTOMER_KEY: "give the customer key in a file (--customer-key-file) or at the prompt",
    Remedy.LAST_ATTEMPT: "only with the right key for certain, add --i-understand-last-attempt",
    Remedy.CHOOSE_PROFILE: "use --profile N or --profile next-free (see 'otpburn profiles')",
    Remedy.OVERWRITE_PROFILE: "use --profile next-free, or --force to replace this profile",
    Remedy.NAME_USER: "give --user NAME",
    Remedy.PROGRESS_FILE: "give another place with --progress-file FILE",
    Remedy.PROBE_REPORT: "'otpburn probe --output report.json' makes a read-only report (no secrets) to share, so "
                         "support for it can be written",
    Remedy.CONFIRM_WIPE: "add --yes to go ahead (the new seed is written right after)",
    Remedy.TOKEN_PASSWORD: "give the password at the prompt or with --password-file",
    Remedy.SEED_FILE_PASSWORD: "give its password with --seed-password-file, or at the prompt",
    Remedy.SEED_FILE_KEY: "give the key with --seed-key-file FILE (hex, or the raw 16, 24 or 32 bytes)",
    Remedy.KEEPASS_KEY_FILE: "if it opens with a key file too, give it with --seed-key-file FILE; one that opens "
                             "with a YubiKey: export it as XML from KeePassXC (Database → Export → XML file)",
    Remedy.DECRYPT_SEED_FILE: "decrypt it on the way in, so the seeds never land on disk in clear: "
                              "gpg --decrypt FILE | otpburn … --seed-file -",
    Remedy.PICK_ACCOUNT: "choose one with --pick N or --account TEXT",
    Remedy.CHOOSE_READER: "choose one with --reader NAME or --reader N",
    Remedy.LIST_READERS: "see 'otpburn readers'",
    Remedy.VIRTUAL_READER: "plug in an NFC reader, or use --reader virtual to try otpburn",
    Remedy.START_PCSC: _PCSC_START.get(sys.platform, _PCSC_START["linux"]) + ", or use --reader virtual to try "
                                                                              "otpburn",
    Remedy.OTHER_SOURCE: "use --image or --clipboard instead",
    Remedy.SCAN_AGAIN: "try --delay 5 to switch windows first, --save-capture FILE to see what was captured, or "
                       "--image / --clipboard",
    Remedy.SYNC_CLOCK: "set it from this PC's clock with --sync-clock",
    Remedy.ALGORITHM: "burn again with --algorithm",
    Remedy.PERIOD: "burn again with --period",
    Remedy.ENCODING: "burn again giving the secret in the encoding it was written in (--encoding)",
    Remedy.DELETE_CREDENTIAL: "delete a credential first (otpburn delete NAME)",
    Remedy.FREE_READER: f"close the program that holds it ({_HOLDERS_HERE}) and try again",
    Remedy.REGISTRAR_SETTINGS: "fix the registrar file (--registrar-file FILE; docs/identity-systems.md"
                               " shows each section)",
    Remedy.REGISTRAR_SIGN_IN: "check the account and the secret the registrar file names",
    Remedy.REGISTRAR_CA: "name the CA that signed it with ca-file in the registrar file",
    Remedy.REPLACE_TOKEN: "use --force to replace it",
    Remedy.RESUME_REGISTRATION: "try again once it answers (a token already burned keeps its seed: 'otpburn "
                                "register' finishes it)",
    Remedy.TOKEN_CODE: "wait for the token's next code and try again; if it still fails, compare the codes with "
                       "'otpburn verify'",
}

MARKS = {Verdict.OK: "✓", Verdict.WARN: "!", Verdict.STOP: "✗"}
_MARK_COLOURS = {Verdict.OK: "green", Verdict.WARN: "yellow", Verdict.STOP: "red"}


def mark(verdict: Verdict) -> str:
    """A verdict's mark, coloured: click.echo drops the colour where it must (not a terminal, NO_COLOR,
    --no-color)."""
    return click.style(MARKS[verdict], fg=_MARK_COLOURS[verdict], bold=True)

STATES: dict[TokenState, str] = {
    TokenState.UNTOUCHED: "Nothing was written to the token.",
    TokenState.SETTINGS_WRITTEN: "The settings were written; the old seed is still there but may not match them: "
                                 "burn again.",
    TokenState.SEED_ERASED: "The settings were written and the token's old seed is erased: burn again.",
    TokenState.SEED_WRITTEN: "The seed was written; check the token's code before relying on it.",
    TokenState.CREDENTIAL_UNCONFIRMED: "The credential was written but could not be confirmed.",
    TokenState.PROFILE_EMPTY: "The profile holds no seed now (an old one was erased first): burn again.",
}

# What each finished step is shown as while a burn runs.
STEPS: dict[Step, str] = {
    Step.IDENTIFY: "identified", Step.PREFLIGHT: "checked", Step.READ_CLOCK: "token clock read",
    Step.AUTHENTICATE: "authenticated", Step.ERASE: "old seed erased", Step.CONFIG: "settings written",
    Step.TITLE: "title written", Step.SEED: "seed written", Step.READ_BACK: "read back",
    Step.VERIFY: "verified: the token computes the expected code",
}

CHECK_NAMES: dict[CheckKind, str] = {
    CheckKind.TOKEN: "token", CheckKind.SEED_FITS: "seed fits the token", CheckKind.TOKEN_CLOCK: "token clock",
    CheckKind.PC_CLOCK: "PC clock", CheckKind.EXPORT: "export", CheckKind.REGISTRAR: "identity system",
    CheckKind.PROGRESS: "progress file",
}

CAUSES: dict[Cause, str] = {
    Cause.MATCHES: "the token shows the right code",
    Cause.COUNTER_AHEAD: "the code belongs to counter {counter}",
    Cause.CLOCK_OFF: "the token's clock is about {seconds} s {direction}",
    Cause.ALGORITHM: "the token computes with {found}, not {wanted}",
    Cause.PERIOD: "the token uses {period} s steps, not {wanted_period} s",
    Cause.BASE32_READ_AS_HEX: "the token holds the secret read as hex although it is base32",
    Cause.HEX_READ_AS_BASE32: "the token holds the secret read as base32 although it is hex",
    Cause.BASE32_AS_TEXT: "the token holds the secret as ASCII text instead of decoded base32",
    Cause.HEX_AS_TEXT: "the token holds the secret as ASCII text instead of decoded hex",
    Cause.DIGITS: "the token shows {digits} digits where the account expects {wanted_digits}",
    Cause.CODE_LENGTH: "the code has {digits} digits; this account's codes have {wanted_digits}",
    Cause.UNKNOWN: "the code matches none of the likely mistakes (clock, algorithm, period, encoding)",
}
FIXES: dict[Cause, str] = {
    Cause.MATCHES: "",
    Cause.COUNTER_AHEAD: "the token's counter has moved on; resynchronise the counter on the server",
    Cause.CLOCK_OFF: "burn again setting the token's clock from this PC's (check the PC's clock first) "
                     "(--sync-clock)",
    Cause.ALGORITHM: "burn again with {wanted} (--algorithm {wanted}), or tell the service {found}",
    Cause.PERIOD: "burn again with {wanted_period} s steps (--period {wanted_period})",
    Cause.BASE32_READ_AS_HEX: "burn again giving the secret in the encoding it was written in (--encoding)",
    Cause.HEX_READ_AS_BASE32: "burn again giving the secret in the encoding it was written in (--encoding)",
    Cause.BASE32_AS_TEXT: "burn again giving the secret in the encoding it was written in (--encoding)",
    Cause.HEX_AS_TEXT: "burn again giving the secret in the encoding it was written in (--encoding)",
    Cause.DIGITS: "set the account (or the token) to {wanted_digits} digits",
    Cause.CODE_LENGTH: "type the whole code as the token shows it",
    Cause.UNKNOWN: "check that this token holds this account's seed, then burn it again",
}

PC_CLOCK: dict[PcClockState, str] = {
    PcClockState.RIGHT: "the PC's clock is right ({offset:+.1f} s from {server})",
    PcClockState.OFF: "the PC's clock is {seconds:.0f} s {direction} {server}: fix it (enable network time) "
                      "before setting a token's clock from it",
    PcClockState.FAR_OFF: "the PC's clock is {seconds:.0f} s {direction} {server}: fix it (enable network time) "
                          "before setting a token's clock from it",
    PcClockState.NOT_CHECKED: "the PC's clock was not checked (no time server configured)",
    PcClockState.UNREACHABLE: "the PC's clock could not be checked (offline? {failures})",
}

ROW_RESULTS: dict[RowResult, str] = {
    RowResult.BURNED: "burned", RowResult.FAILED: "failed", RowResult.SKIPPED: "skipped",
    RowResult.WOULD_BURN: "would burn", RowResult.REGISTERED: "registered", RowResult.NOT_REGISTERED: "not registered",
}
# A batch row's registration state (a RegistrationState's value) as the table and the progress lines say it.
REGISTRATION_WORDS = {"activated": "activated", "registered": "registered", "ready": "assigned"}
SKIP_REASONS: dict[SkipReason, str] = {
    SkipReason.UNKNOWN_CARD: "not a token otpburn knows; it was left alone",
    SkipReason.ALREADY_BURNED: "already burned by this batch",
    SkipReason.NO_SEED: "no seed for this serial, and no unassigned seed left",
}
STOPS: dict[StopReason, str] = {
    StopReason.NO_TOKEN: "No token within {timeout:.0f} s; {left} seed(s) left. Run the batch again to go on.",
    StopReason.NOT_LIFTED: "The token was not lifted within {timeout:.0f} s; {left} seed(s) left. Run the batch "
                           "again to go on.",
    StopReason.VIRTUAL: "The virtual token stays on its reader: the batch stops here ({left} seed(s) left).",
    StopReason.UNREACHABLE: "  the identity system cannot be reached: {left} registration(s) left for the next run",
}
AFTER_STAGES: dict[AfterStage, str] = {
    AfterStage.PROGRESS: "recording it in the batch's progress file",
    AfterStage.EXPORT: "writing its export",
}


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _listing(values: Sequence[object], unit: str = "") -> str:
    items = [f"{value}{unit}" for value in values]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def holder_text(holder: str) -> str:
    """A refusal's holder: an identity system's (or its import's) name, or the token model as it is."""
    return IMPORT_NAMES.get(holder, f"the {holder}")


def refusal_text(refusal: Refusal) -> str:
    who, wanted, allowed = holder_text(refusal.holder), refusal.wanted, refusal.allowed
    if refusal.holder in IMPORT_NAMES:  # an identity system takes accounts; a token holds, computes and shows
        takes = f"{who} takes only"
        system_texts: dict[RefusalKind, Callable[[], str]] = {
            RefusalKind.TYPE: lambda: f"{takes} {_listing([str(a).upper() for a in allowed])} tokens, not "
                                      f"{str(wanted).upper()}",
            RefusalKind.ALGORITHM: lambda: f"{takes} {_listing(allowed)} tokens, not {wanted}",
            RefusalKind.DIGITS: lambda: f"{takes} {_listing(allowed)}-digit codes, not {wanted}",
            RefusalKind.PERIOD: lambda: f"{takes} periods of {_listing(allowed, ' s')}, not {wanted} s",
        }
        if refusal.kind in system_texts:
            return system_texts[refusal.kind]()
    texts: dict[RefusalKind, Callable[[], str]] = {
        RefusalKind.TYPE: lambda: f"{who} holds only {_listing([str(a).upper() for a in allowed])} accounts, "
                                  f"not {str(wanted).upper()}",
        RefusalKind.ALGORITHM: lambda: f"{who} computes {_listing(allowed)} only, not {wanted}",
        RefusalKind.DIGITS: lambda: f"{who} shows {_listing(allowed)} digits, not {wanted}",
        RefusalKind.PERIOD: lambda: f"{who} supports periods of {_listing(allowed, ' s')}, not {wanted} s",
        RefusalKind.SECRET_TOO_LONG: lambda: f"the secret is {wanted} bytes and {who} holds at most {allowed[0]}; "
                                             "shortening it would change every code",
        RefusalKind.BASE32_TOO_LONG: lambda: f"the secret is {wanted} base32 characters and {who} takes at most "
                                             f"{allowed[0]}",
        RefusalKind.SECRET_TOO_SHORT: lambda: f"{who} needs a secret of at least {allowed[0]} bytes; no equivalent "
                                              f"secret of that length exists for this one ({wanted} bytes)",
        RefusalKind.COUNTER: lambda: f"{who}'s HOTP counter starts at {allowed[0]} at most, not {wanted}",
        RefusalKind.DISPLAY_TIMEOUT: lambda: f"{who}'s display stays on for {_listing(allowed, ' s')}, "
                                             f"not {wanted} s",
        RefusalKind.TITLE_TOO_LONG: lambda: f"a Molto2 title holds {allowed[0]} bytes of UTF-8; {wanted!r} takes "
                                            f"{len(str(wanted).encode())}",
        RefusalKind.SERIAL_MISSING: lambda: f"{who} files tokens by serial number, and this one has none",
    }
    return texts[refusal.kind]()


def fitted_text(fitted: FittedSecret) -> str:
    if not fitted.changed:
        return f"secret {len(fitted.secret)} bytes, unchanged"
    done = {FitAction.HASHED: "hashed", FitAction.TRIMMED: "trimmed", FitAction.PADDED: "padded"}
    how = " and ".join(done[action] for action in fitted.actions)
    return (f"secret {fitted.original_length} bytes {how} to {len(fitted.secret)} bytes (RFC 2104: the codes are "
            "identical)")


def note_text(note: BurnNote) -> str:
    if isinstance(note, SecretFittedNote):
        return fitted_text(note.fitted)
    if isinstance(note, ClockStoppedNote):
        return ("the token's clock did not advance while it was read; a stopped clock shows wrong codes: set it "
                "from the PC's clock (--sync-clock)")
    if isinstance(note, ClockDriftNote):
        return f"the token's clock reads {note.seconds:+.0f} s from what was written"
    if isinstance(note, TitleCutNote):
        return f"the profile's title is cut to {note.title!r} (12 bytes is all a Molto2 shows)"
    if isinstance(note, ResumedNote):
        return f"the token was placed {note.presentations} times; the burn resumed where it stopped"
    raise KeyError(type(note).__name__)


def pc_clock_text(result: PcClockResult) -> str:
    offset = result.offset or 0.0
    return PC_CLOCK[result.state].format(offset=offset, seconds=abs(offset), server=result.server,
                                         direction="behind" if offset > 0 else "ahead of",
                                         failures="; ".join(result.failures))


def offset_words(offset: float) -> str:
    """A clock offset in whole seconds, without a sign for zero (never "-0 s")."""
    rounded = round(offset)
    return "0 s" if rounded == 0 else f"{rounded:+d} s"


def finding_text(finding: Finding) -> str:
    if isinstance(finding, ModelNotWritable):
        return (f"serial {finding.serial} does not match a known programmable model; otpburn does not write to "
                "tokens it cannot identify (reading them is fine)")
    if isinstance(finding, SeedFits):
        return f"{finding.algorithm.value}, {finding.digits} digits, {finding.secret_bytes}-byte secret"
    if isinstance(finding, SecretFitted):
        return fitted_text(finding.fitted)
    if isinstance(finding, SeedRefused):
        return "; ".join(refusal_text(refusal) for refusal in finding.refusals)
    if isinstance(finding, TokenClock):
        wipe = (" (this model erases its seed when its clock is set; the seed is written right after)"
                if finding.wipes_seed else "")
        if finding.will_sync:
            return f"{offset_words(finding.offset)} now; it will be set from the PC's clock{wipe}"
        if abs(finding.offset) <= 2.0:
            return f"{offset_words(finding.offset)} from the PC"
        return f"{offset_words(finding.offset)} from the PC: its codes will be off by that much{wipe}"
    if isinstance(finding, PcClock):
        return pc_clock_text(finding.result)
    if isinstance(finding, ExportPlanned):
        return f"{finding.format} to {finding.path}, written after the burn"
    if isinstance(finding, RegistrarReady):
        system = SYSTEM_NAMES.get(finding.system, finding.system)
        user = f", user {finding.user}" if finding.user else ", the token is assigned to nobody"
        return f"{system} ([{finding.name}]): signed in ({finding.server}){user}"
    if isinstance(finding, RegistrationDeferred):
        return (f"{SYSTEM_NAMES.get(finding.system, finding.system)} cannot be reached: the token is burned now and "
                "registered by the next run")
    if isinstance(finding, ProgressReady):
        return f"{finding.path} can be written"
    raise KeyError(type(finding).__name__)


def check_line(check: Check) -> str:
    """One line for a terminal: the mark, what was checked, what was found, and what helps."""
    remedy = REMEDIES.get(check.remedy) if check.remedy else None
    return (f"  {mark(check.verdict)} {CHECK_NAMES[check.kind]}: {finding_text(check.finding)}"
            + (f"; {remedy}" if remedy else ""))


def check_dict(check: Check) -> dict[str, str]:
    return {"check": check.kind.value, "verdict": check.verdict.value, "message": finding_text(check.finding)}


def waiting_text(left: TokenLeft) -> str:
    where = f" during '{left.step}'" if left.step else ""
    return (f"The token left the reader{where}. Keep it still on the reader: waiting up to {left.timeout:.0f} s "
            "for it to come back (Ctrl+C to stop)…")


def diagnosis_values(diagnosis: Diagnosis, params: OtpParams) -> dict[str, object]:
    seconds = diagnosis.clock_offset or 0
    return {"counter": diagnosis.counter, "seconds": abs(seconds), "direction": "ahead" if seconds > 0 else "behind",
            "found": diagnosis.algorithm.value if diagnosis.algorithm else "", "wanted": params.algorithm.value,
            "period": diagnosis.period, "wanted_period": params.period, "digits": diagnosis.digits,
            "wanted_digits": params.digits}


def cause_text(diagnosis: Diagnosis, params: OtpParams) -> str:
    return CAUSES[diagnosis.cause].format(**diagnosis_values(diagnosis, params))


def fix_text(diagnosis: Diagnosis, params: OtpParams) -> str:
    return FIXES[diagnosis.cause].format(**diagnosis_values(diagnosis, params))


def row_detail(row: BatchRow) -> str:
    if row.skipped is not None:
        return SKIP_REASONS[row.skipped]
    parts = []
    if row.held_since:
        parts.append(f"it holds this seed already: burned {row.held_since}, says this station's audit log")
    if row.resumed:
        parts.append("resumed after the token moved")
    if row.error is not None:
        text = describe(row.error)
        parts.append(f"not registered: {text}" if row.result is RowResult.BURNED else text)
    return "; ".join(parts)


def batch_event_text(event: BatchEvent) -> str:
    if isinstance(event, PlaceNext):
        return f"[{event.number}/{event.total}] Place the next token on the reader…"
    if isinstance(event, RowDone):
        row = event.row
        registered = (f", {REGISTRATION_WORDS.get(row.registration, row.registration)}"
                      if row.registration and row.registration != "pending" else "")
        model = f"{row.model} " if row.model else ""
        origin = f" ← {row.record.place}" if row.record else ""
        detail = row_detail(row)
        return (f"  {ROW_RESULTS[row.result]}{registered}: {model}{row.serial}{origin}"
                + (f" ({detail})" if detail else "") + "." + (" Remove the token." if event.lift else ""))
    if isinstance(event, Stopped):
        return STOPS[event.why].format(timeout=event.timeout, left=event.left)
    raise KeyError(type(event).__name__)


def exit_code_for(exc: OtpburnError) -> int:
    if isinstance(exc, BurnFailedError) and exc.cancelled:
        return EXIT_CANCELLED
    while exc.cause is not None:
        exc = exc.cause
    if isinstance(exc, RegistrationError) and exc.problem is RegistrationProblem.SETTINGS:
        return EXIT_BAD_INPUT  # the registrar file: bad input, found before anything was sent or burned
    return next((code for kind, code in EXIT_CODES if isinstance(exc, kind)), EXIT_FAILED)


def describe(exc: OtpburnError) -> str:
    """An error in the CLI's words: the message (data worded here where the library gave data), and where there
    is one, the flag that helps."""
    if isinstance(exc, BurnFailedError):
        cause = "cancelled (Ctrl+C)" if exc.cancelled or exc.cause is None else describe(exc.cause)
        hint = " Keep the token still on the reader while burning." if exc.link_lost else ""
        where = "after" if exc.between_steps else "at"
        return f"burn stopped {where} '{exc.step}': {cause}. {STATES[exc.state]}{hint}"
    if isinstance(exc, SeedDoesNotFitError):
        return "; ".join(refusal_text(refusal) for refusal in exc.refusals) + ". Nothing was written"
    if isinstance(exc, ExportRefusedError):
        hint = (" (give it with --serial, or use a seed file with a serial column)"
                if any(refusal.kind is RefusalKind.SERIAL_MISSING for refusal in exc.refusals) else "")
        return (f"token {exc.record} cannot go into the {exc.format} export: "
                + "; ".join(refusal_text(refusal) for refusal in exc.refusals) + hint)
    if isinstance(exc, SettingsRefusedError):
        return "; ".join(refusal_text(refusal) for refusal in exc.refusals)
    if isinstance(exc, PcClockWrongError):
        return pc_clock_text(exc.result) + ". Nothing was written"
    if isinstance(exc, NotEnoughProfilesError):
        return (f"{exc.accounts} accounts but {exc.free} free profiles from {exc.first} on; nothing was written "
                "(choose accounts with --account, or delete profiles)")
    if isinstance(exc, AfterBurnError):
        report = exc.outcome.report
        cause = describe(exc.cause) if exc.cause is not None else ""
        done = f"the token {report.info.serial} was burned, but {AFTER_STAGES[exc.stage]} failed: {cause}"
        if exc.stage is AfterStage.PROGRESS:
            return (f"{done}. The token holds the seed of {report.params.label or 'this account'}; the batch could "
                    "not record that, so leave that seed out of the next run (--account) or it goes into another "
                    "token too")
        return f"{done}. The token holds its seed; write the file once the cause is fixed, with 'otpburn export'"
    return exc.worded(REMEDIES.get)
