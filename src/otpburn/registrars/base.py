"""The interface every identity system's registrar follows, and the records they exchange.

A `Registrar` checks its settings and signs in, finds a user, registers a token (serial and
seed, assigned to the user), activates or validates it with a code, and removes it. The
provisioning flow in `otpburn.provisioning.enrollment` drives it the same way for every system,
so `burn`, `batch`, `register` and the window share one order of steps and one audit trail.

Connection settings come from a registrar file (`settings`); HTTP, TLS and retries from
`http`; `factory` opens the registrar a registrar-file section names. Nothing here writes a
secret anywhere but into the request that carries it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar, Protocol

from otpburn.errors import RegistrationError, RegistrationProblem, Remedy
from otpburn.otp.params import OtpParams
from otpburn.otp.refusals import Refusal
from otpburn.registrars.accepts import Accepts
from otpburn.untrusted import tame

if TYPE_CHECKING:  # settings imports this module's AskSecret
    from otpburn.registrars.settings import RegistrarSettings

# How each identity system is named to a user.
SYSTEM_NAMES = {"privacyidea": "privacyIDEA", "entra": "Entra ID", "duo": "Duo", "okta": "Okta"}
# What refuses an account, by the `holder` an Accepts names: the systems, and the import files written for them.
IMPORT_NAMES = {**SYSTEM_NAMES, "entra-csv": "Entra ID's CSV upload", "duo-csv": "Duo's hardware-token import",
                "dualshield": "DualShield's token import"}

# Asked when a registrar needs a secret the registrar file does not name a file for:
# (what is wanted, e.g. "privacyIDEA password for admin at https://…") -> the secret.
AskSecret = Callable[[str], str]
# Told things the user should see while registering (a device-code sign-in's instructions, a warning).
Notify = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Enrollment:
    """What is registered: a burned token's serial and seed, and who it is for ("" for nobody yet)."""

    serial: str
    params: OtpParams
    user: str = ""
    manufacturer: str = ""
    model: str = ""


@dataclass(frozen=True, slots=True)
class UserRef:
    """A user the identity system knows: `id` is its own key (object id, or name@realm)."""

    id: str
    name: str
    display_name: str = ""


class RegistrationState(StrEnum):
    """How far a token's registration got."""

    ACTIVATED = "activated"  # the identity system accepted a code from it
    REGISTERED = "registered"  # held (and assigned), its activation still to come
    READY = "ready"  # held and assigned where the system has no activation step (Duo): nothing left to do


@dataclass(slots=True)
class Registration:
    """A token the identity system holds now."""

    system: str  # "privacyidea", "entra"
    registrar: str  # the registrar file's section name
    serial: str
    user: UserRef | None
    token_id: str  # the system's own id for the token (a device id; the serial for privacyIDEA)
    resumed: bool = False  # it was there already, from an earlier run with the same seed
    replaced: bool = False  # --force removed an older token with this serial first
    activated: bool = False  # already active: nothing left to do (an earlier run got that far)
    server: str = ""  # what the server says it is (privacyIDEA's version; the Entra tenant)
    activation: bool = True  # the system has an activation step (Duo has none: assigned is done)

    @property
    def state(self) -> RegistrationState:
        if self.activated:
            return RegistrationState.ACTIVATED
        return RegistrationState.REGISTERED if self.activation else RegistrationState.READY

    @property
    def done(self) -> bool:
        """Nothing is left to do for this token in the identity system."""
        return self.state is not RegistrationState.REGISTERED


@dataclass(frozen=True, slots=True)
class ExistingToken:
    """What an identity system already holds under a serial, as far as registering needs to know."""

    id: str  # the system's own id for it
    holder_id: str  # who it is assigned to ("" for nobody)
    holder_name: str
    same_seed: bool | None  # whether it holds this seed (None: the system cannot say)
    activated: bool


def earlier_registration(system: str, serial: str, existing: ExistingToken | None, user: UserRef | None,
                         force: bool) -> bool:
    """Whether a token already under `serial` is this run's own earlier registration (go on from it);
    False when there is none or `force` replaces it; a DUPLICATE RegistrationError otherwise."""
    if existing is None:
        return False
    if force:
        return False
    for_this_user = existing.holder_id == user.id if user is not None else not existing.holder_id
    # Where the system cannot tell the seed (Entra ID), the token already assigned to this very user is taken
    # as the earlier run's; an unassigned one could be anybody's.
    seed_fits = existing.same_seed if existing.same_seed is not None else user is not None
    if for_this_user and seed_fits:
        return True
    owner = f" (assigned to {tame(existing.holder_name or existing.holder_id, 120)})" if existing.holder_id else ""
    raise RegistrationError(f"{SYSTEM_NAMES[system]} already has a token with serial {serial}{owner}",
                            system=system, stage="register", problem=RegistrationProblem.DUPLICATE,
                            remedy=Remedy.REPLACE_TOKEN)


