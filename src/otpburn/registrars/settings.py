"""The registrar file: where each identity system is and how to sign in to it (TOML, one section each).

    [privacyidea]                       # the name --register uses
    system = "privacyidea"              # optional when the section is named after the system
    url = "https://pi.example.org"
    admin = "otpburn-station"
    password-file = "~/.config/otpburn/pi-password"   # or keyring = true, or neither: asked for

    [entra]
    system = "entra"
    tenant = "contoso.onmicrosoft.com"
    client-id = "00000000-0000-0000-0000-000000000000"
    sign-in = "device-code"             # or "client-secret" / "certificate" for unattended batches

Secrets never sit in this file: a `password` or `client-secret` key is refused. They come from
a file named here (readable by its owner only), the OS keyring, or a hidden prompt.

The file decides where the administrator's password and the seeds are sent, so it is used only when
no other user could have changed it: not writable by others, nor any folder on its way, and not a
link; the same holds for the CA and secret files it names (those must be private too).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from otpburn.errors import RegistrationError, RegistrationProblem, Remedy
from otpburn.files import UnsafeFileError, UnsafeFileProblem, read_trusted_file, user_file
from otpburn.installation import install_command
from otpburn.registrars.base import AskSecret

SYSTEMS = ("privacyidea", "entra", "duo", "okta")
_COMMON = {"system", "ca-file", "timeout", "proxy"}
KEYS: dict[str, set[str]] = {
    "privacyidea": _COMMON | {"url", "admin", "admin-realm", "password-file", "keyring", "realm", "description"},
    "entra": _COMMON | {"tenant", "client-id", "sign-in", "client-secret-file", "certificate-file",
                        "certificate-password-file", "keyring", "manufacturer", "model", "graph-url", "login-url",
                        "token-cache"},
    "duo": _COMMON | {"api-host", "integration-key", "secret-key-file", "keyring"},
    "okta": _COMMON | {"org-url", "api-token-file", "keyring", "factor-profile-id", "secret-encoding"},
}
REQUIRED = {"privacyidea": ("url", "admin"), "entra": ("tenant", "client-id"),
            "duo": ("api-host", "integration-key"), "okta": ("org-url", "factor-profile-id")}
# Keys people reach for that would put a secret in clear into the file.
CLEAR_SECRETS = {"password": "password-file", "client-secret": "client-secret-file", "secret": "password-file",
                 "certificate-password": "certificate-password-file", "secret-key": "secret-key-file",
                 "skey": "secret-key-file", "api-token": "api-token-file", "token": "api-token-file"}
SIGN_IN_METHODS = ("device-code", "client-secret", "certificate")
MAX_SECRET_FILE = 64 * 1024
MAX_REGISTRAR_FILE = 1024 * 1024
MAX_CA_FILE = 4 * 1024 * 1024


def default_path() -> Path:
    return user_file("OTPBURN_REGISTRAR_FILE", "registrars.toml", kind="config")


def _problem(message: str, *, stage: str = "settings", system: str = "") -> RegistrationError:
    return RegistrationError(message, problem=RegistrationProblem.SETTINGS, system=system, stage=stage,
                             remedy=Remedy.REGISTRAR_SETTINGS)


@dataclass(frozen=True)
class RegistrarSettings:
    name: str
    system: str
    values: Mapping[str, object]
    source: Path

    def text(self, key: str, default: str = "") -> str:
        value = self.values.get(key, default)
        if not isinstance(value, str):
            raise _problem(f"{self.where(key)} should be text in quotes", system=self.system)
        return value.strip()

    def flag(self, key: str) -> bool:
        value = self.values.get(key, False)
        if not isinstance(value, bool):
            raise _problem(f"{self.where(key)} should be true or false", system=self.system)
        return value

    def number(self, key: str, default: float, low: float, high: float) -> float:
        value = self.values.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            raise _problem(f"{self.where(key)} should be a number from {low:g} to {high:g}", system=self.system)
        return float(value)

    def path(self, key: str) -> Path | None:
        """A file the section names: `~` expanded, relative to the registrar file's folder."""
        text = self.text(key)
        if not text:
            return None
        path = Path(os.path.expanduser(text))
        return path if path.is_absolute() else self.source.parent / path

    def where(self, key: str) -> str:
        return f"'{key}' in [{self.name}] of {self.source}"


