"""The one burn every front end goes through — `burn`, each token of a `batch`, each profile of a Molto2
`fill`, and the window — checked before it writes.

Its stages, in this order:
1. Before any token is touched (`check_before_token`): every export's format, folder and name; the
   identity system's sign-in, the user, and whether it can hold the accounts; the batch's progress file
   (written once, to prove it can be); the PC's clock when a token's clock is to be set from it.
2. With the token on the reader (`run`): the token's own checks (a model otpburn writes, the account fits,
   its clock), each export rendered with the token's serial (its format's rules), the serial free in the
   identity system. Any stop ends the burn here: nothing has been written.
3. The audit entry that a write begins; the resilient burn with its read-back (a dropped link resumes,
   Ctrl+C reports what the token holds); the audit entry of its outcome.
4. After the write: the progress record, the exports, the registration. A failure here says the token was
   written and what finishes the job (`AfterBurnError`, or `BurnOutcome.registration_error`).

Front ends give callbacks (`on_event`, `typed_code`) and receive data: checks, events and the outcome,
which they word themselves.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from otpburn.errors import OtpburnError, RegistrationError, RegistrationProblem
from otpburn.otp.hotp import code_window
from otpburn.otp.params import OtpParams
from otpburn.provisioning.access.session import TokenOnReader
from otpburn.provisioning.burn.checks import (
    Check,
    CheckKind,
    ExportPlanned,
    ModelNotWritable,
    PcClock,
    ProgressReady,
    RegistrarReady,
    RegistrationDeferred,
    SeedRefused,
    Verdict,
    pc_clock_check,
    stops,
    token_checks,
)
from otpburn.provisioning.burn.pc_clock import PcClockWrongError
from otpburn.provisioning.burn.resilient import TokenLeft, resilient_burn
from otpburn.provisioning.burn.steps import (
    BurnFailedError,
    BurnOptions,
    BurnReport,
    ResumedNote,
    SeedDoesNotFitError,
    Step,
    UnknownModelError,
)
from otpburn.provisioning.enrollment import Enrolled, activation_code, check_before_burn, check_fits, enroll
from otpburn.provisioning.records import audit
from otpburn.provisioning.records.exports import (
    ExportNote,
    ExportRefusedError,
    ExportTarget,
    check_target,
    export_format,
    render,
    token_records,
    write_export,
)
from otpburn.provisioning.records.progress import Progress
from otpburn.registrars.base import Enrollment, Registrar


@dataclass(frozen=True)
class EnrollPlan:
    """Registering each burned token: where, for whom, and whether the seed's own code may activate it."""

    registrar: Registrar
    user: str = ""
    codes_from_seed: bool = False  # for unattended batches: the code the seed gives proves only the server
    force: bool = False  # replace a token the identity system holds under the serial


@dataclass(frozen=True)
class FlowSettings:
    """What stays the same for every burn of one front end's job (a burn, a batch, a fill)."""

    front_end: str = "cli"
    exports: Sequence[ExportTarget] = ()  # written after each burn
    batch_exports: Sequence[ExportTarget] = ()  # written once by a batch at its end: checked before it starts
    upn: str = ""  # the user of the Entra ID export
    replace_files: bool = False  # exports may replace existing files
    enroll: EnrollPlan | None = None
    progress: Progress | None = None  # a batch's record of what it burned
    ntp_servers: list[str] | None = None
    check_pc_clock: bool = True
    resume_timeout: float = 30.0
    cancel: threading.Event | None = None
    batch: bool = False  # entries in the audit log say so
    # An identity system that cannot be reached leaves the registration to a later run instead of stopping the
    # burn (a batch: the stations go on, the server is fed when it is back; a duplicate serial is found then).
    register_later: bool = False


# --- events: what happens, as data, for the front end to show -------------------------------------------

@dataclass(frozen=True)
class FlowEvent:
    """Something a front end may show while the flow runs."""


@dataclass(frozen=True)
class Checked(FlowEvent):
    checks: tuple[Check, ...]
    with_token: bool  # False: the checks before any token was touched


@dataclass(frozen=True)
class StepDone(FlowEvent):
    step: Step


@dataclass(frozen=True)
class Waiting(FlowEvent):
    left: TokenLeft  # the token left the reader; the burn waits for it


@dataclass(frozen=True)
class Burned(FlowEvent):
    outcome: BurnOutcome  # written and read back: the codes can be shown now


@dataclass(frozen=True)
class Exported(FlowEvent):
    target: ExportTarget
    notes: tuple[ExportNote, ...]


@dataclass(frozen=True)
class Registered(FlowEvent):
    enrolled: Enrolled


@dataclass(frozen=True)
class NotRegistered(FlowEvent):
    error: RegistrationError  # the token is burned; registering it can be finished later


