"""Commands that work on seeds alone: parse, code, random."""

from __future__ import annotations

import time

import click

from otpburn.cli.common import (
    AnyCaseChoice,
    describe_params,
    emit_json,
    params_dict,
    params_rows,
    print_fields,
    read_secret_text,
    read_text_file,
)
from otpburn.cli.exit_codes import EXIT_BAD_INPUT, EXIT_FAILED
from otpburn.cli.options import json_option, show_secret_option
from otpburn.cli.seeds import seed_from_text
from otpburn.errors import InputError
from otpburn.files import write_private
from otpburn.otp import Algorithm, OtpType, code_window, encode_base32
from otpburn.sources import Payload, classify, format_uri, random_params
from otpburn.sources.seedfiles import read_seed_bytes

ALGORITHMS = AnyCaseChoice([a.value for a in Algorithm])


def payload_dict(payload: Payload, show_secret: bool) -> dict[str, object]:
    return {
        "kind": payload.kind.value,
        "description": payload.description,
        "seed": payload.is_seed,
        "accounts": [params_dict(a, show_secret) for a in payload.accounts],
        "unusable": [{"name": e.name, "issuer": e.issuer, "problem": e.problem} for e in payload.unusable],
        "problem": payload.problem,
        "advice": payload.advice,
        "encoding_ambiguous": payload.encoding_ambiguous,
    }


def print_payload(payload: Payload, show_secret: bool) -> None:
    click.echo(f"Kind: {payload.description}{' - ' + payload.export_part if payload.export_part else ''}")
    for number, account in enumerate(payload.accounts, start=1):
        if len(payload.accounts) > 1:
            click.echo(f"\n[{number}]")
        print_fields(params_rows(account, show_secret))
    for entry in payload.unusable:
        click.echo(f"Skipped: {entry.issuer or entry.name or 'an account'} {entry.problem}")
    if payload.encoding_ambiguous:
        click.echo("Note: this text is valid as base32 and as hex; it was read as base32.")


def payload_exit_code(payload: Payload) -> int:
    if payload.is_seed:
        return 0
    if payload.problem:
        return EXIT_BAD_INPUT
    return EXIT_FAILED


@click.command()
@click.argument("source", default="-", metavar="[-]")
@click.option("--file", "file_path", type=click.Path(dir_okay=False), help="Read the text from a file.")
@show_secret_option
@json_option
def parse(source: str, file_path: str | None, show_secret: bool, as_json: bool) -> int:
    """Show what an otpauth URI, Google export or pasted text holds.

    The text comes from standard input (`otpburn parse < account.txt`, or typed at the
    hidden prompt) or --file, never the command line, where it would land in your shell
    history and the process list.
    """
    if source != "-":
        raise InputError("the text to parse is not taken from the command line (it would stay in your shell "
                         "history and be visible in the process list); pipe it in, type it at the prompt, or use "
                         "--file")
    if file_path:
        text, origin = read_text_file(file_path), file_path
    else:
        text, origin = read_secret_text("otpauth URI or secret"), "standard input"
    if not text.strip():
        raise InputError(f"there is no text to parse: {origin} is empty")
    if sum(1 for line in text.splitlines() if line.strip().lower().startswith("otpauth")) > 1:
        return _parse_list(text, origin, show_secret, as_json)  # several links: a list, read as a seed file
    payload = classify(text)
    if as_json:
        emit_json(payload_dict(payload, show_secret))
    elif payload.is_seed:
        print_payload(payload, show_secret)
    if not payload.is_seed:
        reason = payload.problem or payload.advice
        click.echo(f"otpburn: {payload.description}: {reason}", err=True)
    return payload_exit_code(payload)


def _parse_list(text: str, origin: str, show_secret: bool, as_json: bool) -> int:
    found = read_seed_bytes(origin, text.encode("utf-8"))
    if as_json:
        emit_json({"kind": found.kind, "accounts": [{"place": r.place, **params_dict(r.params, show_secret)}
                                                    for r in found.records], "problems": found.problems})
        return 0
    click.echo(f"Kind: {len(found.records)} accounts ({found.kind}); burn them with --seed-file")
    for record in found.records:
        click.echo(f"\n[{record.place}]")
        print_fields(params_rows(record.params, show_secret))
    for problem in found.problems:
        click.echo(f"otpburn: {problem}", err=True)
    return 0


