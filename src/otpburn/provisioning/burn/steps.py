"""The family-neutral core of a burn: steps, options, report, notes, failure, and the run skeleton.

A family burn (`token2`, `oath`, `molto2`) owns what differs between families: its checks, the
steps it performs, the state a failure leaves the token in, and which finished steps a later
presentation of the same token may skip. Everything else — progress, timing, the report, turning
any failure (Ctrl+C included) into one `BurnFailedError` that names the step and the state —
happens here, once. Nothing here is worded: steps, states and notes are data the front ends word.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

from otpburn.errors import InputError, OperationError, OtpburnError, Remedy
from otpburn.otp.fitting import FittedSecret, SecretDoesNotFitError, fit_secret
from otpburn.otp.params import OtpParams
from otpburn.otp.refusals import Refusal, RefusalKind
from otpburn.tokens.base import DEFAULT_DISPLAY_TIMEOUT, TokenInfo, TokenSession
from otpburn.transport.errors import CardRemovedError


class Step(StrEnum):
    IDENTIFY = "identify"
    PREFLIGHT = "preflight"
    READ_CLOCK = "read clock"
    AUTHENTICATE = "authenticate"
    ERASE = "erase profile"  # multi-profile tokens: the profile's old seed, before new settings
    CONFIG = "write settings"
    TITLE = "write title"
    SEED = "write seed"
    READ_BACK = "read back"
    VERIFY = "verify"


class TokenState(StrEnum):
    """What the token holds after a burn stopped part-way."""

    UNTOUCHED = "untouched"
    SETTINGS_WRITTEN = "settings written"  # the old seed is still there but may not match them
    SEED_ERASED = "seed erased"  # settings written on a model whose settings write erases the seed
    SEED_WRITTEN = "seed written"  # written; not yet confirmed by a read-back or a code
    CREDENTIAL_UNCONFIRMED = "credential unconfirmed"  # OATH: written, but the token did not confirm it
    PROFILE_EMPTY = "profile empty"  # multi-profile: the profile holds no seed (its old one erased, if any)


@dataclass(frozen=True)
class OathOptions:
    touch: bool = False  # require a touch for each code


@dataclass(frozen=True)
class Molto2Options:
    profile: int | None = None  # the profile to burn
    title: str | None = None  # the profile's title (None: from the account)


@dataclass(frozen=True)
class BurnOptions:
    """What the user chose for a burn. The first fields mean the same for every family (a family whose tokens
    lack a clock or a display ignores them, its capabilities say so); the rest are one family's own."""

    sync_clock: bool = False  # write the PC's clock; otherwise keep the token's own time
    display_timeout: int = DEFAULT_DISPLAY_TIMEOUT
    allow_wipe: bool = True  # whether a settings write that erases the seed may go ahead
    replace: bool = False  # replace what is there: a credential of the same name, a profile's seed
    oath: OathOptions = field(default_factory=OathOptions)
    molto2: Molto2Options = field(default_factory=Molto2Options)


# --- notes: what a burn wants the user to know, as data --------------------------------------------------

@dataclass(frozen=True)
class BurnNote:
    """Something worth telling about a burn that went through. Front ends word each kind."""


@dataclass(frozen=True)
class SecretFittedNote(BurnNote):
    fitted: FittedSecret  # a secret of another length with the same codes (RFC 2104)


@dataclass(frozen=True)
class ClockStoppedNote(BurnNote):
    """The token's clock did not advance while it was read: a stopped clock shows wrong codes."""


@dataclass(frozen=True)
class ClockDriftNote(BurnNote):
    seconds: float  # what the clock read back differs from what was written


@dataclass(frozen=True)
class TitleCutNote(BurnNote):
    title: str  # the account's name cut to what a Molto2 shows


@dataclass(frozen=True)
class ResumedNote(BurnNote):
    presentations: int  # the token was placed this many times; the burn went on where it stopped


@dataclass
class Verification:
    """The token's own code compared with the host's, for tokens that compute codes."""

    token_code: str | None
    host_code: str
    matches: bool


