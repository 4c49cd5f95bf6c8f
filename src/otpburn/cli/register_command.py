"""`otpburn register` and the --register options of burn and batch: tokens into identity systems."""

from __future__ import annotations

import sys

import click

from otpburn.cli.common import GroupedCommand, emit_json, json_option
from otpburn.cli.export_commands import seed_file_options
from otpburn.cli.seed_input import get_seed, seed_source_options
from otpburn.errors import InputError, RegistrationError


def registrar_options(function):
    """--register NAME and what goes with it, for burn and batch."""
    for decorator in reversed([
        click.option("--register", "register_name", metavar="NAME",
                     help="Then register (and activate) the token in the identity system the registrar file's "
                          "[NAME] section describes (privacyIDEA or Entra ID)."),
        click.option("--user", "register_user", metavar="USER",
                     help="Who the token is for: a UPN for Entra ID, NAME or NAME@REALM for privacyIDEA."),
        registrar_file_option,
        computed_code_option,
    ]):
        function = decorator(function)
    return function


registrar_file_option = click.option(
    "--registrar-file", type=click.Path(dir_okay=False), metavar="FILE",
    help="The registrar file (TOML; default: registrars.toml in otpburn's config folder, or OTPBURN_REGISTRAR_FILE).")
computed_code_option = click.option(
    "--activate-with-computed-code", "computed_code", is_flag=True,
    help="Activate with the code computed from the seed instead of one read off the token (for unattended batches; "
         "it proves the server holds the seed, not that the token shows the same code).")


def open_registrar(name: str, registrar_file: str | None):
    """The registrar for [name]: secrets asked at a hidden prompt when the file names none and this is a terminal."""
    from otpburn.registrars.factory import open_registrar as open_one
    from otpburn.registrars.settings import load_settings

    def ask(what: str) -> str:
        return click.prompt(what, hide_input=True, err=True)

    def notify(text: str) -> None:
        click.echo(f"otpburn: {text}", err=True)

    return open_one(load_settings(name, registrar_file), ask if sys.stdin.isatty() else None, notify)


def user_for(record, explicit: str) -> str:
    """Who a seed-file record's token is for: --user, else the file's UPN or privacyIDEA user@realm."""
    if explicit:
        return explicit
    if record.user:
        return f"{record.user}@{record.realm}" if record.realm else record.user
    return record.upn


def typed_code(serial: str):
    """A CodeSource asking the user for the code the token shows (None where nobody can be asked)."""
    from otpburn.provisioning.enrollment import CodeOrigin

    if not sys.stdin.isatty():
        return None

    def ask() -> tuple[str, CodeOrigin]:
        code = click.prompt(f"Type the code token {serial} shows now", err=True).strip().replace(" ", "")
        return code, CodeOrigin.TOKEN_DISPLAY

    return ask


def registration_dict(enrolled) -> dict[str, object]:
    registration = enrolled.registration
    return {"system": registration.system, "registrar": registration.registrar, "serial": registration.serial,
            "user": registration.user.name if registration.user else None, "token_id": registration.token_id,
            "resumed": registration.resumed, "replaced": registration.replaced, "activated": registration.activated,
            "activation_code": enrolled.code_origin.value if enrolled.code_origin else None}


def registration_lines(enrolled) -> list[str]:
    registration = enrolled.registration
    from otpburn.registrars.base import SYSTEM_NAMES

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
    return lines


def resume_hint(name: str, serial: str, user: str, source: str) -> str:
    who = f" --user {user}" if user else ""
    return f"the token keeps its seed; finish with: otpburn register {name} --serial {serial}{who} {source}".rstrip()


@click.command(cls=GroupedCommand, groups=[
    ("Which token and user", ["--serial", "--user"]),
    ("Its seed", ["--screen", "--image", "--clipboard", "--delay", "--save-capture", "--uri-file", "--encoding",
                  "--pick", "--account", "--seed-file", "--seed-password-file", "--seed-key-file", "--strict"]),
    ("The identity system", ["--registrar-file", "--activate-with-computed-code", "--force", "--check",
                             "--remove"]),
], examples=[
    ("otpburn register pi --check", "Only sign in with the registrar file's [pi] section."),
    ("otpburn register entra --serial 8659622000001 --user amy@contoso.com --uri-file seed.txt",
     "Register one burned token for Amy and activate it with the code it shows (asked for)."),
    ("otpburn register pi --seed-file vendor.csv --activate-with-computed-code",
     "Every token of a vendor's seed file, activated with codes computed from their seeds."),
    ("otpburn register pi --serial 8659622000001 --remove", "Remove the token from privacyIDEA."),
])
@click.argument("name", metavar="NAME")
@click.option("--serial", help="The token's serial (printed on it); with --seed-file, only this serial's record.")
@click.option("--user", "user", metavar="USER",
              help="Who the token is for: a UPN for Entra ID, NAME or NAME@REALM for privacyIDEA.")
