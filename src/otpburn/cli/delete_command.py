"""`otpburn delete`: an OATH credential, or the seed of a Molto2 profile (each logged by its use case)."""

from __future__ import annotations

import click

from otpburn.cli.common import emit_json
from otpburn.cli.options import json_option, password_option, reader_option, trace_option
from otpburn.cli.tokens import confirm, molto2_token, oath_token, parse_profile
from otpburn.errors import InputError
from otpburn.provisioning.admin.molto2 import delete_profile
from otpburn.provisioning.admin.oath import delete_credential
from otpburn.tokens.molto2 import ProfileEmptyError
from otpburn.untrusted import tame


@click.command()
@click.argument("name", required=False)
@click.option("--profile", metavar="N", help="Molto2: erase the seed of profile N (see 'otpburn profiles').")
@reader_option
@password_option
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@trace_option
@json_option
def delete(name: str | None, profile: str | None, reader_spec: str | None, password_file: str | None, yes: bool,
           trace: bool, as_json: bool) -> None:
    """Delete the credential NAME from an OATH applet (as listed by 'otpburn accounts'),
    or with --profile N the seed of a Molto2 profile (as listed by 'otpburn profiles')."""
    if profile is not None:
        if name:
            raise InputError("give a credential NAME (OATH) or --profile N (Molto2), not both")
        _delete_profile(reader_spec, profile, yes, trace, as_json)
        return
    if not name:
        raise InputError("name the credential to delete (see 'otpburn accounts'), or --profile N on a Molto2")
    with oath_token(reader_spec, password_file, trace, "burn a new one instead") as (on_reader, session):
        confirm(f"Delete {name!r}? Its codes cannot be recovered.", yes)
        delete_credential(on_reader, session, name)
    if as_json:
        emit_json({"deleted": name})
    else:
        click.echo(f"Deleted {name!r}.")


def _delete_profile(reader_spec: str | None, number_text: str, yes: bool, trace: bool, as_json: bool) -> None:
    number = parse_profile(number_text, next_free_allowed=False)
    assert isinstance(number, int)  # noqa: S101 (a number is all parse_profile lets through here)
    with molto2_token(reader_spec, trace, "delete") as (on_reader, session):
        held = session.profile(number)
        if not held.occupied:
            raise ProfileEmptyError(number)
        title = f" ('{tame(held.title, 24)}')" if held.title else ""
        confirm(f"Erase the seed of profile {number}{title}? Its codes cannot be recovered. (The Molto2 asks no "
                "key for this: anyone holding it can do the same.)", yes)
        delete_profile(on_reader, session, number)
    if as_json:
        emit_json({"deleted_profile": number, "title": held.title})
    else:
        click.echo(f"Erased the seed of profile {number}{title}; its title stays until it is burned again.")
