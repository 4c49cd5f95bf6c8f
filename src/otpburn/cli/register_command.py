"""`otpburn register`: tokens already burned (or shipped with seeds) into an identity system, and
`--check` / `--remove`. The activation code is chosen as every front end chooses it (`activation_code`)."""

from __future__ import annotations

import click

from otpburn.cli.common import UTF8_TEXT, GroupedCommand, emit_json
from otpburn.cli.options import (
    computed_code_option,
    json_option,
    registrar_file_option,
    seed_file_options,
    seed_source_options,
)
from otpburn.cli.registering import (
    ask_token_code,
    open_registrar,
    registration_dict,
    registration_lines,
    user_for,
)
from otpburn.cli.seeds import SeedSource, get_seed, load_seed_file
from otpburn.cli.wording import describe
from otpburn.errors import InputError, RegistrationError
from otpburn.otp import OtpParams
from otpburn.provisioning.enrollment import activation_code, enroll, prepare
from otpburn.provisioning.enrollment import remove as remove_token
from otpburn.registrars.base import Enrollment
from otpburn.sources.seedfiles.model import same_serial


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
@click.option("--serial", type=UTF8_TEXT,
              help="The token's serial (printed on it); with --seed-file, only this serial's record.")
@click.option("--user", "user", metavar="USER", type=UTF8_TEXT,
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
def register(name: str, serial: str | None, user: str | None, screen: bool, images: tuple[str, ...],
             clipboard: bool, delay: float, save_capture: str | None, uri_file: str | None, encoding: str,
             pick: int | None, account_filter: str | None, seed_file: str | None, seed_password_file: str | None,
             seed_key_file: str | None, strict: bool, registrar_file: str | None, computed_code: bool, force: bool,
             check_only: bool, remove: bool, as_json: bool) -> int:
    """Register tokens already burned (or shipped with seeds) in the identity system NAME.

    NAME is a section of the registrar file. The seed comes from --seed-file, a scan,
    --uri-file or standard input, as for burn. The activation code is typed off the token,
    or computed from the seed with --activate-with-computed-code.
    """
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
            removed = remove_token(registrar, serial)
            if as_json:
                emit_json({"serial": serial, "removed": removed})
            else:
                click.echo(f"Removed {serial}." if removed else f"{name} holds no token {serial}.")
            return 0 if removed else 1
        source = SeedSource(screen, images, clipboard, delay, save_capture, uri_file, encoding, pick, account_filter)
        jobs = _jobs(serial, user, seed_file, seed_password_file, seed_key_file, strict, source, as_json)
        prepare(registrar, None, "")
        results: list[dict[str, object]] = []
        failures = 0
        for job_serial, params, job_user in jobs:
            typed = None if computed_code else ask_token_code(job_serial)
            code = activation_code(params, typed=typed, from_seed=computed_code)
            try:
                enrolled = enroll(registrar, Enrollment(job_serial, params, job_user), code, force=force)
            except RegistrationError as exc:
                if len(jobs) == 1:
                    raise
                failures += 1
                results.append({"serial": job_serial, "error": describe(exc)})
                if not as_json:
                    click.echo(f"{job_serial}: {describe(exc)}", err=True)
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


def _jobs(serial: str | None, user: str | None, seed_file: str | None, password_file: str | None,
          key_file: str | None, strict: bool, source: SeedSource, quiet: bool) -> list[tuple[str, OtpParams, str]]:
    """(serial, params, user) for each token to register."""
    if seed_file:
        records = [r for r in load_seed_file(seed_file, password_file, key_file, strict) if r.serial]
        if serial:
            records = [r for r in records if same_serial(r.serial, serial)]
        if not records:
            raise InputError(f"{seed_file} holds no record with " + (f"serial {serial}" if serial else "a serial"))
        return [(serial or r.serial, r.params, user_for(r, user or "")) for r in records]
    if not serial:
        raise InputError("give the token's --serial (or a --seed-file whose records name serials)")
    return [(serial, get_seed(source, quiet=quiet).params, user or "")]
