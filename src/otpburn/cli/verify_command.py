"""`otpburn verify`: does the code the token shows belong to the seed? If not, why not."""

from __future__ import annotations

import time

import click

from otpburn.cli.common import describe_params, emit_json
from otpburn.cli.options import json_option, seed_source_options
from otpburn.cli.seeds import SeedSource, get_seed
from otpburn.cli.wording import EXIT_MISMATCH, cause_text, fix_text
from otpburn.errors import InputError
from otpburn.provisioning.verification import check_typed_code


@click.command()
@click.argument("given", nargs=-1, metavar="")
@seed_source_options
@click.option("--code", "typed", required=True, metavar="DIGITS", help="The code the token shows now.")
@click.option("--at", "at", type=float, metavar="UNIX_TIME", help="Check against this time instead of now.")
@json_option
def verify(given: tuple[str, ...], screen: bool, images: tuple[str, ...], clipboard: bool, delay: float,
           save_capture: str | None, uri_file: str | None, encoding: str, pick: int | None,
           account_filter: str | None, typed: str, at: float | None, as_json: bool) -> int:
    """Check the code shown by a token (--code DIGITS) against the seed, and diagnose a mismatch.

    The seed comes from the same sources as for burn (never the command line).
    """
    if given:  # `otpburn verify 123456`: the code is an option, and the seed never an argument
        raise InputError("give the token's code with --code DIGITS (the seed comes from --image, --uri-file, "
                         "standard input or the prompt, never the command line)")
    source = SeedSource(screen, images, clipboard, delay, save_capture, uri_file, encoding, pick, account_filter)
    choice = get_seed(source, quiet=as_json)
    params = choice.params
    diagnosis = check_typed_code(params, typed, at=time.time() if at is None else at)
    if as_json:
        emit_json({"account": params.label, **diagnosis.as_dict(), "message": cause_text(diagnosis, params),
                   "fix": fix_text(diagnosis, params)})
    else:
        click.echo(describe_params(params))
        if diagnosis.matches:
            click.echo("✓ The token shows the right code.")
        else:
            click.echo(f"✗ Mismatch: {cause_text(diagnosis, params)}.")
            click.echo(f"  Fix: {fix_text(diagnosis, params)}.")
    return 0 if diagnosis.matches else EXIT_MISMATCH
