"""Commands that talk to readers and tokens: readers, info, burn."""

from __future__ import annotations

import sys
import time

import click

from otpburn.cli.common import describe_params, emit_json, json_option, params_dict, print_fields
from otpburn.cli.seed_input import get_seed, seed_source_options
from otpburn.errors import EXIT_MISMATCH, InputError
from otpburn.otp import Algorithm, code_window

reader_option = click.option(
    "--reader", "reader_spec", metavar="NAME|N|virtual",
    help="Reader name, its number in 'otpburn readers', or 'virtual' for the built-in virtual token.",
)
trace_option = click.option("--trace", is_flag=True, help="Print every APDU (secrets redacted) on stderr.")
key_option = click.option("--key-file", type=click.Path(dir_okay=False),
                          help="Token2-family transport key (32 hex digits) for tokens with another key.")
password_option = click.option("--password-file", type=click.Path(dir_okay=False),
                               help="OATH applet password, read from this file (otherwise asked for).")


def _password_if_needed(session, password_file: str | None) -> str | None:
    """The OATH password when the applet is locked: from --password-file, else a hidden prompt."""
    if not getattr(session, "locked", False):
        return None
    if password_file:
        from otpburn.cli.common import read_text_file

        return read_text_file(password_file).rstrip("\r\n")
    if not sys.stdin.isatty():
        from otpburn.tokens.ykoath import PasswordRequired

        raise PasswordRequired()
    return click.prompt("OATH password", hide_input=True, err=True)


def _utc(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(seconds))


def _offset(info) -> str:
    offset = info.clock_offset
    return "unknown" if offset is None else f"{round(offset):+d} s"


def _load_key(key_file: str | None) -> bytes:
    from otpburn.tokens.token2 import TRANSPORT_KEY

    if not key_file:
        return TRANSPORT_KEY
    from otpburn.cli.common import read_text_file
    from otpburn.otp import decode_hex

    key = decode_hex(read_text_file(key_file).strip())
    if len(key) != 16:
        raise InputError(f"the key in {key_file} is {len(key)} bytes; a transport key is 16 bytes")
    return key


def _open_session(reader_spec, trace, key_file, wait=0.0):
    from otpburn.provisioning.readers import connect, open_reader
    from otpburn.tokens.detect import open_session
    from otpburn.transport.channel import Channel
    from otpburn.transport.trace import stream_tracer

    key = _load_key(key_file)
    opened = open_reader(reader_spec)
    try:
        connection = connect(opened, wait)
        channel = Channel(connection, stream_tracer() if trace else None)
        return opened, channel, open_session(channel, key)
    except BaseException:
        opened.close()
        raise


@click.command()
@json_option
def readers(as_json: bool) -> None:
    """List PC/SC readers and whether a token is on them."""
    from otpburn.provisioning.readers import list_pcsc_readers

    found = list_pcsc_readers()
    if as_json:
        emit_json([{"index": i, "name": r.name, "card_present": r.card_present, "atr": r.atr.hex().upper(),
                    "in_use": r.in_use} for i, r in enumerate(found, start=1)])
        return
    if not found:
        click.echo("No readers connected. Plug in an NFC reader, or try: otpburn info --reader virtual")
        return
    for index, reader in enumerate(found, start=1):
        state = "token present" if reader.card_present else "empty"
        if reader.in_use:
            state += ", in use by another program"
        click.echo(f"{index}. {reader.name}  ({state})")


def info_dict(info) -> dict[str, object]:
    return {
        "family": info.family,
        "model": info.model,
        "serial": info.serial,
        "clock": info.clock,
        "clock_utc": _utc(info.clock) if info.clock is not None else None,
        "clock_offset": None if info.clock_offset is None else round(info.clock_offset, 1),
        "capabilities": info.capabilities.as_dict(),
    }