@dataclass
class BurnOutcome:
    report: BurnReport
    presentations: int
    display: str | None  # what the virtual token shows, when it is the virtual token
    display_matches: bool | None
    exported: list[Exported] = field(default_factory=list)
    enrolled: Enrolled | None = None
    registration_error: RegistrationError | None = None

    @property
    def verification(self) -> str:
        """How the burn was verified, for the audit log."""
        if self.report.verification is not None:
            return "automatic: the token computed the expected code"
        if self.display is not None:
            return "virtual token display " + ("matches" if self.display_matches else "MISMATCH")
        return "left to the user"


class AfterStage(StrEnum):
    PROGRESS = "progress"
    EXPORT = "export"


class AfterBurnError(OtpburnError):
    """The token was written, but what follows the write failed: `stage`, the failure (`cause`), and the
    outcome so far. Front ends say that the token holds its seed and what finishes the job."""

    def __init__(self, stage: AfterStage, cause: OtpburnError, outcome: BurnOutcome) -> None:
        super().__init__(f"the token {outcome.report.info.serial} was written, but its {stage} failed: {cause}")
        self.stage, self.cause, self.outcome = stage, cause, outcome


EventHandler = Callable[[FlowEvent], None]
TypedCode = Callable[[BurnOutcome], "str | None"]  # asks the user for the code the token shows (None: skipped)


