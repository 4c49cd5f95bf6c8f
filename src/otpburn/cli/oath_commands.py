"""Commands for OATH applets (YubiKey and compatible keys): accounts, delete."""

from __future__ import annotations

import sys
import time

import click

from otpburn.cli.common import emit_json, json_option
from otpburn.cli.reader_session import oath_token, password_option, reader_option, trace_option
from otpburn.errors import InputError
from otpburn.otp import OtpType
from otpburn.untrusted import tame


@click.command()
@reader_option
@password_option
@trace_option
@json_option
def accounts(reader_spec, password_file, trace, as_json) -> None:
    """List the credentials on an OATH applet, with their current codes."""
    from otpburn.tokens.ykoath import time_challenge

    with oath_token(reader_spec, password_file, trace, "cannot list accounts") as (_, session):
        now = time.time()
        credentials = session.list()
        codes = session.calculate_all(time_challenge(now, 30))
        for credential in credentials:  # CALCULATE ALL uses 30 s steps; others are asked one by one
            if credential.type is OtpType.TOTP and credential.period != 30:
                codes[credential.name] = session.calculate(credential.name, time_challenge(now, credential.period))
    rows = [{"name": c.name, "issuer": c.issuer, "account": c.account, "type": c.type.value,
             "algorithm": c.algorithm.value, "period": c.period or None, "code": codes.get(c.name)}
            for c in credentials]
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo("No credentials on this applet.")
    for row in rows:
        code = row["code"] or ("(touch or HOTP: not computed)" if row["name"] in codes else "-")
        click.echo(f"{tame(str(row['name']), 64):<40} {str(row['type']).upper():<5} {row['algorithm']:<7} {code}")


@click.command()
@click.argument("name", required=False)
@click.option("--profile", metavar="N", help="Molto2: erase the seed of profile N (see 'otpburn profiles').")
@reader_option
@password_option
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@trace_option
@json_option
def delete(name, profile, reader_spec, password_file, yes, trace, as_json) -> None:
    """Delete the credential NAME from an OATH applet (as listed by 'otpburn accounts'),
    or with --profile N the seed of a Molto2 profile (as listed by 'otpburn profiles')."""
    if profile is not None:
        if name:
            raise InputError("give a credential NAME (OATH) or --profile N (Molto2), not both")
        from otpburn.cli.molto2_commands import delete_profile

        delete_profile(reader_spec, profile, yes, trace, as_json)
        return
    if not name:
        raise InputError("name the credential to delete (see 'otpburn accounts'), or --profile N on a Molto2")
    with oath_token(reader_spec, password_file, trace, "burn a new one instead") as (on_reader, session):
        if name not in {c.name for c in session.list()}:
            raise InputError(f"no credential named {name!r} on this applet (see 'otpburn accounts')")
        if not yes:
            if not sys.stdin.isatty():
                raise InputError("add --yes to delete without a terminal to confirm on")
            click.confirm(f"Delete {name!r}? Its codes cannot be recovered.", abort=True, err=True)
        session.delete(name)
        from otpburn.provisioning.records import audit

        audit.record("delete", "ok", reader=on_reader.reader.name, family=session.info.family,
                     model=session.info.model, serial=session.info.serial, extra={"credential": name})
    if as_json:
        emit_json({"deleted": name})
    else:
        click.echo(f"Deleted {name!r}.")
