"""`otpburn verify`: does the code the token shows belong to the seed? If not, why not."""

from __future__ import annotations

import time

import click

from otpburn.cli.common import describe_params, emit_json
from otpburn.cli.exit_codes import EXIT_MISMATCH
from otpburn.cli.options import json_option, seed_source_options
from otpburn.cli.seeds import SeedSource, get_seed
from otpburn.cli.wording import cause_text, fix_text, mark
from otpburn.errors import InputError
from otpburn.provisioning.burn.checks import Verdict
from otpburn.provisioning.verification import check_typed_code
from otpburn.untrusted import ascii_digits


@click.command()
@click.argument("given", nargs=-1, metavar="")
@seed_source_options
@click.option("--code", "typed", metavar="DIGITS", help="The code the token shows now (required).")
@click.option("--at", "at", type=float, metavar="UNIX_TIME", help="Check against this time instead of now.")
@json_option
def verify(given: tuple[str, ...], screen: bool, images: tuple[str, ...], clipboard: bool, delay: float,
           save_capture: str | None, uri_file: str | None, encoding: str, pick: int | None,
           account_filter: str | None, typed: str | None, at: float | None, as_json: bool) -> int:
    """Check the code shown by a token (--code DIGITS) against the seed, and diagnose a mismatch.

    The seed comes from the same sources as for burn (never the command line).
    """
    if given and not typed and len(given) == 1 and ascii_digits(given[0]) and 4 <= len(given[0]) <= 10:
        # `otpburn verify 123456`: a code, given where an option belongs (echoing it is harmless: it is shown
        # on the token and expires)
        raise click.UsageError(f"give the token's code with --code: otpburn verify --code {given[0]}")
    if given:  # the seed is never an argument, and what was typed is not repeated: it may be one
        raise InputError("give the token's code with --code DIGITS (the seed comes from --image, --uri-file, "
                         "standard input or the prompt, never the command line)")
    if not typed:
        raise click.UsageError("give the code the token shows with --code DIGITS")
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
            click.echo(f"{mark(Verdict.OK)} The token shows the right code.")
        else:
            click.echo(f"{mark(Verdict.STOP)} Mismatch: {cause_text(diagnosis, params)}.")
            click.echo(f"  Fix: {fix_text(diagnosis, params)}.")
    return 0 if diagnosis.matches else EXIT_MISMATCH
