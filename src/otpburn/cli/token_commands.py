"""Commands that look at readers and tokens: readers, info."""

from __future__ import annotations

import click

from otpburn.cli.common import emit_json, json_option, print_fields
from otpburn.cli.reader_session import (
    info_dict,
    key_option,
    load_key,
    offset_text,
    reader_option,
    trace_option,
    utc,
)


@click.command()
@json_option
def readers(as_json: bool) -> None:
    """List PC/SC readers and whether a token is on them, and the built-in virtual reader."""
    from otpburn.errors import OtpburnError
    from otpburn.provisioning.access.readers import list_pcsc_readers

    virtual = {"index": "virtual", "name": "otpburn virtual reader", "card_present": True, "atr": "",
               "in_use": False, "virtual": True}
    try:
        found = list_pcsc_readers()
    except OtpburnError:
        if not as_json:  # the virtual reader is there whatever PC/SC says
            click.echo(f"virtual. {virtual['name']}  (built in, always there: --reader virtual)")
        raise
    if as_json:
        emit_json([{"index": i, "name": r.name, "card_present": r.card_present, "atr": r.atr.hex().upper(),
                    "in_use": r.in_use, "virtual": False} for i, r in enumerate(found, start=1)] + [virtual])
        return
    if not found:
        click.echo("No PC/SC readers connected. Plug in an NFC reader, or try the virtual token below.")
    for index, reader in enumerate(found, start=1):
        state = "token present" if reader.card_present else "empty"
        if reader.in_use:
            state += ", in use by another program"
        click.echo(f"{index}. {reader.name}  ({state})")
    click.echo(f"virtual. {virtual['name']}  (built in, always there: --reader virtual)")


@click.command()
@reader_option
@click.option("--wait", type=float, default=0.0, metavar="SECONDS", help="Wait this long for a token to be placed.")
@trace_option
@key_option
@json_option
def info(reader_spec, wait, trace, key_file, as_json) -> None:
    """Identify the token on the reader: family, model, serial, clock and what it can hold."""
    from otpburn.provisioning.access.session import token_session
    from otpburn.transport.trace import stream_tracer

    with token_session(reader_spec, holder="info", wait=wait, tracer=stream_tracer() if trace else None,
                       key=load_key(key_file)) as on_reader:
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


