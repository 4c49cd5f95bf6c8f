"""A burn as front ends run it: exports checked first, the resilient burn, the audit log, the exports.

The CLI and the desktop app both call `burn_job`, so neither repeats the order of these steps.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from otpburn.otp.hotp import code_window
from otpburn.otp.params import OtpParams
from otpburn.provisioning.access.session import TokenOnReader
from otpburn.provisioning.burn.resilient import resilient_burn
from otpburn.provisioning.burn.steps import BurnFailedError, BurnOptions, BurnReport, Step
from otpburn.provisioning.records import audit
from otpburn.provisioning.records.exports import ExportTarget, export, render, token_records
from otpburn.tokens.base import TokenInfo


@dataclass
class JobResult:
    report: BurnReport
    presentations: int
    display: str | None  # what the virtual token shows, when it is the virtual token
    display_matches: bool | None


def check_exports(targets: Sequence[ExportTarget], params: OtpParams, info: TokenInfo, upn: str) -> None:
    """Render every export once before burning, so a format's rules stop a burn instead of following it."""
    for target in targets:
        render(target.fmt, token_records(params, info, upn), None)


def burn_job(token: TokenOnReader, params: OtpParams, options: BurnOptions, *,
             exports: Sequence[ExportTarget] = (), upn: str = "",
             progress: Callable[[Step], None] | None = None, on_wait: Callable[[str], None] | None = None,
             on_export: Callable[[ExportTarget, list[str]], None] | None = None, resume_timeout: float = 30.0,
             front_end: str = "cli") -> JobResult:
    """Burn `params` into the token of a `token_session`, resuming if it moves; log and export."""
    opened, info = token.reader, token.info
    check_exports(exports, params, info, upn)
    where = {"reader": opened.name, "family": info.family, "model": info.model, "serial": info.serial}
    try:
        report, presentations = resilient_burn(opened, params, options, key=token.key, tracer=token.channel.tracer,
                                               first_session=token.session, progress=progress, on_wait=on_wait,
                                               resume_timeout=resume_timeout)
    except BurnFailedError as exc:
        audit.record("burn", "failed", params=params, detail=str(exc), extra={"front_end": front_end}, **where)
        raise
    if presentations > 1:
        report.warnings.append(f"the token was placed {presentations} times; the burn resumed where it stopped")
    display = opened.virtual_card.display_code() if opened.virtual_card is not None else None
    matches = None
    if report.verification is not None:
        checked = "automatic: the token computed the expected code"
    elif display is not None:
        window = code_window(report.params)
        matches = display in (window.previous, window.current, window.next)
        checked = "virtual token display " + ("matches" if matches else "MISMATCH")
    else:
        checked = "left to the user"
    audit.record("burn", "ok", params=params, verification=checked, extra={
        "front_end": front_end, **({"credential": report.credential} if report.credential else {}),
        **({"profile": report.profile, "title": report.title} if report.profile is not None else {})}, **where)
    for target in exports:
        notes = export(target.fmt, token_records(params, info, upn), target.path, force=True,
                       password=target.password)
        audit.record("export", "ok", params=params, serial=info.serial, extra={"format": target.fmt,
                                                                              "file": target.path})
        if on_export:
            on_export(target, notes)
    return JobResult(report, presentations, display, matches)
