"""The registrar a registrar-file section names."""

from __future__ import annotations

from otpburn.registrars.base import AskSecret, Notify, Registrar
from otpburn.registrars.entra import EntraRegistrar
from otpburn.registrars.privacyidea import PrivacyIdeaRegistrar
from otpburn.registrars.settings import RegistrarSettings


def open_registrar(settings: RegistrarSettings, ask_secret: AskSecret | None = None,
                   notify: Notify | None = None) -> Registrar:
    """The registrar for a registrar-file section (no network traffic until it is first used)."""
    # Each system's module loads only when its section is used (Entra's brings MSAL with it).
    if settings.system == "privacyidea":
        return PrivacyIdeaRegistrar(settings, ask_secret, notify)

    return EntraRegistrar(settings, ask_secret, notify)