@dataclass
class BurnReport:
    info: TokenInfo
    params: OtpParams  # what went onto the token (the secret possibly fitted)
    fitted: FittedSecret
    notes: list[BurnNote] = field(default_factory=list)
    done: list[Step] = field(default_factory=list)
    clock_written: int | None = None
    read_back: TokenInfo | None = None
    credential: str | None = None  # OATH: the name it was stored under
    profile: int | None = None  # multi-profile tokens: the profile it went into
    title: str | None = None  # multi-profile tokens: the title it carries
    verification: Verification | None = None
    seconds: float = 0.0
    clock_wait: float = 0.0  # of `seconds`, spent watching the token's clock and waiting for a whole second
    apdus: int = 0


# --- failures -------------------------------------------------------------------------------------------

class BurnCancelledError(OperationError):
    """The user stopped the burn (Ctrl+C, or Cancel in the window) while it ran."""

    def __init__(self) -> None:
        super().__init__("the burn was cancelled")


class BurnFailedError(OtpburnError):
    """A burn stopped part-way: at which step, why (`cause`), and what the token holds now (`state`)."""

    def __init__(self, step: Step, cause: OtpburnError, state: TokenState, report: BurnReport | None,
                 done: list[Step] | None = None) -> None:
        super().__init__(f"burn stopped at '{step}' ({state}): {cause}")
        self.step, self.cause, self.state, self.report = step, cause, state, report
        self.done = list(done or [])

    @property
    def link_lost(self) -> bool:
        return isinstance(self.cause, CardRemovedError)

    @property
    def between_steps(self) -> bool:
        """Stopped after `step` had finished, before the next one began (a Ctrl+C between two steps)."""
        return self.step in self.done

    @property
    def cancelled(self) -> bool:
        return isinstance(self.cause, BurnCancelledError)


class UnknownModelError(InputError):
    """The token identified itself, but as no model otpburn may write to."""

    def __init__(self, info: TokenInfo) -> None:
        self.serial, self.model = info.serial, info.model
        super().__init__(f"serial {info.serial} does not match a known programmable model; otpburn does not write "
                         "to tokens it cannot identify (reading them is fine)")


class SeedDoesNotFitError(InputError):
    """The account's settings are beyond what the token can hold; `refusals` says which, as data."""

    def __init__(self, refusals: list[Refusal]) -> None:
        self.refusals = refusals
        super().__init__("the token cannot hold: " + ", ".join(f"{r.kind} {r.wanted}" for r in refusals))


class WipeNotConfirmedError(InputError):
    """The settings write would erase the token's seed (the new one follows), and that was not agreed to."""

    def __init__(self, model: str) -> None:
        self.model = model
        super().__init__(f"setting the {model}'s clock erases its seed, and that was not confirmed",
                         remedy=Remedy.CONFIRM_WIPE)


def secret_refusal(info: TokenInfo, error: SecretDoesNotFitError) -> Refusal:
    kind = RefusalKind.SECRET_TOO_LONG if error.too_long else RefusalKind.SECRET_TOO_SHORT
    return Refusal(kind, info.model, error.length, (error.limit,))


def fit(info: TokenInfo, params: OtpParams) -> tuple[FittedSecret, list[Refusal]]:
    """The secret fitted to the token (RFC 2104) and every refusal of the account's settings (none: it fits)."""
    caps = info.capabilities
    refusals = caps.refusals(params)
    try:
        fitted = fit_secret(params.secret, params.algorithm, caps.secret_min,
                            caps.secret_max or params.algorithm.block_size)
    except SecretDoesNotFitError as exc:
        return FittedSecret(params.secret, (), len(params.secret)), [*refusals, secret_refusal(info, exc)]
    return fitted, refusals


def check_fit(info: TokenInfo, params: OtpParams) -> tuple[FittedSecret, list[BurnNote]]:
    """Check everything a family shares before a byte is written: the fitted secret and notes."""
    if not info.capabilities.writable:
        raise UnknownModelError(info)
    fitted, refusals = fit(info, params)
    if refusals:
        raise SeedDoesNotFitError(refusals)
    return fitted, [SecretFittedNote(fitted)] if fitted.changed else []


S = TypeVar("S", bound=TokenSession)