def no_secret_arguments(given: tuple[str, ...]) -> None:
    """A secret typed after the command would be echoed by click's "unexpected extra argument": refuse it here,
    without repeating it (it is already in the shell history; say so)."""
    if given:
        raise InputError("a seed is never taken from the command line (it stays in your shell history and the process "
                         "list; clear them if you typed one): give it with --uri-file, on standard input or at the "
                         "hidden prompt")


@click.command()
@click.argument("given", nargs=-1, metavar="", expose_value=True)
@click.option("--uri-file", type=click.Path(dir_okay=False), help="Read the otpauth URI or secret from a file.")
@click.option("--encoding", type=click.Choice(["auto", "base32", "hex"]), default="auto", show_default=True,
              help="How a bare secret is written.")
@click.option("--algorithm", type=ALGORITHMS, help="Override the hash algorithm.")
@click.option("--digits", type=click.IntRange(6, 10), metavar="N", help="Override the number of digits.")
@click.option("--period", type=click.IntRange(1, 86400), metavar="SECONDS", help="Override the TOTP period in seconds.")
@click.option("--counter", type=click.IntRange(0), metavar="N", help="Use HOTP with this counter.")
@click.option("--at", "at", type=float, metavar="UNIX_TIME", help="Compute for this time instead of now.")
@click.option("--pick", type=click.IntRange(1), metavar="N", help="Which account of an export (1-based).")
@click.option("--account", help="Which account of an export (text in its name).")
@json_option
def code(given: tuple[str, ...], uri_file: str | None, encoding: str, algorithm: str | None, digits: int | None,
         period: int | None, counter: int | None, at: float | None, pick: int | None, account: str | None,
         as_json: bool) -> None:
    """Show the previous, current and next codes of a seed.

    The seed is read from --uri-file, from standard input, or from a hidden prompt.
    """
    no_secret_arguments(given)
    text = read_text_file(uri_file) if uri_file else read_secret_text()
    params = seed_from_text(text, encoding, pick, account)
    changes: dict[str, object] = {}
    if algorithm:
        changes["algorithm"] = algorithm
    if digits:
        changes["digits"] = digits
    if period:
        changes["period"] = period
    if counter is not None:
        changes.update(type=OtpType.HOTP, counter=counter)
    params = params.replace(**changes) if changes else params
    now = time.time() if at is None else at
    window = code_window(params, now)
    if as_json:
        emit_json({"account": params_dict(params), "time": now, **window.as_dict()})
        return
    click.echo(describe_params(params))
    rows: list[tuple[str, object]] = [
        ("Previous", window.previous or "-"),
        ("Current", f"{window.current}" + (f"   ({window.seconds_left} s left)" if window.period else "")),
        ("Next", window.next),
    ]
    print_fields(rows)


@click.command("random")
@click.option("--bytes", "length", type=int, metavar="N", default=20, show_default=True,
              help="Secret length in bytes (10-64).")
@click.option("--issuer", default="", help="Issuer to put in the otpauth URI.")
@click.option("--account", default="", help="Account name to put in the otpauth URI.")
@click.option("--algorithm", type=ALGORITHMS, default="SHA1", show_default=True,
              help="The hash algorithm the codes use (most services and tokens take SHA1).")
@click.option("--digits", type=click.IntRange(6, 10), metavar="N", default=6, show_default=True,
              help="Digits per code.")
@click.option("--period", type=click.IntRange(1, 86400), metavar="SECONDS", default=30, show_default=True,
              help="Seconds each code lasts.")
@click.option("--output", type=click.Path(dir_okay=False), help="Write the otpauth URI to this file (0600).")
@click.option("--force", is_flag=True, help="Replace --output if it exists.")
@json_option
def random_cmd(length: int, issuer: str, account: str, algorithm: str, digits: int, period: int, output: str | None,
               force: bool, as_json: bool) -> None:
    """Make a new random seed (from the operating system's secure generator).

    Without --output the secret is printed: it is yours to copy into the service.
    """
    params = random_params(length, issuer=issuer, account=account, algorithm=algorithm, digits=digits, period=period)
    uri = format_uri(params)
    if output:
        write_private(output, (uri + "\n").encode(), force=force)
    if as_json:
        data = params_dict(params, show_secret=not output)
        if not output:
            data["uri"] = uri
        else:
            data["written_to"] = output
        emit_json(data)
    elif output:
        click.echo(f"Wrote a new {length}-byte seed to {output} (readable only by you).")
    else:
        print_fields([("Secret", encode_base32(params.secret)), ("URI", uri)])