@click.command()
@reader_option
@click.option("--wait", type=float, default=0.0, metavar="SECONDS", help="Wait this long for a token to be placed.")
@trace_option
@key_option
@json_option
def info(reader_spec, wait, trace, key_file, as_json) -> None:
    """Identify the token on the reader: family, model, serial, clock and what it can hold."""
    opened, channel, session = _open_session(reader_spec, trace, key_file, wait)
    try:
        token = session.info
    finally:
        channel.close()
        opened.close()
    if as_json:
        emit_json({"reader": opened.name, **info_dict(token)})
        return
    caps = token.capabilities
    rows = [
        ("Reader", opened.name),
        ("Family", token.family),
        ("Model", token.model + ("" if caps.writable else "  (not a known programmable model: read-only)")),
        ("Serial" if token.family != "ykoath" else "Device id", token.serial),
    ]
    if token.clock is not None:
        rows.append(("Clock", f"{_utc(token.clock)}  (offset {_offset(token)} from this PC)"))
    periods = ", ".join(f"{p} s" for p in sorted(caps.periods)) if caps.periods else "any"
    secrets = f"{caps.secret_min}-{caps.secret_max} bytes" if caps.secret_max else "any length"
    rows.append(("Holds", f"{', '.join(t.value.upper() for t in sorted(caps.types))}; "
                          f"{', '.join(sorted(a.value for a in caps.algorithms))}; "
                          f"{', '.join(map(str, sorted(caps.digits)))} digits; periods {periods}; secrets of {secrets}"))
    if caps.clock_settable:
        rows.append(("Clock write", "erases the seed" if caps.time_write_wipes_seed else "keeps the seed"))
    if caps.computes_codes:
        rows.append(("Codes", f"computed by the token (automatic verification); up to {caps.credential_slots} "
                              "credentials"))
    if token.extra.get("password_protected"):
        rows.append(("Password", "set (needed to list, add or delete credentials)"))
    print_fields(rows)


@click.command()
@seed_source_options
@reader_option
@click.option("--sync-clock", is_flag=True, help="Set the token's clock from this PC's clock.")
@click.option("--algorithm", type=click.Choice(["SHA1", "SHA256", "SHA512"], case_sensitive=False),
              help="Override the seed's hash algorithm.")
@click.option("--period", type=click.IntRange(1, 86400), help="Override the seed's period (seconds).")
@click.option("--display-timeout", type=click.Choice(["15", "30", "60", "120"]), default="30", show_default=True,
              help="Seconds the token's display stays on.")
@click.option("--wait", type=float, default=0.0, metavar="SECONDS", help="Wait this long for a token to be placed.")
@click.option("--yes", is_flag=True, help="Do not ask before a clock sync that erases the token's seed.")
@click.option("--force", is_flag=True, help="OATH: replace a credential of the same name; exports: replace files.")
@click.option("--touch", is_flag=True, help="OATH: require a touch for each code.")
@click.option("--seed-file", type=click.Path(dir_okay=False),
              help="Take the seed for this token's serial number from a seed file (vendor CSV, OATH CSV, PSKC...).")
@click.option("--seed-password-file", type=click.Path(dir_okay=False), help="Password of an encrypted PSKC seed file.")
@click.option("--export", "exports", multiple=True, metavar="FORMAT:FILE",
              help="After the burn, write the seed for an identity system (entra, vendor-csv, privacyidea, pskc, "
                   "otpauth, qr); repeatable.")
@click.option("--upn", default="", help="User principal name for the Entra ID export.")
@click.option("--ntp-server", "ntp_servers", multiple=True, metavar="HOST[:PORT]",
              help="Time server for checking the PC's clock before --sync-clock (default: pool.ntp.org, or "
                   "OTPBURN_NTP_SERVERS).")
@click.option("--resume-timeout", type=click.FloatRange(0, 600), default=30.0, show_default=True,
              help="If the token leaves the reader, wait this long for it to come back and resume (0: stop).")
