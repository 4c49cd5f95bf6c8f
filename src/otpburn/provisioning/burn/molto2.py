"""Burning one profile of a Token2 Molto2, and the keyed operations around it.

Order, chosen so that no profile ever shows a seed under settings that are not its own:
read the profile (refuse an occupied one unless replacing was asked for), authenticate
once, erase the old seed (keyless on this device), write the settings with the clock, the
title, then the seed; read the public block back. A link lost anywhere leaves either the
old profile untouched, an empty profile, or the new seed under its new settings.
"""

from __future__ import annotations

from otpburn.errors import InputError, Remedy, VerificationError
from otpburn.otp.fitting import FittedSecret
from otpburn.otp.params import OtpParams
from otpburn.otp.refusals import Refusal, RefusalKind
from otpburn.provisioning.burn.clock_write import (
    read_own_clock,
    write_on_the_second,
)
from otpburn.provisioning.burn.steps import (
    BurnNote,
    BurnOptions,
    BurnRun,
    FamilyBurn,
    SeedDoesNotFitError,
    Step,
    TitleCutNote,
    TokenState,
)
from otpburn.provisioning.records import attempts
from otpburn.tokens.base import DifferentTokenAnsweredError, TokenInfo
from otpburn.tokens.molto2 import (
    TITLE_MAX,
    DeviceLockedError,
    Molto2Session,
    Profile,
    ProfileEmptyError,
    WrongCustomerKeyError,
)
from otpburn.untrusted import tame


class CustomerKeyNeededError(InputError):
    def __init__(self) -> None:
        super().__init__("the Molto2 needs its customer key to be written", remedy=Remedy.CUSTOMER_KEY)


class ProfileNeededError(InputError):
    def __init__(self) -> None:
        super().__init__("a Molto2 holds many accounts: say which profile to burn", remedy=Remedy.CHOOSE_PROFILE)


class ProfileOccupiedError(InputError):
    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        title = f" ('{tame(profile.title, 24)}')" if profile.title else ""  # the device's text
        super().__init__(f"profile {profile.number}{title} already holds a seed",
                         remedy=Remedy.OVERWRITE_PROFILE)


class NoFreeProfileError(InputError):
    def __init__(self, count: int) -> None:
        self.count = count
        super().__init__(f"all {count} profiles of the Molto2 hold a seed; delete one first")


class ProfileReadBackError(VerificationError):
    def __init__(self, profile: int, differences: list[str]) -> None:
        self.profile, self.differences = profile, differences
        super().__init__(f"profile {profile} reads back differently from what was written: {'; '.join(differences)}")


def default_title(params: OtpParams) -> str:
    """The title a profile gets when none is given: the issuer, else the account, cut to 12 UTF-8 bytes."""
    text = (params.issuer or params.account or "").strip()
    while len(text.encode("utf-8")) > TITLE_MAX:
        text = text[:-1]
    return text


def profile_title(params: OtpParams, options: BurnOptions) -> str:
    return options.molto2.title if options.molto2.title is not None else default_title(params)


def next_free(profiles: list[Profile], start: int = 0) -> int:
    """The first profile at or after `start` that holds no seed."""
    for profile in profiles:
        if profile.number >= start and not profile.occupied:
            return profile.number
    raise NoFreeProfileError(len(profiles))


def authenticate(session: Molto2Session, customer_key: bytes | None = None) -> None:
    """Authenticate once with the session's customer key (or `customer_key`, for a key just changed),
    remembering across runs what the device says about attempts left.

    Nothing is sent unless the count can be kept (`attempts.ready`): a refusal that could not be saved
    would let the next run spend the last attempt without asking.
    """
    if session.authenticated and customer_key is None:
        return  # one authentication per connection: nothing is sent, so there is no count to keep
    credentials = session.credentials
    if customer_key is None:
        if credentials.customer_key is None:
            raise CustomerKeyNeededError()
        customer_key = credentials.customer_key()
    serial = session.info.serial
    known = attempts.remaining(serial)
    attempts.ready()
    try:
        session.authenticate(customer_key, known_remaining=known,
                             last_attempt_accepted=credentials.last_attempt_accepted)
    except WrongCustomerKeyError as exc:
        attempts.remember(serial, exc.remaining)
        raise
    except DeviceLockedError:
        attempts.remember(serial, 0)
        raise
    attempts.forget(serial)