class BurnRun(Generic[S]):
    """One burn in progress on one presentation: the steps done so far and the report."""

    def __init__(self, session: S, report: BurnReport, options: BurnOptions, skip: frozenset[Step],
                 progress: Callable[[Step], None] | None) -> None:
        self.session, self.report, self.options, self.skip = session, report, options, skip
        self.current = Step.PREFLIGHT
        self._notify = progress or (lambda step: None)

    @property
    def info(self) -> TokenInfo:
        return self.report.info

    @property
    def params(self) -> OtpParams:
        """The parameters as they go onto the token (the secret fitted)."""
        return self.report.params

    @property
    def done(self) -> list[Step]:
        return self.report.done

    @property
    def resumed(self) -> bool:
        """True when an earlier presentation of this token already did part of the burn."""
        return bool(self.skip)

    @contextmanager
    def step(self, step: Step) -> Iterator[None]:
        """Run one step: a failure inside names it; success records and reports it."""
        self.current = step
        yield
        self.report.done.append(step)
        self._notify(step)


class FamilyBurn(ABC, Generic[S]):
    """What one token family's burn decides; `run_burn` does the rest."""

    def check(self, info: TokenInfo, params: OtpParams, options: BurnOptions) -> tuple[FittedSecret, list[BurnNote]]:
        """Everything before a byte is written; raise to refuse. Families may add their own rules."""
        fitted, notes = check_fit(info, params)
        caps = info.capabilities
        if caps.display_timeouts and options.display_timeout not in caps.display_timeouts:
            raise SeedDoesNotFitError([Refusal(RefusalKind.DISPLAY_TIMEOUT, info.model, options.display_timeout,
                                               tuple(sorted(caps.display_timeouts)))])
        if caps.time_write_wipes_seed and not options.allow_wipe:
            raise WipeNotConfirmedError(info.model)
        return fitted, notes

    @abstractmethod
    def steps(self, run: BurnRun[S]) -> None:
        """The family's writes, read-back and verification, each inside `run.step(...)`."""

    @abstractmethod
    def state_after(self, finished: set[Step], info: TokenInfo, interrupted: Step | None = None) -> TokenState:
        """What the token holds once the steps in `finished` (this and earlier presentations) are done.

        `interrupted` is a step whose answer was lost with the link (or cut short by Ctrl+C): it may or may
        not have happened.
        """

    def carry_over(self, finished: set[Step]) -> set[Step]:
        """Which finished writes a later presentation of the same token may skip."""
        return finished


# Steps that are never carried over to another presentation: the clock reading and authentication
# belong to one presentation, and the read-back and verification must look at the token as it is now.
PER_PRESENTATION = frozenset({Step.READ_CLOCK, Step.AUTHENTICATE, Step.READ_BACK, Step.VERIFY})


def steps_to_skip(family: FamilyBurn[S], skip: frozenset[Step], failure: BurnFailedError) -> frozenset[Step]:
    """After `failure` lost the token, the steps its next presentation can skip."""
    finished = set(skip) | {step for step in failure.done if step not in PER_PRESENTATION}
    return frozenset(family.carry_over(finished) | {Step.PREFLIGHT})


def run_burn(family: FamilyBurn[S], session: S, params: OtpParams, options: BurnOptions,
             progress: Callable[[Step], None] | None = None, skip: frozenset[Step] = frozenset()) -> BurnReport:
    """Burn `params` into the identified token of `session` the way `family` does it.

    Any failure, and a Ctrl+C, ends as one BurnFailedError that says what the token holds now.
    """
    started = time.perf_counter()
    info = session.info
    done = [Step.IDENTIFY]
    run: BurnRun[S] | None = None
    try:
        try:
            fitted, notes = family.check(info, params, options)
            report = BurnReport(info, params.replace(secret=fitted.secret), fitted, notes, done)
            run = BurnRun(session, report, options, skip, progress)
            with run.step(Step.PREFLIGHT):
                pass
            family.steps(run)
        except KeyboardInterrupt:
            raise BurnCancelledError() from None
    except OtpburnError as exc:
        step = run.current if run else Step.PREFLIGHT
        # A lost link, or a Ctrl+C in the middle of a step: that step's write may have happened.
        cut_short = isinstance(exc, CardRemovedError | BurnCancelledError) and step not in done
        state = family.state_after(set(done) | set(skip), info, step if cut_short else None)
        raise BurnFailedError(step, exc, state, run.report if run else None, done) from None
    report.seconds = time.perf_counter() - started
    report.apdus = session.channel.exchanges  # identification included: one channel per presentation
    return report
