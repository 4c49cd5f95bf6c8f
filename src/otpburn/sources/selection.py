"""Choosing one account when a source yields several (Google exports, several QR codes)."""

from __future__ import annotations

from collections.abc import Sequence

from otpburn.errors import InputError, Remedy
from otpburn.otp.params import OtpParams


def select_account(accounts: Sequence[OtpParams], pick: int | None = None, account: str | None = None) -> OtpParams:
    """One account: the only one, the `pick`-th (1-based), or the one whose label contains `account`."""
    if not accounts:
        raise InputError("no seed to choose from")
    if pick is not None:
        if not 1 <= pick <= len(accounts):
            raise InputError(f"account {pick} is out of range: there are {len(accounts)} accounts",
                             remedy=Remedy.PICK_ACCOUNT)
        return accounts[pick - 1]
    if account is not None:
        needle = account.casefold()
        found = [a for a in accounts if needle in a.label.casefold()]
        if len(found) == 1:
            return found[0]
        if not found:
            raise InputError(f"no account matches {account!r}; there are: {_labels(accounts)}")
        raise InputError(f"{len(found)} accounts match {account!r}: {_labels(found)}; be more specific",
                         remedy=Remedy.PICK_ACCOUNT)
    if len(accounts) > 1:
        raise InputError(f"{len(accounts)} accounts found ({_labels(accounts)})", remedy=Remedy.PICK_ACCOUNT)
    return accounts[0]


def _labels(accounts: Sequence[OtpParams]) -> str:
    return ", ".join(f"{i}. {a.label or '(no name)'}" for i, a in enumerate(accounts, start=1))
