"""The family-neutral core of a burn: steps, options, report, failure, and the run skeleton.

A family burn (`burn_token2`, `burn_oath`, ...) owns what differs between families: its
checks, the steps it performs, the state a failure leaves the token in, and which finished
steps a later presentation of the same token may skip. Everything else — progress, timing,
the report, turning any failure into one `BurnFailedError` that names the step and the state —
happens here, once.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

from otpburn.errors import InputError, OtpburnError, Remedy
from otpburn.otp.fitting import FittedSecret, fit_secret
from otpburn.otp.params import OtpParams
from otpburn.tokens.base import TokenInfo, TokenSession
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


STATE_TEXT = {
    TokenState.UNTOUCHED: "Nothing was written to the token.",
    TokenState.SETTINGS_WRITTEN: "The settings were written; the old seed is still there but may not match them: "
                                 "burn again.",
    TokenState.SEED_ERASED: "The settings were written and the token's old seed is erased: burn again.",
    TokenState.SEED_WRITTEN: "The seed was written; check the token's code before relying on it.",
    TokenState.CREDENTIAL_UNCONFIRMED: "The credential was written but could not be confirmed.",
    TokenState.PROFILE_EMPTY: "The profile holds no seed now (an old one was erased first): burn again.",
}


@dataclass(frozen=True)
class BurnOptions:
    sync_clock: bool = False  # write the PC's clock; otherwise keep the token's own time
    display_timeout: int = 30
    allow_wipe: bool = True  # whether a settings write that erases the seed may go ahead
    overwrite: bool = False  # OATH: replace a credential of the same name
    touch: bool = False  # OATH: require a touch for each code
    password: str | None = field(default=None, repr=False)  # OATH access password
    profile: int | None = None  # multi-profile tokens: the profile to burn
    title: str | None = None  # multi-profile tokens: the profile's title (None: from the account)
    customer_key: bytes | None = field(default=None, repr=False)  # multi-profile tokens: the customer key
    last_attempt_accepted: bool = False  # authenticate even with one attempt left


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
    warnings: list[str] = field(default_factory=list)
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


class BurnFailedError(OtpburnError):
    """A burn stopped part-way: at which step, why (`cause`), and what the token holds now."""

    def __init__(self, step: Step, cause: OtpburnError, state: TokenState, report: BurnReport | None,
                 done: list[Step] | None = None) -> None:
        text = STATE_TEXT[state]
        if isinstance(cause, CardRemovedError):
            text += " Keep the token still on the reader while burning."
        super().__init__(f"burn stopped at '{step}': {cause}. {text}")
        self.step, self.cause, self.state, self.report, self.state_text = step, cause, state, report, text
        self.done = list(done or [])

    def worded(self, remedy_text: Callable[[Remedy], str | None]) -> str:
        cause = self.cause.worded(remedy_text) if self.cause is not None else ""
        return f"burn stopped at '{self.step}': {cause}. {self.state_text}"


class UnknownModelError(InputError):
    """The token identified itself, but as no model otpburn may write to."""

    def __init__(self, info: TokenInfo) -> None:
        self.serial = info.serial
        super().__init__(unknown_model_message(info))


def unknown_model_message(info: TokenInfo) -> str:
    return (f"serial {info.serial} does not match a known programmable model; otpburn does not write to "
            "tokens it cannot identify (reading them is fine)")


class SeedDoesNotFitError(InputError):
    """The account's settings are beyond what the token can hold; `problems` says which."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems) + ". Nothing was written")


def check_fit(info: TokenInfo, params: OtpParams) -> tuple[FittedSecret, list[str]]:
    """Check everything a family shares before a byte is written: the fitted secret and warnings."""
    caps = info.capabilities
    if not caps.writable:
        raise UnknownModelError(info)
    problems = caps.refusals(params)
    if problems:
        raise SeedDoesNotFitError(problems)
    fitted = fit_secret(params.secret, params.algorithm, caps.secret_min,
                        caps.secret_max or params.algorithm.block_size)
    warnings = []
    if fitted.changed:
        warnings.append(f"secret {fitted.describe()}")
    return fitted, warnings


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

    def check(self, info: TokenInfo, params: OtpParams, options: BurnOptions) -> tuple[FittedSecret, list[str]]:
        """Everything before a byte is written; raise to refuse. Families may add their own rules."""
        fitted, warnings = check_fit(info, params)
        caps = info.capabilities
        if caps.display_timeouts and options.display_timeout not in caps.display_timeouts:
            allowed = ", ".join(str(s) for s in sorted(caps.display_timeouts))
            raise InputError(f"the display timeout must be one of {allowed} seconds")
        if caps.time_write_wipes_seed and not options.allow_wipe:
            raise InputError("the settings write would erase the token's seed and was not confirmed",
                             remedy=Remedy.CONFIRM_WIPE)
        return fitted, warnings

    @abstractmethod
    def steps(self, run: BurnRun[S]) -> None:
        """The family's writes, read-back and verification, each inside `run.step(...)`."""

    @abstractmethod
    def state_after(self, finished: set[Step], info: TokenInfo, interrupted: Step | None = None) -> TokenState:
        """What the token holds once the steps in `finished` (this and earlier presentations) are done.

        `interrupted` is a step whose answer was lost with the link: it may or may not have happened.
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
    """Burn `params` into the identified token of `session` the way `family` does it."""
    started = time.perf_counter()
    info = session.info
    done = [Step.IDENTIFY]
    run: BurnRun[S] | None = None
    try:
        fitted, warnings = family.check(info, params, options)
        report = BurnReport(info, params.replace(secret=fitted.secret), fitted, warnings, done)
        run = BurnRun(session, report, options, skip, progress)
        with run.step(Step.PREFLIGHT):
            pass
        family.steps(run)
    except OtpburnError as exc:
        step = run.current if run else Step.PREFLIGHT
        interrupted = step if isinstance(exc, CardRemovedError) else None
        state = family.state_after(set(done) | set(skip), info, interrupted)
        raise BurnFailedError(step, exc, state, run.report if run else None, done) from None
    report.seconds = time.perf_counter() - started
    report.apdus = session.channel.exchanges  # identification included: one channel per presentation
    return report