class SettingsRefusedError(RegistrationError):
    """The identity system cannot hold the account's settings; `refusals` say why, as data."""

    def __init__(self, system: str, refusals: list[Refusal]) -> None:
        self.refusals = refusals
        super().__init__(f"{SYSTEM_NAMES.get(system, system)} cannot hold: "
                         + ", ".join(f"{r.kind} {r.wanted}" for r in refusals),
                         problem=RegistrationProblem.REFUSED, system=system, stage="settings")


class Registrar(Protocol):
    """One identity system, signed in lazily on first use."""

    @property
    def system(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def notes(self) -> list[str]: ...

    @property
    def activates_unassigned(self) -> bool:
        """Whether a token assigned to nobody can be activated (privacyIDEA: yes; Entra ID: per user only)."""
        ...

    def refusals(self, params: OtpParams) -> list[Refusal]:
        """Why this identity system cannot hold these settings (empty when it can)."""
        ...

    def check(self) -> str:
        """Sign in and say what answered (server version, tenant); raises RegistrationError."""
        ...

    def find_user(self, user: str) -> UserRef: ...

    def check_serial(self, enrollment: Enrollment, *, force: bool = False) -> None:
        """Raise RegistrationError (DUPLICATE) if `register` would refuse this serial."""
        ...

    def register(self, enrollment: Enrollment, *, force: bool = False) -> Registration: ...

    def activate(self, registration: Registration, code: str) -> None: ...

    def remove(self, serial: str) -> bool: ...

    def close(self) -> None: ...


class RegistrarBase(ABC):
    """What every registrar does the same way: the register skeleton — find what the system already holds
    under the serial, go on from this seed's own earlier registration or replace it (`force`), else create
    it — users looked up once, notes kept and passed on. Each system fills in the calls of its API."""

    system: ClassVar[str]
    accepts: ClassVar[Accepts]

    def __init__(self, settings: RegistrarSettings, ask_secret: AskSecret | None = None,
                 notify: Notify | None = None) -> None:
        self.settings, self.ask_secret = settings, ask_secret
        self.name = settings.name
        self.notes: list[str] = []
        self._notify = notify
        self._users: dict[str, UserRef] = {}

    def _note(self, text: str) -> None:
        self.notes.append(text)
        if self._notify:
            self._notify(text)

    def refusals(self, params: OtpParams) -> list[Refusal]:
        return self.accepts.refusals(params)

    def find_user(self, user: str) -> UserRef:
        if user not in self._users:  # asked before the burn, when checking the serial and when registering
            self._users[user] = self._find_user(user)
        return self._users[user]

    def check_serial(self, enrollment: Enrollment, *, force: bool = False) -> None:
        """Raise if registering would be refused (a duplicate serial): before a burn, not after it."""
        user = self.find_user(enrollment.user) if enrollment.user else None
        earlier_registration(self.system, enrollment.serial, self._existing(enrollment), user, force)

    def register(self, enrollment: Enrollment, *, force: bool = False) -> Registration:
        user = self.find_user(enrollment.user) if enrollment.user else None
        existing = self._existing(enrollment)
        if existing is not None and earlier_registration(self.system, enrollment.serial, existing, user, force):
            return Registration(self.system, self.name, enrollment.serial, user, existing.id, resumed=True,
                                activated=existing.activated, server=self.server_label)
        if existing is not None:  # force: the old token goes first
            self._remove(existing)
        token_id = self._create(enrollment, user)
        return Registration(self.system, self.name, enrollment.serial, user, token_id, replaced=existing is not None,
                            server=self.server_label)

    @property
    @abstractmethod
    def server_label(self) -> str:
        """What answered, as the system says it (a version, a tenant)."""

    @abstractmethod
    def _find_user(self, user: str) -> UserRef: ...

    @abstractmethod
    def _existing(self, enrollment: Enrollment) -> ExistingToken | None:
        """What the system holds under the enrollment's serial, if anything."""

    @abstractmethod
    def _remove(self, existing: ExistingToken) -> None: ...

    @abstractmethod
    def _create(self, enrollment: Enrollment, user: UserRef | None) -> str:
        """Create the token (assigned to `user`) and return the system's id for it."""
