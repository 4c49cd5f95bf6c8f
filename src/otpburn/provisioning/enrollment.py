"""Registering a burned token in an identity system, as every front end does it.

`prepare` runs before anything is burned (sign-in, the user, whether the system can hold these
settings), so a wrong password or an unknown user stops a burn instead of
following it. `enroll` registers (or finds its own earlier registration and goes on from
there) and activates with a code from a `CodeSource`, logging each step in the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from otpburn.errors import RegistrationError
from otpburn.otp.hotp import code_window
from otpburn.otp.params import OtpParams
from otpburn.provisioning.records import audit
from otpburn.registrars.base import Enrollment, Registrar, Registration, SettingsRefusedError, UserRef


class CodeOrigin(StrEnum):
    """Where an activation code came from: what the activation proves depends on it.

    (The S105 notes: these name where a code came from; none is a password.)
    """

    TOKEN_COMPUTED = "computed by the token"  # noqa: S105 an OATH applet answered: token and server agree
    TOKEN_DISPLAY = "shown by the token"  # noqa: S105 the virtual token's display, or typed off a real one
    SEED = "computed from the seed"  # noqa: S105 proves only that the server holds the seed, not the token

    @property
    def proves_the_token(self) -> bool:
        return self is not CodeOrigin.SEED


# Called when the code is needed (as late as possible, so a TOTP code is fresh): (code, origin).
CodeSource = Callable[[], tuple[str, CodeOrigin]]


def code_from_seed(params: OtpParams) -> CodeSource:
    """The code the seed gives now: for unattended batches of tokens that cannot compute on request."""
    return lambda: (code_window(params).current, CodeOrigin.SEED)


def fixed_code(code: str, origin: CodeOrigin) -> CodeSource:
    return lambda: (code, origin)


@dataclass
class Enrolled:
    registration: Registration
    code_origin: CodeOrigin | None  # None: registered, not activated (no code, or nobody to assign to)


def activation_code(params: OtpParams, *, computed: str | None = None, shown: str | None = None,
                    typed: str | None = None, from_seed: bool = False) -> CodeSource | None:
    """The one choice of an activation code, whoever registers: the code the token computed (an OATH applet),
    else the one it shows (the virtual token's display), else one the user typed off the token and that
    matched, else — only when asked for, for unattended batches — the seed's own code. None: no code, so the
    token is registered and left to be activated later."""
    if computed:
        return fixed_code(computed, CodeOrigin.TOKEN_COMPUTED)
    if shown:
        return fixed_code(shown, CodeOrigin.TOKEN_DISPLAY)
    if typed:
        return fixed_code(typed, CodeOrigin.TOKEN_DISPLAY)
    if from_seed:
        return code_from_seed(params)
    return None


def check_fits(registrar: Registrar, params: OtpParams) -> None:
    """Raise if the identity system cannot hold these settings (before a burn, not after it)."""
    refusals = registrar.refusals(params)
    if refusals:
        raise SettingsRefusedError(registrar.system, refusals)


def prepare(registrar: Registrar, params: OtpParams | None, user: str) -> UserRef | None:
    """Everything that can be checked before burning: the settings fit, the sign-in works, the user exists."""
    if params is not None:
        check_fits(registrar, params)
    registrar.check()
    return registrar.find_user(user) if user else None


def check_before_burn(registrar: Registrar, enrollment: Enrollment, *, force: bool = False) -> None:
    """With the token's serial known and before it is burned: the settings fit and the serial is free
    (or this seed's own earlier registration, or --force replaces it)."""
    check_fits(registrar, enrollment.params)
    registrar.check_serial(enrollment, force=force)


def enroll(registrar: Registrar, enrollment: Enrollment, code: CodeSource | None, *, force: bool = False,
           front_end: str = "cli", where: dict[str, str] | None = None, batch: bool = False) -> Enrolled:
    """Register the token and, given a code source, activate it; every step is an audit-log entry.

    `where` adds the audit log's token fields (family, model, reader) where they are known.
    """
    context = {"serial": enrollment.serial, **(where or {})}
    extra: dict[str, object] = {"registrar": registrar.name, "system": registrar.system, "front_end": front_end}
    if batch:
        extra["batch"] = True
    if enrollment.user:
        extra["assigned_to"] = enrollment.user
    params = enrollment.params

    def log(operation: str, result: str, detail: str = "", verification: str = "",
            error: RegistrationError | None = None) -> None:
        more = dict(extra)
        if error is not None:
            more.update(stage=error.stage, problem=error.problem.value)
        audit.record(operation, result, params=params, detail=detail, verification=verification, extra=more,
                     **context)

    try:
        check_fits(registrar, params)
        registration = registrar.register(enrollment, force=force)
    except RegistrationError as exc:
        log("register", "failed", str(exc), error=exc)
        raise
    if registration.replaced:
        log("remove", "ok", "an older token with this serial was removed (replacing it was asked for)")
    log("register", "resumed" if registration.resumed else "ok",
        "found from an earlier run" if registration.resumed else "")
    if registration.done or code is None or (registration.user is None and not registrar.activates_unassigned):
        return Enrolled(registration, None)
    value, origin = code()
    try:
        registrar.activate(registration, value)
    except RegistrationError as exc:
        log("activate", "failed", str(exc), verification=origin.value, error=exc)
        raise
    registration.activated = True
    log("activate", "ok", verification=origin.value)
    return Enrolled(registration, origin)


def remove(registrar: Registrar, serial: str, *, front_end: str = "cli") -> bool:
    """Remove the token with `serial` from the identity system (logged); False if it held none."""
    extra: dict[str, object] = {"registrar": registrar.name, "system": registrar.system, "front_end": front_end}
    try:
        removed = registrar.remove(serial)
    except RegistrationError as exc:
        audit.record("remove", "failed", serial=serial, detail=str(exc), extra=extra)
        raise
    audit.record("remove", "ok" if removed else "not found", serial=serial, extra=extra)
    return removed
