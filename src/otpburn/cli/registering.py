"""What the commands that register tokens share: opening a registrar from the registrar file, who each
record's token is for, asking for a token's code, and how a registration is told."""

from __future__ import annotations

import sys

import click

from otpburn.provisioning.enrollment import Enrolled
from otpburn.registrars.base import SYSTEM_NAMES, Registrar, RegistrationState
from otpburn.registrars.factory import open_registrar as open_section
from otpburn.registrars.settings import load_settings
from otpburn.sources.seedfiles import SeedRecord


def open_registrar(name: str, registrar_file: str | None) -> Registrar:
    """The registrar for [name]: secrets asked at a hidden prompt when the file names none and this is a terminal."""
    def ask(what: str) -> str:
        return str(click.prompt(what, hide_input=True, err=True))

    def notify(text: str) -> None:
        click.echo(f"otpburn: {text}", err=True)

    return open_section(load_settings(name, registrar_file), ask if sys.stdin.isatty() else None, notify)


def user_for(record: SeedRecord, explicit: str) -> str:
    """Who a seed-file record's token is for: --user, else the file's UPN or privacyIDEA user@realm."""
    if explicit:
        return explicit
    if record.user:
        return f"{record.user}@{record.realm}" if record.realm else record.user
    return record.upn


def ask_token_code(serial: str) -> str | None:
    """The code the token shows, typed by the user; None where nobody can be asked."""
    if not sys.stdin.isatty():
        return None
    typed = str(click.prompt(f"Type the code token {serial} shows now (Enter to skip)", default="",
                             show_default=False, err=True))
    return typed.strip().replace(" ", "") or None


def registration_dict(enrolled: Enrolled) -> dict[str, object]:
    registration = enrolled.registration
    return {"system": registration.system, "registrar": registration.registrar, "serial": registration.serial,
            "user": registration.user.name if registration.user else None, "token_id": registration.token_id,
            "resumed": registration.resumed, "replaced": registration.replaced, "activated": registration.activated,
            "state": registration.state.value,
            "activation_code": enrolled.code_origin.value if enrolled.code_origin else None}


def registration_lines(enrolled: Enrolled) -> list[str]:
    registration = enrolled.registration
    system = SYSTEM_NAMES[registration.system]
    whom = f" for {registration.user.name}" if registration.user else " (assigned to nobody)"
    how = "found from an earlier run" if registration.resumed else "registered"
    if registration.replaced:
        how += ", replacing the token that had this serial"
    lines = [f"Registered {registration.serial} in {system}{whom} ({how})."]
    if enrolled.code_origin is not None:
        lines.append(f"Activated: {system} accepts the code {enrolled.code_origin.value}."
                     + ("" if enrolled.code_origin.proves_the_token else
                        " (This proves the server holds the seed; compare the token's own code once.)"))
    elif registration.activated:
        lines.append("Already active.")
    elif registration.state is RegistrationState.READY:
        lines.append(f"{system} has no activation step: the token works at its user's next sign-in, where {system} "
                     "checks its codes.")
    return lines


def resume_hint(name: str, serial: str, user: str, source: str) -> str:
    who = f" --user {user}" if user else ""
    return f"the token keeps its seed; finish with: otpburn register {name} --serial {serial}{who} {source}".rstrip()