def load_settings(name: str, path: str | os.PathLike[str] | None = None) -> RegistrarSettings:
    """The section `name` of the registrar file, checked for unknown keys and secrets in clear."""
    source = Path(path) if path else default_path()
    try:
        data = read_trusted_file(source, MAX_REGISTRAR_FILE)
    except UnsafeFileError as exc:
        if exc.problem is UnsafeFileProblem.MISSING:
            raise _problem(f"there is no registrar file {source}; create it with a [{name}] section") from None
        raise _problem(f"the registrar file is not used: {exc}") from None
    if len(data) > MAX_REGISTRAR_FILE:
        raise _problem(f"the registrar file {source} is larger than a registrar file can be")
    try:
        document = tomllib.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise _problem(f"the registrar file {source} is not valid TOML ({exc})") from None
    section = document.get(name)
    if not isinstance(section, dict):
        known = ", ".join(key for key, value in document.items() if isinstance(value, dict)) or "none"
        raise _problem(f"the registrar file {source} has no [{name}] section (it has: {known})")
    system = section.get("system", name if name in SYSTEMS else "")
    if system not in SYSTEMS:
        raise _problem(f"[{name}] in {source} needs system = one of {', '.join(repr(s) for s in SYSTEMS)}")
    for key in section:
        if key in CLEAR_SECRETS:
            raise _problem(f"[{name}] in {source} holds '{key}' in clear; put it in a file readable only by you "
                           f"and name that file with '{CLEAR_SECRETS[key]}' (or use the OS keyring)", system=system)
    unknown = sorted(set(section) - KEYS[system])
    if unknown:
        raise _problem(f"[{name}] in {source} has keys a {system} section does not use: {', '.join(unknown)} "
                       f"(known: {', '.join(sorted(KEYS[system]))})", system=system)
    settings = RegistrarSettings(name, system, dict(section), source)
    for key in REQUIRED[system]:
        if not settings.text(key):
            raise _problem(f"[{name}] in {source} needs '{key}'", system=system)
    if system == "entra" and settings.text("sign-in", "device-code") not in SIGN_IN_METHODS:
        raise _problem(f"{settings.where('sign-in')} should be one of {', '.join(SIGN_IN_METHODS)}", system=system)
    return settings


def read_secret_file(settings: RegistrarSettings, key: str) -> str | None:
    """The secret in the file `key` names (first line, stripped), refusing one others can read."""
    path = settings.path(key)
    if path is None:
        return None
    data = trusted_file(settings, key, path, MAX_SECRET_FILE, private=True)
    if len(data) > MAX_SECRET_FILE:
        raise _problem(f"{path} ({key}) is too large for a secret", system=settings.system)
    text = data.decode("utf-8-sig", errors="replace")
    return text if key == "certificate-file" else (text.splitlines() or [""])[0].strip()


def trusted_file(settings: RegistrarSettings, key: str, path: Path, max_bytes: int, *, private: bool) -> bytes:
    """A file the section names (`key`): see `read_trusted_file`; its problems as settings problems."""
    try:
        return read_trusted_file(path, max_bytes, private=private, what=key)
    except UnsafeFileError as exc:
        if exc.problem is UnsafeFileProblem.MISSING:
            raise _problem(f"{path} ({key} in [{settings.name}]): no such file", system=settings.system) from None
        raise _problem(str(exc), system=settings.system) from None


def ca_file(settings: RegistrarSettings) -> bytes | None:
    """The PEM of the CA file the section names, if it names one (it decides which servers are trusted)."""
    path = settings.path("ca-file")
    if path is None:
        return None
    data = trusted_file(settings, "ca-file", path, MAX_CA_FILE, private=False)
    if len(data) > MAX_CA_FILE:
        raise _problem(f"{path} (ca-file) is too large for a CA file", system=settings.system)
    return data


def secret(settings: RegistrarSettings, file_key: str, account: str, prompt: str,
           ask_secret: AskSecret | None) -> str:
    """A secret from its file, else the OS keyring (`keyring = true`), else asked for."""
    value = read_secret_file(settings, file_key)
    if value:
        return value
    if settings.flag("keyring"):
        try:
            import keyring
            import keyring.errors
        except ImportError:
            raise _problem(f"keyring = true needs the 'keyring' package ({install_command('register')})",
                           system=settings.system) from None
        try:
            stored = keyring.get_password(f"otpburn:{settings.name}", account)
        except keyring.errors.KeyringError as exc:
            raise _problem(f"the OS keyring cannot be read ({type(exc).__name__})", system=settings.system) from None
        if stored:
            return str(stored)
        raise _problem(f"the OS keyring holds no secret for service 'otpburn:{settings.name}', user '{account}'; "
                       f"store it with: keyring set otpburn:{settings.name} {account}", system=settings.system)
    if ask_secret is None:
        raise _problem(f"[{settings.name}] names no '{file_key}' and nobody can be asked here; add '{file_key}' "
                       "or keyring = true to the registrar file", system=settings.system)
    return ask_secret(prompt)


def section_names(path: str | os.PathLike[str] | None = None) -> list[tuple[str, str]]:
    """(name, system) of each usable-looking section of the registrar file; [] when there is none."""
    source = Path(path) if path else default_path()
    try:
        document = tomllib.loads(read_trusted_file(source, MAX_REGISTRAR_FILE).decode("utf-8-sig"))
    except (UnsafeFileError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []  # using one of them says why
    found = []
    for name, section in document.items():
        if isinstance(section, dict):
            system = section.get("system", name if name in SYSTEMS else "")
            if system in SYSTEMS:
                found.append((name, str(system)))
    return found


def needs_prompt(settings: RegistrarSettings) -> bool:
    """Whether signing in will ask for a secret (no secret file and no keyring named)."""
    if settings.system == "privacyidea":
        return not settings.text("password-file") and not settings.flag("keyring")
    return settings.text("sign-in", "device-code") == "client-secret" and not settings.text(
        "client-secret-file") and not settings.flag("keyring")