@click.option("--export-password-file", type=click.Path(dir_okay=False), help="Password for a PSKC export.")
@password_option
@trace_option
@key_option
@json_option
def burn(screen, images, clipboard, delay, save_capture, uri_file, encoding, pick, account_filter, reader_spec,
         sync_clock, algorithm, period, display_timeout, wait, yes, force, touch, seed_file, seed_password_file,
         exports, upn, ntp_servers, resume_timeout, export_password_file, password_file, trace, key_file, as_json) -> int:
    """Burn a seed into the token on the reader, read it back, and show the codes to compare.

    The seed comes from --screen, --image, --clipboard, --uri-file or standard input
    (never the command line).
    """
    from otpburn.provisioning import audit
    from otpburn.provisioning.burn import BurnFailed, BurnOptions, Step
    from otpburn.provisioning.resilient import resilient_burn

    seed_records = None
    if seed_file:
        from otpburn.cli.export_commands import seed_file_password
        from otpburn.sources.seedfiles import read_seed_file

        seed_records = read_seed_file(seed_file, seed_file_password(seed_password_file))
    else:
        choice = get_seed(screen, images, clipboard, delay, save_capture, uri_file, encoding, pick, account_filter,
                          quiet=as_json)
    export_plan = _plan_exports(exports, force, export_password_file)
    from otpburn.provisioning.lock import ReaderLock

    reader_lock = ReaderLock("burn").acquire()
    try:
        opened, channel, session = _open_session(reader_spec, trace, key_file, wait)
    except BaseException:
        reader_lock.release()
        raise
    say = (lambda text: None) if as_json else click.echo
    report = None
    try:
        token = session.info
        if seed_records is not None:
            choice = _seed_for_token(seed_records, token.serial, pick, seed_file)
        params = choice.params
        if algorithm:
            params = params.replace(algorithm=Algorithm.parse(algorithm))
        if period:
            params = params.replace(period=period)
        say(f"Seed     {describe_params(params)}  [from {choice.origin}]")
        say(f"Reader   {opened.name}")
        clock = f", clock {_utc(token.clock)} (offset {_offset(token)})" if token.clock is not None else ""
        say(f"Token    {token.model}, {'serial' if token.family != 'ykoath' else 'id'} {token.serial}{clock}")
        _check_exports(export_plan, params, token, upn)
        checks = _preflight(token, params, sync_clock, ntp_servers, say)
        say("Burn")
        password = _password_if_needed(session, password_file)
        allow_wipe = True
        if sync_clock and token.capabilities.time_write_wipes_seed and not yes:
            if not sys.stdin.isatty() or images == ("-",):
                raise InputError(f"the {token.model} erases its seed when its clock is set; "
                                 "add --yes to go ahead (the new seed is written right after)")
            allow_wipe = click.confirm(f"The {token.model} erases its seed when its clock is set; the new seed is "
                                       "written right after. Go ahead?", default=True, err=True)
        options = BurnOptions(sync_clock=sync_clock, display_timeout=int(display_timeout), allow_wipe=allow_wipe,
                              overwrite=force, touch=touch, password=password)
        labels = {Step.AUTHENTICATE: "authenticated", Step.CONFIG: "settings written", Step.SEED: "seed written",
                  Step.READ_BACK: "read back", Step.VERIFY: "verified: the token computes the expected code"}
        report, presentations = resilient_burn(
            opened, params, options, key=_load_key(key_file), tracer=channel.tracer, first_session=session,
            progress=lambda step: step in labels and say(f"  ✓ {labels[step]}"),
            on_wait=lambda text: click.echo(text, err=True), resume_timeout=resume_timeout)
        if presentations > 1:
            report.warnings.append(f"the token was placed {presentations} times; the burn resumed where it stopped")
    except BurnFailed as exc:
        audit.record("burn", "failed", params=params, reader=opened.name, family=token.family, model=token.model,
                     serial=token.serial, detail=str(exc))
        raise
    finally:
        channel.close()
        opened.close()
        reader_lock.release()
    _write_exports(export_plan, params, report.info, upn, say)
    window = code_window(report.params)
    codes = (window.previous, window.current, window.next)
    display = opened.virtual_card.display_code() if opened.virtual_card is not None else None
    if report.verification is not None:
        checked = "automatic: token computed the expected code"
    elif display is not None:
        checked = "virtual token display " + ("matches" if display in codes else "MISMATCH")
    else:
        checked = "left to the user"
    audit.record("burn", "ok", params=params, reader=opened.name, family=report.info.family, model=report.info.model,
                 serial=report.info.serial, verification=checked,
                 extra={"credential": report.credential} if report.credential else None)
    if as_json:
        verification = report.verification
        emit_json({
            "result": "burned", "reader": opened.name, "token": info_dict(report.info),
            "account": params_dict(report.params), "warnings": report.warnings, "apdus": report.apdus,
            "seconds": round(report.seconds, 4), "clock_written": report.clock_written,
            "credential": report.credential, "codes": window.as_dict(), "token_display": display,
            "preflight": [check.as_dict() for check in checks],
            "verification": None if verification is None else {
                "automatic": True, "token_code": verification.token_code, "host_code": verification.host_code,
                "matches": verification.matches},
        })
        return 0 if display is None or display in codes else EXIT_MISMATCH
    for warning in report.warnings:
        click.echo(f"Note     {warning}")
    click.echo(f"Burned in {report.seconds * 1000:.0f} ms ({report.apdus} APDUs).\n")
    if report.verification is not None:
        click.echo(f"Stored as {report.credential!r}; the token itself computed {report.verification.token_code}, "
                   "the code this seed gives now.")
        return 0
    click.echo("Switch the token off and on, then compare its code with:")
    print_fields([
        ("  previous", window.previous),
        ("  current", f"{window.current}   ({window.seconds_left} s left)"),
        ("  next", window.next),
    ])
    if display is None and sys.stdin.isatty():
        return _ask_for_the_token_code(report.params)
    if display is not None:
        # Clocks are written in whole seconds, so near a step boundary the token may show a neighbour.
        verdict = {window.current: "matches", window.previous: "matches the previous code (its clock is a little behind)",
                   window.next: "matches the next code (its clock is a little ahead)"}.get(display, "DOES NOT MATCH")
        click.echo(f"\nThe virtual token shows {display}: {verdict}.")
        return 0 if display in codes else EXIT_MISMATCH
    return 0


