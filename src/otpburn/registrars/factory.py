"""The registrar a registrar-file section names."""

from __future__ import annotations

from collections.abc import Callable

from otpburn.registrars.base import AskSecret, Notify, Registrar
from otpburn.registrars.duo import DuoRegistrar
from otpburn.registrars.entra import EntraRegistrar
from otpburn.registrars.okta import OktaRegistrar
from otpburn.registrars.privacyidea import PrivacyIdeaRegistrar
from otpburn.registrars.settings import RegistrarSettings

Opener = Callable[[RegistrarSettings, AskSecret | None, Notify | None], Registrar]
REGISTRARS: dict[str, Opener] = {"privacyidea": PrivacyIdeaRegistrar, "entra": EntraRegistrar, "duo": DuoRegistrar,
                                 "okta": OktaRegistrar}


def open_registrar(settings: RegistrarSettings, ask_secret: AskSecret | None = None,
                   notify: Notify | None = None) -> Registrar:
    """The registrar for a registrar-file section (no network traffic until it is first used; the HTTP and
    sign-in libraries each one needs load then)."""
    return REGISTRARS[settings.system](settings, ask_secret, notify)
