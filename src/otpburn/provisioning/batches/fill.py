"""Filling a Token2 Molto2: the accounts of a seed file into its free profiles, one after another, each
through the one burn flow, on one connection (one authentication, the device's clock watched once)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from otpburn.errors import InputError
from otpburn.provisioning.access.session import TokenOnReader
from otpburn.provisioning.burn.flow import BurnFlow, BurnOutcome
from otpburn.provisioning.burn.molto2 import default_title
from otpburn.provisioning.burn.steps import BurnOptions, Molto2Options
from otpburn.provisioning.records import audit
from otpburn.sources.seedfiles import SeedRecord
from otpburn.tokens.molto2 import Molto2Session


class NotEnoughProfilesError(InputError):
    def __init__(self, accounts: int, free: int, first: int) -> None:
        self.accounts, self.free, self.first = accounts, free, first
        super().__init__(f"{accounts} accounts but {free} free profiles from {first} on; nothing was written")


@dataclass(frozen=True)
class FillItem:
    record: SeedRecord
    profile: int
    title: str  # what the profile will show


@dataclass(frozen=True)
class AlreadyOnToken:
    """An account of the file that a profile holds already, as this station's audit log says: the profile's title
    is the one burned, and the burn was of this same seed (its fingerprint)."""

    record: SeedRecord
    profile: int
    title: str
    when: str


def already_on_token(session: Molto2Session, records: Sequence[SeedRecord]) -> list[AlreadyOnToken]:
    titles = {profile.number: profile.title for profile in session.profiles() if profile.occupied}
    held: dict[object, tuple[int, str, str]] = {}
    for number, entry in audit.last_burns(session.info.serial).items():
        if isinstance(number, int) and titles.get(number) == entry.get("title"):
            held[entry.get("secret_fingerprint")] = (number, str(entry.get("title")), str(entry.get("time")))
    return [AlreadyOnToken(record, *held[record.params.fingerprint]) for record in records
            if record.params.fingerprint in held]


def plan_fill(session: Molto2Session, records: Sequence[SeedRecord], first_profile: int = 0) -> list[FillItem]:
    """Which account goes into which free profile (from `first_profile` on): refused whole if they do not fit."""
    free = [p.number for p in session.profiles() if not p.occupied and p.number >= first_profile]
    if len(free) < len(records):
        raise NotEnoughProfilesError(len(records), len(free), first_profile)
    return [FillItem(record, number, default_title(record.params)) for record, number in zip(records, free,
                                                                                               strict=False)]


def fill(flow: BurnFlow, token: TokenOnReader, plan: Sequence[FillItem], options: BurnOptions,
         on_profile: Callable[[FillItem, BurnOutcome], None] | None = None) -> list[BurnOutcome]:
    """Burn each planned account into its profile; the first failure stops the fill (what it left is said)."""
    outcomes = []
    for item in plan:
        outcome = flow.run(token, item.record.params, replace(options, molto2=Molto2Options(profile=item.profile)))
        outcomes.append(outcome)
        if on_profile is not None:
            on_profile(item, outcome)
    return outcomes