class Molto2Burn(FamilyBurn[Molto2Session]):
    def check(self, info: TokenInfo, params: OtpParams, options: BurnOptions) -> tuple[FittedSecret, list[BurnNote]]:
        if options.molto2.profile is None:
            raise ProfileNeededError()
        fitted, notes = super().check(info, params, options)
        title = profile_title(params, options)
        if len(title.encode("utf-8")) > TITLE_MAX:  # refused before anything is written
            raise SeedDoesNotFitError([Refusal(RefusalKind.TITLE_TOO_LONG, info.model, title, (TITLE_MAX,))])
        if options.molto2.title is None and title != (params.issuer or params.account or "").strip():
            notes.append(TitleCutNote(title))
        return fitted, notes

    def steps(self, run: BurnRun[Molto2Session]) -> None:
        session, info, params, options = run.session, run.info, run.params, run.options
        number = options.molto2.profile
        assert number is not None  # noqa: S101 (check() refused a burn without a profile)
        title = profile_title(params, options)
        run.report.profile, run.report.title = number, title
        before = session.profile(number)
        if before.occupied and not (options.replace or run.resumed):
            raise ProfileOccupiedError(before)

        reading = read_own_clock(run, session)  # the device's own time, kept unless --sync-clock
        with run.step(Step.AUTHENTICATE):
            authenticate(session)

        if before.occupied and Step.ERASE not in run.skip:
            with run.step(Step.ERASE):
                try:
                    session.delete(number)
                except ProfileEmptyError:
                    pass  # gone already (an earlier presentation's delete whose answer was lost)

        if Step.CONFIG not in run.skip:
            with run.step(Step.CONFIG):
                # (no drift check after: the device information shows the device's clock, not the profile's)
                write_on_the_second(run, reading, lambda clock: session.set_config(
                    number, options.display_timeout, clock, params.algorithm, params.digits, params.period))

        if title and Step.TITLE not in run.skip:
            with run.step(Step.TITLE):
                session.set_title(number, title)

        with run.step(Step.SEED):
            session.set_seed(number, params.secret)

        with run.step(Step.READ_BACK):
            after = session.get_info()
            run.report.read_back = after
            if after.serial != info.serial:
                raise DifferentTokenAnsweredError(after.serial, info.serial)
            differences = _differences(session.profile(number), params, title)
            if differences:
                raise ProfileReadBackError(number, differences)

    def state_after(self, finished: set[Step], info: TokenInfo, interrupted: Step | None = None) -> TokenState:
        if Step.SEED in finished:
            return TokenState.SEED_WRITTEN
        if finished & {Step.ERASE, Step.CONFIG, Step.TITLE} or interrupted in (Step.ERASE, Step.CONFIG, Step.TITLE,
                                                                               Step.SEED):
            return TokenState.PROFILE_EMPTY
        return TokenState.UNTOUCHED

    def carry_over(self, finished: set[Step]) -> set[Step]:
        return finished - {Step.SEED}  # the seed is written again: it replaces what a lost write may have left


def _differences(profile: Profile, params: OtpParams, title: str) -> list[str]:
    found = []
    if not profile.occupied:
        found.append("it holds no seed")
    if profile.algorithm is not params.algorithm:
        found.append(f"algorithm {profile.algorithm.value if profile.algorithm else 'unknown'}, "
                     f"not {params.algorithm.value}")
    if profile.digits != params.digits:
        found.append(f"{profile.digits} digits, not {params.digits}")
    if profile.period != params.period:
        found.append(f"a {profile.period} s step, not {params.period} s")
    if title and profile.title != title:
        found.append(f"title {profile.title!r}, not {title!r}")
    return found