def _preflight(token, params, sync_clock: bool, ntp_servers: tuple[str, ...], say):
    """Show the checks' verdicts; stop before anything is written if one says stop."""
    from otpburn.errors import OperationError
    from otpburn.provisioning import preflight

    checks = preflight.seed_checks(token, params)
    clock = preflight.token_clock_check(token, sync_clock)
    if clock:
        checks.append(clock)
    if sync_clock and token.capabilities.clock_settable:
        checks.append(preflight.pc_clock_check(list(ntp_servers) if ntp_servers else None))
    say("Checks")
    for check in checks:
        say(check.line())
    stopped = preflight.stops(checks)
    if stopped:
        reason = stopped[0].message.rstrip(".")
        if "nothing was written" not in reason.lower():
            reason += ". Nothing was written"
        raise (InputError if stopped[0].name != "PC clock" else OperationError)(reason)
    return checks


def _plan_exports(exports: tuple[str, ...], force: bool, password_file: str | None) -> list[tuple[str, str, object]]:
    """(format, path, password) for each --export, checked before anything touches a token."""
    import os

    from otpburn.cli.export_commands import export_password
    from otpburn.provisioning.exports import FORMATS

    plan = []
    for spec in exports:
        fmt, _, path = spec.partition(":")
        if fmt not in FORMATS or not path:
            raise InputError(f"--export wants FORMAT:FILE with FORMAT one of {', '.join(FORMATS)}, not {spec!r}")
        if os.path.exists(path) and not force:
            raise InputError(f"{path} already exists; choose another name or use --force (nothing was burned)")
        plan.append((fmt, path, export_password(fmt, password_file, no_encrypt=False)))
    return plan


def _records(params, token, upn: str):
    from otpburn.provisioning.exports import TokenRecord

    manufacturer = "Token2" if token.family == "token2" else "Yubico"
    return [TokenRecord(params, token.serial, token.model, manufacturer, upn)]


def _check_exports(plan, params, token, upn: str) -> None:
    """Render every export once before burning, so a format's rules stop a burn, not follow it."""
    from otpburn.provisioning.exports import render

    for fmt, _path, password in plan:
        render(fmt, _records(params, token, upn), None if fmt == "pskc" else password)


