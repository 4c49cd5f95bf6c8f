"""A Token2 Molto2's own administration, each in the audit log whichever front end asked: deleting a
profile's seed, changing the customer key, the factory reset, and setting profile clocks from the PC's.

The device confirms key changes and resets with its ▲ button; the front end tells the user to press it
(`confirm` / `on_button`) and this module checks that it took.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from otpburn.errors import VerificationError
from otpburn.provisioning.access.session import TokenOnReader
from otpburn.provisioning.burn.clock_write import DEFAULT_LAG, token_time, wait_for_whole_second
from otpburn.provisioning.burn.molto2 import authenticate
from otpburn.provisioning.burn.pc_clock import PcClockResult, PcClockWrongError, check_pc_clock
from otpburn.provisioning.records import attempts, audit
from otpburn.tokens.molto2 import (
    ButtonNotPressedError,
    Molto2Session,
    Profile,
    ProfileEmptyError,
    WrongCustomerKeyError,
)


def _where(token: TokenOnReader, front_end: str) -> dict[str, Any]:
    info = token.info
    return {"reader": token.reader.name, "family": info.family, "model": info.model, "serial": info.serial,
            "front_end": front_end}


def _record(operation: str, result: str, token: TokenOnReader, front_end: str, detail: str = "",
            **extra: object) -> None:
    where = _where(token, front_end)
    audit.record(operation, result, reader=where.pop("reader"), family=where.pop("family"),
                 model=where.pop("model"), serial=where.pop("serial"), detail=detail, extra={**where, **extra})


def delete_profile(token: TokenOnReader, session: Molto2Session, number: int, front_end: str = "cli") -> Profile:
    """Erase profile `number`'s seed (the device asks no key for this); its title stays. Returns what it held."""
    profile = session.profile(number)
    if not profile.occupied:
        raise ProfileEmptyError(number)
    session.delete(number)
    _record("delete", "ok", token, front_end, profile=number, title=profile.title)
    return profile


class KeyChangeNotConfirmedError(VerificationError):
    """The new customer key was refused when checked: the device kept its old key."""

    def __init__(self, serial: str, remaining: int) -> None:
        self.serial, self.remaining = serial, remaining
        super().__init__(f"the Molto2 {serial} refused the new customer key, so it still has the old one (was ▲ "
                         f"pressed?); {remaining} attempts remain. Nothing else was changed")


def change_key(token: TokenOnReader, session: Molto2Session, new_key: Callable[[], bytes],
               confirm: Callable[[], bool], front_end: str = "cli") -> None:
    """Authenticate with the current key (the session's credentials), then ask for the new one (`new_key`: nobody
    types a new key for a token that refused the current one), let the user press ▲ (`confirm` returns False
    when they give up), then check the new key once."""
    authenticate(session)
    new_customer_key = new_key()
    if session.change_key(new_customer_key) and not confirm():
        _record("change-key", "failed", token, front_end, "not confirmed on the token")
        raise ButtonNotPressedError("customer key change")
    try:
        confirm_new_key(session, new_customer_key)
    except Exception:
        _record("change-key", "failed", token, front_end, "the new key was not accepted")
        raise
    _record("change-key", "ok", token, front_end)


def factory_reset(token: TokenOnReader, session: Molto2Session, on_button: Callable[[], None], checks: int,
                  front_end: str = "cli") -> list[int]:
    """Erase every profile and restore the factory customer key; `on_button` asks for ▲. Returns the profiles
    that held a seed (now erased)."""
    used = [profile.number for profile in session.profiles() if profile.occupied]
    if session.factory_reset():
        on_button()
        try:
            wait_for_reset(session, used, checks=checks)
        except Exception:
            _record("factory-reset", "failed", token, front_end, "not confirmed on the token")
            raise
    attempts.forget(session.info.serial)
    _record("factory-reset", "ok", token, front_end, profiles_erased=len(used))
    return used


def sync_profile_clocks(token: TokenOnReader, session: Molto2Session, numbers: list[int],
                        ntp_servers: list[str] | None = None, check_clock: bool = True,
                        front_end: str = "cli") -> PcClockResult | None:
    """Set profile clocks from the PC's, after checking the PC's clock (a clock far off stops it here)."""
    result = check_pc_clock(ntp_servers) if check_clock else None
    if result is not None and result.verdict == "stop":
        raise PcClockWrongError(result)
    authenticate(session)
    sync_clocks(session, numbers)
    _record("sync-clock", "ok", token, front_end, profiles=numbers)
    return result


def confirm_new_key(session: Molto2Session, new_customer_key: bytes) -> None:
    """After the button: authenticate once with the new key (the only way to see the change took)."""
    session.forget_key()
    try:
        authenticate(session, new_customer_key)
    except WrongCustomerKeyError as exc:
        raise KeyChangeNotConfirmedError(exc.serial, exc.remaining) from None


RESET_CHECK_PAUSE = 0.5  # seconds between looks at the profiles while the user reaches for the button


def wait_for_reset(session: Molto2Session, occupied: list[int], checks: int) -> bool:
    """Look (keyless reads) until the profiles that held seeds are empty: the reset was confirmed.

    False when there is nothing to look at (no profile held a seed). `checks` bounds the looks.
    """
    if not occupied:
        return False
    for _ in range(checks):
        time.sleep(RESET_CHECK_PAUSE)
        if not any(session.profile(number).occupied for number in occupied):
            return True
    raise ButtonNotPressedError("factory reset")


def sync_clocks(session: Molto2Session, numbers: list[int]) -> list[int]:
    """Set the clocks of profiles `numbers` from the PC's (clock-only writes: seeds and settings stay).

    Authenticate first. Each write lands within CLOCK_SLACK of the PC's whole second.
    """
    pc_time = token_time(None)
    written = []
    for number in numbers:
        clock, _ = wait_for_whole_second(pc_time, DEFAULT_LAG)
        session.set_clock(number, clock)
        written.append(clock)
    return written