class BurnFlow:
    """The burn, its checks and what follows it, for one front end's job (one or many tokens)."""

    def __init__(self, settings: FlowSettings, on_event: EventHandler | None = None,
                 typed_code: TypedCode | None = None) -> None:
        self.settings = settings
        self._emit = on_event or (lambda event: None)
        self._typed_code = typed_code

    # -- 1. before any token ----------------------------------------------------------------------------

    def check_before_token(self, accounts: Sequence[OtpParams] = (), *, sync_clock: bool = False) -> list[Check]:
        """Everything checkable before a token is touched; raises the first problem, returns the checks."""
        settings = self.settings
        checks: list[Check] = []
        for target in (*settings.exports, *settings.batch_exports):
            check_target(target, settings.replace_files)
            accepts = export_format(target.fmt).accepts
            for number, params in enumerate(accounts, start=1):
                refusals = accepts.refusals(params) if accepts else []
                if refusals:
                    raise ExportRefusedError(target.fmt, str(number), refusals)
            checks.append(Check(CheckKind.EXPORT, Verdict.OK, ExportPlanned(target.fmt, target.path)))
        if settings.progress is not None:
            settings.progress.ready()
            checks.append(Check(CheckKind.PROGRESS, Verdict.OK, ProgressReady(str(settings.progress.path))))
        if settings.enroll is not None:
            plan = settings.enroll
            for params in accounts:
                check_fits(plan.registrar, params)
            server = plan.registrar.check()
            user = plan.registrar.find_user(plan.user).name if plan.user else ""
            checks.append(Check(CheckKind.REGISTRAR, Verdict.OK, RegistrarReady(
                plan.registrar.system, plan.registrar.name, server, user)))
        if sync_clock and settings.check_pc_clock:
            checks.append(self._pc_clock())
        self._emit(Checked(tuple(checks), with_token=False))
        return checks

    def _pc_clock(self) -> Check:
        check = pc_clock_check(self.settings.ntp_servers)
        if check.verdict is Verdict.STOP:
            assert isinstance(check.finding, PcClock)  # noqa: S101 (the PC clock check's own finding)
            raise PcClockWrongError(check.finding.result)
        return check

    # -- 2.-4. with the token --------------------------------------------------------------------------

    def run(self, token: TokenOnReader, params: OtpParams, options: BurnOptions, *,
            user: str | None = None) -> BurnOutcome:
        """Check the token, burn `params` into it, then record, export and register it (for `user`, when a
        batch's records name their users; else the plan's)."""
        settings = self.settings
        info = token.info
        user = self._user(user)
        checks = self.check_token(token, params, options, user=user)
        deferred = next((check.finding for check in checks if isinstance(check.finding, RegistrationDeferred)), None)
        where: dict[str, str] = {"reader": token.reader.name, "family": info.family, "model": info.model,
                                 "serial": info.serial}
        extra: dict[str, object] = {"front_end": settings.front_end, **({"batch": True} if settings.batch else {})}
        audit.record("burn", "started", params=params, extra=extra, **where)
        try:
            report, presentations = resilient_burn(
                token.reader, params, options, credentials=token.credentials, tracer=token.channel.tracer,
                first_session=token.session, progress=lambda step: self._emit(StepDone(step)),
                on_wait=lambda left: self._emit(Waiting(left)), resume_timeout=settings.resume_timeout,
                cancel=settings.cancel)
        except BurnFailedError as exc:
            audit.record("burn", "cancelled" if exc.cancelled else "failed", params=params, detail=str(exc),
                         extra={**extra, "step": exc.step.value, "state": exc.state.value}, **where)
            raise
        if presentations > 1:
            report.notes.append(ResumedNote(presentations))
        display = token.reader.virtual_card.display_code() if token.reader.virtual_card is not None else None
        matches = None
        if report.verification is None and display is not None:
            window = code_window(report.params)
            matches = display in (window.previous, window.current, window.next)
        outcome = BurnOutcome(report, presentations, display, matches)
        audit.record("burn", "ok", params=params, verification=outcome.verification, extra={
            **extra, **({"credential": report.credential} if report.credential else {}),
            **({"profile": report.profile, "title": report.title} if report.profile is not None else {})},
            **where)
        if settings.progress is not None:
            try:
                settings.progress.record_burn(params.fingerprint, info.serial)
            except OtpburnError as exc:
                raise AfterBurnError(AfterStage.PROGRESS, exc, outcome) from None
        self._emit(Burned(outcome))
        for target in settings.exports:
            try:
                notes = write_export(target, token_records(params, info, settings.upn), force=True,
                                     front_end=settings.front_end)
            except OtpburnError as exc:
                raise AfterBurnError(AfterStage.EXPORT, exc, outcome) from None
            done = Exported(target, tuple(notes))
            outcome.exported.append(done)
            self._emit(done)
        if deferred is not None:
            outcome.registration_error = deferred.error
            self._emit(NotRegistered(deferred.error))
        elif settings.enroll is not None and outcome.display_matches is not False:  # not a token showing wrong codes
            self._enroll(outcome, where, user)
        return outcome

    def _user(self, user: str | None) -> str:
        plan = self.settings.enroll
        return user if user is not None else (plan.user if plan is not None else "")

    def check_token(self, token: TokenOnReader, params: OtpParams, options: BurnOptions, *,
                    user: str | None = None) -> list[Check]:
        """The checks with the token on the reader; raises the first stop (nothing written yet)."""
        settings = self.settings
        info = token.info
        checks = token_checks(info, params, options.sync_clock)
        self._emit(Checked(tuple(checks), with_token=True))
        stopped = stops(checks)
        if stopped:
            finding = stopped[0].finding
            if isinstance(finding, ModelNotWritable):
                raise UnknownModelError(info)
            if isinstance(finding, SeedRefused):
                raise SeedDoesNotFitError(list(finding.refusals))
        for target in settings.exports:  # each format's own rules, with the token's serial and model
            render(target.fmt, token_records(params, info, settings.upn))
        if settings.enroll is not None:  # a serial the identity system already holds stops the burn
            plan = settings.enroll
            try:
                check_before_burn(plan.registrar, Enrollment(info.serial, params, self._user(user)),
                                  force=plan.force)
            except RegistrationError as exc:
                if not (settings.register_later and exc.problem is RegistrationProblem.UNREACHABLE):
                    raise
                deferred = Check(CheckKind.REGISTRAR, Verdict.WARN, RegistrationDeferred(plan.registrar.system, exc))
                checks.append(deferred)
                self._emit(Checked((deferred,), with_token=True))
        return checks

    def _enroll(self, outcome: BurnOutcome, where: dict[str, str], user: str) -> None:
        plan, progress = self.settings.enroll, self.settings.progress
        assert plan is not None  # noqa: S101 (called only with a plan)
        report = outcome.report
        typed = None
        if report.verification is None and outcome.display is None and not plan.codes_from_seed \
                and self._typed_code is not None:
            typed = self._typed_code(outcome)
        computed = report.verification.token_code if report.verification else None
        code = activation_code(report.params, computed=computed, shown=outcome.display, typed=typed,
                               from_seed=plan.codes_from_seed)
        info = report.info
        enrollment = Enrollment(info.serial, report.params, user, info.capabilities.manufacturer, info.model)
        try:
            outcome.enrolled = enroll(plan.registrar, enrollment, code, force=plan.force,
                                      front_end=self.settings.front_end, batch=self.settings.batch,
                                      where={"family": where["family"], "model": where["model"]})
        except RegistrationError as exc:
            outcome.registration_error = exc
            self._emit(NotRegistered(exc))
            return
        if progress is not None:
            progress.record_registration(report.params.fingerprint,
                                         outcome.enrolled.registration.state)
        self._emit(Registered(outcome.enrolled))

    # -- catching up: a token burned earlier, registered now ------------------------------------------

    def register_burned(self, serial: str, params: OtpParams, user: str | None = None) -> Enrolled:
        """Register a token an earlier run burned (no token on the reader: only the seed's own code can
        activate it, and only when the plan allows that). Raises RegistrationError."""
        plan, progress = self.settings.enroll, self.settings.progress
        assert plan is not None  # noqa: S101 (a catch-up needs a plan)
        code = activation_code(params, from_seed=plan.codes_from_seed)
        enrolled = enroll(plan.registrar, Enrollment(serial, params, self._user(user)), code, force=plan.force,
                          front_end=self.settings.front_end, batch=self.settings.batch)
        if progress is not None:
            progress.record_registration(params.fingerprint,
                                         enrolled.registration.state)
        return enrolled
