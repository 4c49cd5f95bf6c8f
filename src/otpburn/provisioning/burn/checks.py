"""Checks before anything is written, each with a plain verdict: ok, warn or stop."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from otpburn.errors import OtpburnError, Remedy
from otpburn.otp.params import OtpParams
from otpburn.provisioning.burn.steps import check_fit, unknown_model_message
from otpburn.tokens.base import TokenInfo

CLOCK_OK = 2.0
MARKS = {"ok": "✓", "warn": "!", "stop": "✗"}


@dataclass(frozen=True)
class Check:
    name: str
    verdict: str  # "ok", "warn", "stop"
    message: str
    remedy: Remedy | None = None  # what the user can do about a warning or stop, worded by the front end

    def line(self, remedy_text: Callable[[Remedy], str | None] | None = None) -> str:
        """One line for a terminal; `remedy_text` words the remedy in the front end's terms."""
        extra = self.remedy and remedy_text and remedy_text(self.remedy)
        return f"  {MARKS[self.verdict]} {self.name}: {self.message}" + (f"; {extra}" if extra else "")

    def as_dict(self) -> dict[str, str]:
        return {"check": self.name, "verdict": self.verdict, "message": self.message}


def seed_checks(info: TokenInfo, params: OtpParams) -> list[Check]:
    if not info.capabilities.writable:
        return [Check("token", "stop", unknown_model_message(info))]
    try:
        fitted, _ = check_fit(info, params)
    except OtpburnError as exc:
        return [Check("seed fits the token", "stop", str(exc))]
    if fitted.changed:
        return [Check("seed fits the token", "warn", f"secret {fitted.describe()}")]
    return [Check("seed fits the token", "ok", f"{params.algorithm.value}, {params.digits} digits, "
                                               f"{len(params.secret)}-byte secret")]


def token_clock_check(info: TokenInfo, sync_clock: bool) -> Check | None:
    offset = info.clock_offset
    if offset is None:
        return None
    caps = info.capabilities
    wipe = " (this model erases its seed when its clock is set; the seed is written right after)" \
        if caps.time_write_wipes_seed else ""
    if sync_clock:
        return Check("token clock", "ok", f"{offset:+.0f} s now; it will be set from the PC's clock{wipe}")
    if abs(offset) <= CLOCK_OK:
        return Check("token clock", "ok", f"{offset:+.0f} s from the PC")
    # A warning, not a stop: keeping a token's own time can be deliberate.
    return Check("token clock", "warn", f"{offset:+.0f} s from the PC: its codes will be off by that much{wipe}",
                 Remedy.SYNC_CLOCK)


def pc_clock_check(servers: list[str] | None = None) -> Check:
    from otpburn.provisioning.burn.pc_clock import check_pc_clock

    result = check_pc_clock(servers)
    return Check("PC clock", result.verdict, result.message)


def stops(checks: list[Check]) -> list[Check]:
    return [check for check in checks if check.verdict == "stop"]


def burn_checks(info: TokenInfo, params: OtpParams, sync_clock: bool, ntp_servers: list[str] | None = None,
                check_pc_clock: bool = True) -> list[Check]:
    """Every check before a burn: the seed, the token's clock, and the PC's clock before a clock sync."""
    checks = seed_checks(info, params)
    clock = token_clock_check(info, sync_clock)
    if clock:
        checks.append(clock)
    if check_pc_clock and sync_clock and info.capabilities.clock_settable:
        checks.append(pc_clock_check(ntp_servers))
    return checks


def raise_for_stops(checks: list[Check]) -> None:
    """The first check that says stop, as the error that ends the burn before anything is written."""
    from otpburn.errors import InputError, OperationError

    stopped = stops(checks)
    if not stopped:
        return
    reason = stopped[0].message.rstrip(".")
    if "nothing was written" not in reason.lower():
        reason += ". Nothing was written"
    raise (OperationError if stopped[0].name == "PC clock" else InputError)(reason, remedy=stopped[0].remedy)
