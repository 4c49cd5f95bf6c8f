"""Registering burned tokens in identity systems: one module per system behind one small interface.

A `Registrar` checks its settings and signs in, finds a user, registers a token (serial and
seed, assigned to the user), activates or validates it with a code, and removes it. The
provisioning flow in `otpburn.provisioning.enroll` drives it the same way for every system,
so `burn`, `batch`, `register` and the window share one order of steps and one audit trail.

Connection settings come from a registrar file (`settings`); HTTP, TLS and retries from
`http`. Nothing here writes a secret anywhere but into the request that carries it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from otpburn.otp.params import OtpParams

if TYPE_CHECKING:
    from otpburn.provisioning.registrars.settings import RegistrarSettings

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


class Registrar(Protocol):
    """One identity system, signed in lazily on first use."""

    @property
    def system(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def notes(self) -> list[str]: ...

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


def open_registrar(settings: RegistrarSettings, ask_secret: AskSecret | None = None,
                   notify: Notify | None = None) -> Registrar:
    """The registrar for a registrar-file section (no network traffic until it is first used)."""
    if settings.system == "privacyidea":
        from otpburn.provisioning.registrars.privacyidea import PrivacyIdeaRegistrar

        return PrivacyIdeaRegistrar(settings, ask_secret, notify)
    from otpburn.provisioning.registrars.entra import EntraRegistrar

    return EntraRegistrar(settings, ask_secret, notify)