@seed_source_options
@click.option("--seed-file", type=click.Path(dir_okay=False, allow_dash=True), metavar="FILE",
              help="Register the tokens of a seed file (every record with a serial, or the one --serial names).")
@seed_file_options
@registrar_file_option
@computed_code_option
@click.option("--force", is_flag=True, help="Replace a token the identity system already holds with this serial.")
@click.option("--check", "check_only", is_flag=True,
              help="Only sign in (and find --user): check the registrar file and the credentials.")
@click.option("--remove", is_flag=True, help="Remove the token with --serial from the identity system.")
@json_option
def register(name, serial, user, screen, images, clipboard, delay, save_capture, uri_file, encoding, pick,
             account_filter, seed_file, seed_password_file, seed_key_file, strict, registrar_file, computed_code, force,
             check_only, remove, as_json) -> int:
    """Register tokens already burned (or shipped with seeds) in the identity system NAME.

    NAME is a section of the registrar file. The seed comes from --seed-file, a scan,
    --uri-file or standard input, as for burn. The activation code is typed off the token,
    or computed from the seed with --activate-with-computed-code.
    """
    from otpburn.provisioning import enrollment as flow
    from otpburn.registrars.base import Enrollment

    registrar = open_registrar(name, registrar_file)
    try:
        if check_only:
            server = registrar.check()
            found = registrar.find_user(user) if user else None
            if as_json:
                emit_json({"registrar": name, "system": registrar.system, "server": server,
                           "user": None if found is None else {"id": found.id, "name": found.name,
                                                                "display_name": found.display_name}})
            else:
                click.echo(f"Signed in: {server}.")
                if found is not None:
                    click.echo(f"User {found.name}" + (f" ({found.display_name})" if found.display_name else "")
                               + " found.")
            return 0
        if remove:
            if not serial:
                raise InputError("--remove needs --serial")
            removed = flow.remove(registrar, serial)
            if as_json:
                emit_json({"serial": serial, "removed": removed})
            else:
                click.echo(f"Removed {serial}." if removed else f"{name} holds no token {serial}.")
            return 0 if removed else 1
        source = (screen, images, clipboard, delay, save_capture, uri_file, encoding, pick, account_filter)
        jobs = _jobs(serial, user, seed_file, (seed_password_file, seed_key_file, strict), source, as_json)
        flow.prepare(registrar, None, "")
        results, failures = [], 0
        for job_serial, params, job_user in jobs:
            code = flow.code_from_seed(params) if computed_code else typed_code(job_serial)
            try:
                enrolled = flow.enroll(registrar, Enrollment(job_serial, params, job_user), code, force=force)
            except RegistrationError as exc:
                if len(jobs) == 1:
                    raise
                failures += 1
                results.append({"serial": job_serial, "error": str(exc)})
                if not as_json:
                    click.echo(f"{job_serial}: {exc}", err=True)
                continue
            results.append(registration_dict(enrolled))
            if not as_json:
                for line in registration_lines(enrolled):
                    click.echo(line)
                if code is None and not enrolled.registration.activated:
                    click.echo("Not activated: no code (run on a terminal to type it, or add "
                               "--activate-with-computed-code).")
        if as_json:
            emit_json(results if seed_file else results[0])
        return 1 if failures else 0
    finally:
        registrar.close()


def _jobs(serial: str | None, user: str | None, seed_file: str | None, unlock: tuple, source: tuple, quiet: bool):
    """(serial, params, user) for each token to register."""
    if seed_file:
        from otpburn.cli.export_commands import load_seed_file
        from otpburn.sources.seedfiles.model import same_serial

        password_file, key_file, strict = unlock
        records = [r for r in load_seed_file(seed_file, password_file, key_file, strict) if r.serial]
        if serial:
            records = [r for r in records if same_serial(r.serial, serial)]
        if not records:
            raise InputError(f"{seed_file} holds no record with " + (f"serial {serial}" if serial else "a serial"))
        return [(serial or r.serial, r.params, user_for(r, user or "")) for r in records]
    if not serial:
        raise InputError("give the token's --serial (or a --seed-file whose records name serials)")
    screen, images, clipboard, delay, save_capture, uri_file, encoding, pick, account = source
    choice = get_seed(screen, images, clipboard, delay, save_capture, uri_file, encoding, pick, account, quiet=quiet)
    return [(serial, choice.params, user or "")]
