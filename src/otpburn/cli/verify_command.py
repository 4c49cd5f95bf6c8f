"""`otpburn verify`: does the code the token shows belong to the seed? If not, why not."""

from __future__ import annotations

import time

import click

from otpburn.cli.common import describe_params, emit_json, fix_text, json_option
from otpburn.cli.main import EXIT_MISMATCH
from otpburn.cli.seed_input import get_seed, seed_source_options


@click.command()
@seed_source_options
@click.option("--code", "typed", required=True, metavar="DIGITS", help="The code the token shows now.")
@click.option("--at", "at", type=float, metavar="UNIX_TIME", help="Check against this time instead of now.")
@json_option
def verify(screen, images, clipboard, delay, save_capture, uri_file, encoding, pick, account_filter, typed, at,
           as_json) -> int:
    """Check the code shown by a token against the seed, and diagnose a mismatch.

    The seed comes from the same sources as for burn (never the command line).
    """
    from otpburn.otp.diagnosis import diagnose

    choice = get_seed(screen, images, clipboard, delay, save_capture, uri_file, encoding, pick, account_filter,
                      quiet=as_json)
    from otpburn.provisioning.records import audit

    now = time.time() if at is None else at
    diagnosis = diagnose(choice.params, typed, now)
    audit.record("verify", "match" if diagnosis.matches else "mismatch", params=choice.params,
                 verification="typed code", detail="" if diagnosis.matches else diagnosis.cause)
    if as_json:
        emit_json({"account": choice.params.label, **diagnosis.as_dict()})
    else:
        click.echo(describe_params(choice.params))
        if diagnosis.matches:
            click.echo("✓ The token shows the right code.")
        else:
            click.echo(f"✗ Mismatch: {diagnosis.cause}.")
            if diagnosis.fix:
                click.echo(f"  Fix: {fix_text(diagnosis, choice.params)}.")
    return 0 if diagnosis.matches else EXIT_MISMATCH
