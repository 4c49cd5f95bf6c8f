"""Commands for OATH applets (YubiKey and compatible keys): accounts."""

from __future__ import annotations

import time

import click

from otpburn.cli.common import emit_json
from otpburn.cli.options import json_option, password_option, reader_option, trace_option
from otpburn.cli.tokens import oath_token
from otpburn.otp import OtpType
from otpburn.tokens.ykoath import time_challenge
from otpburn.untrusted import tame


@click.command()
@reader_option
@password_option
@trace_option
@json_option
def accounts(reader_spec: str | None, password_file: str | None, trace: bool, as_json: bool) -> None:
    """List the credentials on an OATH applet, with their current codes."""
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
