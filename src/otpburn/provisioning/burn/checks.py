"""Checks before anything is written, each a verdict with its finding as data (the front ends word them).

The token's own checks (is it a model otpburn writes, does the account fit, how far off is its clock)
come from `token_checks`; the flow adds its own (the PC's clock, exports, the identity system, the
batch's progress file) before the token is touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from otpburn.errors import RegistrationError, Remedy
from otpburn.otp.fitting import FittedSecret
from otpburn.otp.params import Algorithm, OtpParams
from otpburn.otp.refusals import Refusal
from otpburn.provisioning.burn.pc_clock import PcClockResult, check_pc_clock
from otpburn.provisioning.burn.steps import fit
from otpburn.tokens.base import TokenInfo

CLOCK_OK = 2.0  # seconds a token's clock may differ from the PC's without a warning


class Verdict(StrEnum):
    OK = "ok"
    WARN = "warn"  # worth knowing; the burn goes ahead
    STOP = "stop"  # nothing is written


class CheckKind(StrEnum):
    """What a check looked at. (The S105 notes: names of checks, not passwords.)"""

    TOKEN = "token"  # noqa: S105  is it a model otpburn writes to?
    SEED_FITS = "seed fits"  # can the token hold the account's settings and secret?
    TOKEN_CLOCK = "token clock"  # noqa: S105
    PC_CLOCK = "pc clock"  # before a token's clock is set from it
    EXPORT = "export"  # a file to write after the burn
    REGISTRAR = "registrar"  # the identity system to register the token in
    PROGRESS = "progress"  # a batch's record of what it burned


@dataclass(frozen=True)
class Finding:
    """What a check found; one subclass per kind of finding, each with the data its words need."""


@dataclass(frozen=True)
class ModelNotWritable(Finding):
    serial: str
    model: str


@dataclass(frozen=True)
class SeedFits(Finding):
    algorithm: Algorithm
    digits: int
    secret_bytes: int


@dataclass(frozen=True)
class SecretFitted(Finding):
    fitted: FittedSecret  # another length with the same codes (RFC 2104)


@dataclass(frozen=True)
class SeedRefused(Finding):
    refusals: tuple[Refusal, ...]


@dataclass(frozen=True)
class TokenClock(Finding):
    offset: float  # token minus PC, seconds
    will_sync: bool  # the burn sets it from the PC's clock
    wipes_seed: bool  # and on this model that erases the seed (written right after)


@dataclass(frozen=True)
class PcClock(Finding):
    result: PcClockResult


@dataclass(frozen=True)
class ExportPlanned(Finding):
    format: str
    path: str


@dataclass(frozen=True)
class RegistrarReady(Finding):
    system: str  # "privacyidea", "entra", ...
    name: str  # the registrar file's section
    server: str  # what answered (a version, a tenant)
    user: str  # who the token is for ("" for nobody yet)


@dataclass(frozen=True)
class RegistrationDeferred(Finding):
    """The identity system cannot be reached: the token is burned now and registered by a later run (a batch's
    choice; whether the serial is free there is checked then)."""

    system: str
    error: RegistrationError = field(compare=False)


@dataclass(frozen=True)
class ProgressReady(Finding):
    path: str


@dataclass(frozen=True)
class Check:
    kind: CheckKind
    verdict: Verdict
    finding: Finding
    remedy: Remedy | None = None  # what the user can do about a warning or stop, worded by the front end


def seed_checks(info: TokenInfo, params: OtpParams) -> list[Check]:
    if not info.capabilities.writable:
        return [Check(CheckKind.TOKEN, Verdict.STOP, ModelNotWritable(info.serial, info.model))]
    fitted, refusals = fit(info, params)
    if refusals:
        return [Check(CheckKind.SEED_FITS, Verdict.STOP, SeedRefused(tuple(refusals)))]
    if fitted.changed:
        return [Check(CheckKind.SEED_FITS, Verdict.WARN, SecretFitted(fitted))]
    return [Check(CheckKind.SEED_FITS, Verdict.OK, SeedFits(params.algorithm, params.digits, len(params.secret)))]


def token_clock_check(info: TokenInfo, sync_clock: bool) -> Check | None:
    offset = info.clock_offset
    if offset is None:
        return None
    finding = TokenClock(offset, sync_clock, info.capabilities.time_write_wipes_seed)
    if sync_clock or abs(offset) <= CLOCK_OK:
        return Check(CheckKind.TOKEN_CLOCK, Verdict.OK, finding)
    # A warning, not a stop: keeping a token's own time can be deliberate.
    return Check(CheckKind.TOKEN_CLOCK, Verdict.WARN, finding, Remedy.SYNC_CLOCK)


def pc_clock_check(servers: list[str] | None = None) -> Check:
    result = check_pc_clock(servers)
    return Check(CheckKind.PC_CLOCK, Verdict(result.verdict), PcClock(result))


def token_checks(info: TokenInfo, params: OtpParams, sync_clock: bool) -> list[Check]:
    """What the token itself tells before a burn of `params`: its model, whether the account fits, its clock."""
    checks = seed_checks(info, params)
    clock = token_clock_check(info, sync_clock)
    if clock:
        checks.append(clock)
    return checks


def stops(checks: list[Check]) -> list[Check]:
    return [check for check in checks if check.verdict is Verdict.STOP]


def worst(checks: list[Check]) -> Verdict:
    verdicts = {check.verdict for check in checks}
    return next((verdict for verdict in (Verdict.STOP, Verdict.WARN) if verdict in verdicts), Verdict.OK)