def _write_exports(plan, params, token, upn: str, say) -> None:
    from otpburn.provisioning import audit
    from otpburn.provisioning.exports import export

    for fmt, path, password in plan:
        export(fmt, _records(params, token, upn), path, force=True, password=password)
        audit.record("export", "ok", serial=token.serial, params=params, extra={"format": fmt, "file": path})
        say(f"Exported ({fmt}) to {path}")


def _seed_for_token(records, serial: str, pick: int | None, seed_file: str):
    from otpburn.cli.seed_input import SeedChoice

    matching = [r for r in records if r.serial == serial]
    if matching:
        return SeedChoice(matching[0].params, f"{seed_file}, line {matching[0].line}")
    if pick is not None:
        if not 1 <= pick <= len(records):
            raise InputError(f"--pick {pick} is out of range: {seed_file} holds {len(records)} seeds")
        return SeedChoice(records[pick - 1].params, f"{seed_file}, line {records[pick - 1].line}")
    raise InputError(f"{seed_file} holds no seed for serial {serial}; choose one with --pick N")


def _open_oath(reader_spec, password_file, trace, otherwise: str):
    """An OATH session, unlocked if it has a password; single-seed tokens are refused with `otherwise`."""
    opened, channel, session = _open_session(reader_spec, trace, None)
    try:
        if session.family != "ykoath":
            raise InputError(f"the {session.info.model} holds a single seed; {otherwise}")
        password = _password_if_needed(session, password_file)
        if password is not None:
            session.validate(password)
    except BaseException:
        channel.close()
        opened.close()
        raise
    return opened, channel, session


def _ask_for_the_token_code(params) -> int:
    """Let the user type the token's code and say whether (and why not) it matches."""
    from otpburn.provisioning.verify import diagnose

    typed = click.prompt("\nType the code the token shows (Enter to skip)", default="", show_default=False,
                         err=True).strip()
    if not typed:
        return 0
    diagnosis = diagnose(params, typed)
    if diagnosis.matches:
        click.echo("✓ The token shows the right code.")
        return 0
    click.echo(f"✗ Mismatch: {diagnosis.cause}." + (f" Fix: {diagnosis.fix}." if diagnosis.fix else ""))
    return EXIT_MISMATCH


@click.command()
@reader_option
@password_option
@trace_option
@json_option
def accounts(reader_spec, password_file, trace, as_json) -> None:
    """List the credentials on an OATH applet, with their current codes."""
    from otpburn.tokens.ykoath import time_challenge

    opened, channel, session = _open_oath(reader_spec, password_file, trace, "cannot list accounts")
    try:
        now = time.time()
        credentials = session.list()
        codes = session.calculate_all(time_challenge(now, 30))
        for credential in credentials:  # CALCULATE ALL uses 30 s steps; others are asked one by one
            if credential.type.value == "totp" and credential.period != 30:
                codes[credential.name] = session.calculate(credential.name, time_challenge(now, credential.period))
    finally:
        channel.close()
        opened.close()
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
        click.echo(f"{row['name']:<40} {row['type'].upper():<5} {row['algorithm']:<7} {code}")


@click.command()
@click.argument("name")
@reader_option
@password_option
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@trace_option
def delete(name, reader_spec, password_file, yes, trace) -> None:
    """Delete the credential NAME from an OATH applet (as listed by 'otpburn accounts')."""
    opened, channel, session = _open_oath(reader_spec, password_file, trace, "burn a new one instead")
    try:
        if name not in {c.name for c in session.list()}:
            raise InputError(f"no credential named {name!r} on this applet (see 'otpburn accounts')")
        if not yes:
            if not sys.stdin.isatty():
                raise InputError("add --yes to delete without a terminal to confirm on")
            click.confirm(f"Delete {name!r}? Its codes cannot be recovered.", abort=True, err=True)
        session.delete(name)
    finally:
        channel.close()
        opened.close()
    click.echo(f"Deleted {name!r}.")
