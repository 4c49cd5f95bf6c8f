"""Commands that look at readers and tokens: readers, info."""

from __future__ import annotations

import click

from otpburn.cli.common import emit_json, print_fields
from otpburn.cli.options import json_option, key_option, reader_option, trace_option
from otpburn.cli.tokens import credentials, info_dict, offset_text, tracer, utc
from otpburn.cli.wording import describe
from otpburn.errors import OtpburnError
from otpburn.provisioning.access.readers import VIRTUAL, VIRTUAL_MOLTO2, list_pcsc_readers
from otpburn.provisioning.access.session import token_session

# The built-in readers, there whatever PC/SC says: (what --reader takes, what it is).
BUILT_IN = ((VIRTUAL, "otpburn virtual reader (an emulated Token2 OTPC-P2-i)"),
            (VIRTUAL_MOLTO2, "otpburn virtual Molto2 (an emulated Token2 Molto2)"))


@click.command()
@json_option
def readers(as_json: bool) -> None:
    """List PC/SC readers and whether a token is on them, and the built-in virtual readers."""
    problem = None
    try:
        found = list_pcsc_readers()
    except OtpburnError as exc:  # the virtual readers work without PC/SC: say what is wrong, list them
        found, problem = [], exc
    built_in = [{"index": spec, "name": name, "card_present": True, "atr": "", "in_use": False, "virtual": True}
                for spec, name in BUILT_IN]
    if problem is not None:
        click.echo(f"otpburn: PC/SC readers cannot be listed: {describe(problem)}", err=True)
    if as_json:
        emit_json([{"index": i, "name": r.name, "card_present": r.card_present, "atr": r.atr.hex().upper(),
                    "in_use": r.in_use, "virtual": False} for i, r in enumerate(found, start=1)] + built_in)
        return
    if problem is None and not found:
        click.echo("No PC/SC readers connected. Plug in an NFC reader, or try a virtual one below.")
    for index, reader in enumerate(found, start=1):
        state = "token present" if reader.card_present else "empty"
        if reader.in_use:
            state += ", in use by another program"
        click.echo(f"{index}. {reader.name}  ({state})")
    for spec, name in BUILT_IN:
        click.echo(f"{spec}. {name}  (built in: --reader {spec})")


@click.command()
@reader_option
@click.option("--wait", type=float, default=0.0, metavar="SECONDS", help="Wait this long for a token to be placed.")
@trace_option
@key_option
@json_option
def info(reader_spec: str | None, wait: float, trace: bool, key_file: str | None, as_json: bool) -> None:
    """Identify the token on the reader: family, model, serial, clock and what it can hold."""
    with token_session(reader_spec, holder="info", wait=wait, tracer=tracer(trace),
                       credentials=credentials(key_file=key_file)) as on_reader:
        token, reader_name = on_reader.info, on_reader.reader.name
    if as_json:
        emit_json({"reader": reader_name, **info_dict(token)})
        return
    caps = token.capabilities
    rows = [
        ("Reader", reader_name),
        ("Family", token.family),
        ("Model", token.model + ("" if caps.writable else "  (not a known programmable model: read-only)")),
        ("Serial" if token.capabilities.printed_serial else "Device id", token.serial),
    ]
    if token.clock is not None:
        rows.append(("Clock", f"{utc(token.clock)}  (offset {offset_text(token)} from this PC)"))
    periods = ", ".join(f"{p} s" for p in sorted(caps.periods)) if caps.periods else "any"
    secrets = f"{caps.secret_min}-{caps.secret_max} bytes" if caps.secret_max else "any length"
    rows.append(("Holds", f"{', '.join(t.value.upper() for t in sorted(caps.types))}; "
                          f"{', '.join(sorted(a.value for a in caps.algorithms))}; "
                          f"{', '.join(map(str, sorted(caps.digits)))} digits; periods {periods}; "
                          f"secrets of {secrets}"))
    if caps.clock_settable:
        rows.append(("Clock write", "erases the seed" if caps.time_write_wipes_seed else "keeps the seed"))
    if caps.computes_codes:
        rows.append(("Codes", f"computed by the token (automatic verification); up to {caps.credential_slots} "
                              "credentials"))
    if token.extra.get("password_protected"):
        rows.append(("Password", "set (needed to list, add or delete credentials)"))
    print_fields(rows)


