"""The burn, step by step: preflight, authenticate once, settings, seed, read-back.

Each step is recorded as it finishes, so a failure names the step and the state the
token was left in. Authentication is never retried.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from otpburn.errors import InputError, OperationError, OtpburnError
from otpburn.otp.fitting import FittedSecret, fit_secret
from otpburn.otp.params import OtpParams
from otpburn.tokens.base import TokenInfo
from otpburn.tokens.token2 import DISPLAY_TIMEOUTS, Token2Session
from otpburn.transport.errors import CardRemovedError

CLOCK_TOLERANCE = 2.0  # seconds: what a read-back may differ by (the token reports whole seconds)


class Step(str, Enum):
    IDENTIFY = "identify"
    PREFLIGHT = "preflight"
    AUTHENTICATE = "authenticate"
    CONFIG = "write settings"
    SEED = "write seed"
    READ_BACK = "read back"
    VERIFY = "verify"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class BurnOptions:
    sync_clock: bool = False  # write the PC's clock; otherwise keep the token's own time
    display_timeout: int = 30
    allow_wipe: bool = True  # whether a settings write that erases the seed may go ahead
    overwrite: bool = False  # OATH: replace a credential of the same name
    touch: bool = False  # OATH: require a touch for each code
    password: str | None = field(default=None, repr=False)  # OATH access password


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
    verification: Verification | None = None
    seconds: float = 0.0
    apdus: int = 0


class BurnFailed(OtpburnError):
    """A burn stopped part-way; says which step and what state the token is in."""

    def __init__(self, step: Step, cause: OtpburnError, state: str, report: BurnReport | None,
                 done: list[Step] | None = None) -> None:
        self.step, self.cause, self.state, self.report = step, cause, state, report
        self.done = list(done or [])
        self.exit_code = cause.exit_code
        super().__init__(f"burn stopped at '{step}': {cause}. {state}")


def preflight(info: TokenInfo, params: OtpParams, options: BurnOptions) -> tuple[FittedSecret, list[str]]:
    """Token2-family checks: see `check_fit` for the part every family shares."""
    fitted, warnings = check_fit(info, params)
    if options.display_timeout not in DISPLAY_TIMEOUTS:
        allowed = ", ".join(str(s) for s in DISPLAY_TIMEOUTS)
        raise InputError(f"the display timeout must be one of {allowed} seconds")
    return fitted, warnings


def unknown_model_message(info: TokenInfo) -> str:
    return (f"serial {info.serial} does not match a known programmable model; otpburn does not write to "
            "tokens it cannot identify (reading them is fine)")


def check_fit(info: TokenInfo, params: OtpParams) -> tuple[FittedSecret, list[str]]:
    """Check everything before a byte is written. Returns the fitted secret and warnings."""
    caps = info.capabilities
    if not caps.writable:
        raise InputError(unknown_model_message(info))
    problems = caps.refusals(params)
    if problems:
        raise InputError("; ".join(problems) + ". Nothing was written")
    fitted = fit_secret(params.secret, params.algorithm, caps.secret_min,
                        caps.secret_max or params.algorithm.block_size)
    warnings = []
    if fitted.changed:
        warnings.append(f"secret {fitted.describe()}")
    return fitted, warnings


def state_after(done: list[Step], wipes: bool) -> str:
    """Plain words for what the token holds after the steps in `done`."""
    if Step.SEED in done:
        return "The seed was written; check the token's code before relying on it."
    if Step.CONFIG in done:
        if wipes:
            return "The settings were written and the token's old seed is erased: burn again."
        return "The settings were written; the old seed is still there but may not match them: burn again."
    return "Nothing was written to the token."


def burn(session, params: OtpParams, options: BurnOptions,
         progress: Callable[[Step], None] | None = None, skip: frozenset[Step] = frozenset()) -> BurnReport:
    """Burn `params` into the token of `session` (already identified, `session.info` set).

    `skip` holds steps an earlier presentation of the same token finished (see resilient.py).
    """
    if getattr(session, "family", "") == "ykoath":
        from otpburn.provisioning.burn_oath import burn_oath

        return burn_oath(session, params, options, progress, skip)
    return burn_token2(session, params, options, progress, skip)


def burn_token2(session: Token2Session, params: OtpParams, options: BurnOptions,
                progress: Callable[[Step], None] | None = None, skip: frozenset[Step] = frozenset()) -> BurnReport:
    started = time.perf_counter()
    notify = progress or (lambda step: None)
    info = session.info or session.get_info()
    report: BurnReport | None = None
    step = Step.PREFLIGHT
    done: list[Step] = [Step.IDENTIFY]
    try:
        fitted, warnings = preflight(info, params, options)
        burned = params.replace(secret=fitted.secret)
        report = BurnReport(info, burned, fitted, warnings, done)
        if info.capabilities.time_write_wipes_seed and not options.allow_wipe:
            raise InputError("the settings write would erase the token's seed and was not confirmed")
        done.append(step)
        notify(step)

        writes_left = not {Step.CONFIG, Step.SEED} <= skip
        if writes_left:  # a read-back alone needs no authentication
            step = Step.AUTHENTICATE
            session.authenticate()
            done.append(step)
            notify(step)

        now = time.time()
        if options.sync_clock or info.clock is None:
            clock = round(now)
        else:  # keep the token's own time: its reading plus what has passed since
            clock = round(info.clock + (now - info.host_time))
        if Step.CONFIG not in skip:
            step = Step.CONFIG
            session.set_config(options.display_timeout, clock, burned.algorithm, burned.period)
            report.clock_written = clock
            done.append(step)
            notify(step)

        if Step.SEED not in skip:
            step = Step.SEED
            session.set_seed(burned.secret)
            done.append(step)
            notify(step)

        step = Step.READ_BACK
        after = session.get_info()
        report.read_back = after
        if after.serial != info.serial:
            raise OperationError(f"a different token answered (serial {after.serial}, expected {info.serial})")
        expected = clock + (after.host_time - now)
        if Step.CONFIG not in skip and after.clock is not None and abs(after.clock - expected) > CLOCK_TOLERANCE:
            report.warnings.append(f"the token's clock reads {after.clock - expected:+.0f} s from what was written")
        done.append(step)
        notify(step)
    except OtpburnError as exc:
        state = state_after(done + [s for s in skip if s not in done], info.capabilities.time_write_wipes_seed)
        if isinstance(exc, CardRemovedError):
            state += " Keep the token still on the reader while burning."
        raise BurnFailed(step, exc, state, report, done) from None
    report.seconds = time.perf_counter() - started
    report.apdus = session.channel.exchanges  # identification included: one channel per presentation
    return report
