"""Commands for multi-profile tokens (Token2 Molto2): profiles, fill, change-key, factory-reset,
and the profile side of `delete`; the customer-key options `burn` shares."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from otpburn.cli.common import emit_json, json_option
from otpburn.cli.export_commands import seed_file_options
from otpburn.cli.reader_session import reader_option, trace_option
from otpburn.errors import InputError
from otpburn.untrusted import tame

if TYPE_CHECKING:
    from otpburn.provisioning.access.session import TokenOnReader
    from otpburn.tokens.molto2 import Molto2Session

NEXT_FREE = "next-free"


def customer_key_options(function):
    for decorator in reversed([
        click.option("--customer-key-file", type=click.Path(dir_okay=False),
                     help="Molto2: the customer key, read from this file (its text, or 32 hex digits).",),
        click.option("--default-customer-key", is_flag=True,
                     help="Molto2: use the factory customer key (TOKEN2MOLTO1-KEY)."),
        click.option("--i-understand-last-attempt", "last_attempt", is_flag=True,
                     help="Molto2: authenticate even when one attempt is left (a wrong key then locks it)."),
    ]):
        function = decorator(function)
    return function


def molto2_burn_options(function):
    for decorator in reversed([
        click.option("--profile", "profile_text", metavar=f"N|{NEXT_FREE}",
                     help="Molto2: the profile to burn (0-99), or the next one holding no seed."),
        click.option("--title", help="Molto2: the profile's title, 12 bytes at most (default: the issuer or "
                                     "account)."),
    ]):
        function = decorator(function)
    return function


def customer_key(file: str | None, default: bool, what: str = "customer key") -> bytes:
    """The customer key from --customer-key-file, --default-customer-key, or a hidden prompt."""
    from otpburn.provisioning.burn.molto2 import CustomerKeyNeededError
    from otpburn.tokens.molto2 import FACTORY_CUSTOMER_KEY, parse_customer_key

    if file and default:
        raise InputError("give --customer-key-file or --default-customer-key, not both")
    if default:
        return FACTORY_CUSTOMER_KEY
    if file:
        from otpburn.cli.common import read_text_file

        return parse_customer_key(read_text_file(file))
    if not sys.stdin.isatty():
        raise CustomerKeyNeededError()
    typed = click.prompt(f"Molto2 {what} (Enter for the factory key TOKEN2MOLTO1-KEY)", default="",
                         show_default=False, hide_input=True, err=True)
    if not typed:
        click.echo("Using the factory customer key TOKEN2MOLTO1-KEY.", err=True)
        return FACTORY_CUSTOMER_KEY
    return parse_customer_key(typed)


def parse_profile(text: str | None) -> int | str | None:
    if text is None or text == NEXT_FREE:
        return text
    from otpburn.tokens.molto2 import PROFILES

    if not text.isdigit() or not 0 <= int(text) < PROFILES:
        raise InputError(f"--profile wants a number from 0 to {PROFILES - 1} or '{NEXT_FREE}', not {text!r}")
    return int(text)


def resolve_profile(session: Molto2Session, spec: int | str | None) -> int:
    """The profile number a burn goes into: the one given, or the next free one (read once, before the burn)."""
    from otpburn.provisioning.burn.molto2 import ProfileNeededError, next_free

    if spec is None:
        raise ProfileNeededError()
    if spec == NEXT_FREE:
        return next_free(session.profiles())
    assert isinstance(spec, int)  # noqa: S101 (parse_profile made it one)
    if spec >= session.profile_count:
        session.profiles()  # a Molto2 v1 has 50: learn how many before refusing
        if spec >= session.profile_count:
            raise InputError(f"this Molto2 has profiles 0 to {session.profile_count - 1}")
    return spec


@contextmanager
def molto2_token(reader_spec: str | None, trace: bool, holder: str) -> Iterator[tuple[TokenOnReader, Molto2Session]]:
    from otpburn.provisioning.access.session import token_session
    from otpburn.tokens.molto2 import Molto2Session
    from otpburn.transport.trace import stream_tracer

    reader_spec = reader_spec or _the_molto2_reader()
    with token_session(reader_spec, holder=holder, tracer=stream_tracer() if trace else None) as on_reader:
        session = on_reader.session
        if not isinstance(session, Molto2Session):
            raise InputError(f"the {session.info.model} on {on_reader.reader.name} has no profiles; this command is "
                             "for a Token2 Molto2")
        yield on_reader, session


def _the_molto2_reader() -> str | None:
    """Without --reader: the one connected Molto2, even beside NFC readers (a Molto2 is a reader of its own)."""
    from otpburn.errors import OtpburnError
    from otpburn.provisioning.access.readers import list_pcsc_readers
    from otpburn.tokens.molto2 import is_molto2_reader

    try:
        found = [r.name for r in list_pcsc_readers() if r.card_present and is_molto2_reader(r.name)]
    except OtpburnError:
        return None  # token_session says what is wrong with PC/SC
    return found[0] if len(found) == 1 else None


def _confirm(question: str, yes: bool) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        raise InputError("add --yes to go ahead without a terminal to confirm on")
    click.confirm(question, default=False, abort=True, err=True)


@click.command()
@reader_option
@click.option("--all", "show_all", is_flag=True, help="List empty profiles too.")
@trace_option
@json_option
def profiles(reader_spec, show_all, trace, as_json) -> None:
    """List the profiles of a Token2 Molto2: title, settings, and whether each holds a seed.

    Needs no customer key: the device shows titles and occupancy to anyone.
    """
    with molto2_token(reader_spec, trace, "profiles") as (on_reader, session):
        found = session.profiles()
        serial = session.info.serial
    used = [p for p in found if p.occupied]
    free = [p.number for p in found if not p.occupied]
    if as_json:
        emit_json({"reader": on_reader.reader.name, "serial": serial, "count": len(found),
                   "used": len(used), "next_free": free[0] if free else None,
                   "profiles": [p.as_dict() for p in (found if show_all else used)]})
        return
    click.echo(f"Molto2 {serial}: {len(used)} of {len(found)} profiles hold a seed"
               + (f"; next free: {free[0]}" if free else "; none free"))
    for profile in found if show_all else used:
        settings = f"{profile.algorithm.value if profile.algorithm else '?'} {profile.digits} digits {profile.period} s"
        state = "seed " if profile.occupied else "empty"
        click.echo(f"{profile.number:>3}  {state}  {tame(profile.title, 24) or '(no title)':<14} {settings}")


def delete_profile(reader_spec: str | None, number_text: str, yes: bool, trace: bool, as_json: bool) -> None:
    """`otpburn delete --profile N`: erase one profile's seed (the device asks for no key)."""
    from otpburn.provisioning.records import audit

    number = parse_profile(number_text)
    if not isinstance(number, int):
        raise InputError("--profile wants the number of the profile to delete")
    with molto2_token(reader_spec, trace, "delete") as (on_reader, session):
        profile = session.profile(number)
        if not profile.occupied:
            from otpburn.tokens.molto2 import ProfileEmptyError

            raise ProfileEmptyError(number)
        title = f" ('{tame(profile.title, 24)}')" if profile.title else ""
        _confirm(f"Erase the seed of profile {number}{title}? Its codes cannot be recovered. (The Molto2 asks no "
                 "key for this: anyone holding it can do the same.)", yes)
        session.delete(number)
        audit.record("delete", "ok", reader=on_reader.reader.name, family=session.info.family,
                     model=session.info.model, serial=session.info.serial,
                     extra={"profile": number, "title": profile.title})
    if as_json:
        emit_json({"deleted_profile": number, "title": profile.title})
    else:
        click.echo(f"Erased the seed of profile {number}{title}; its title stays until it is burned again.")


@click.command("change-key")
@reader_option
@customer_key_options
@click.option("--new-key-file", type=click.Path(dir_okay=False),
              help="The new customer key, read from this file (otherwise asked for twice).")
@trace_option
def change_key(reader_spec, customer_key_file, default_customer_key, last_attempt, new_key_file, trace) -> None:
    """Change a Molto2's customer key; the token asks you to confirm with its ▲ button.

    The change needs a terminal: after you press ▲, otpburn checks the new key once.
    """
    from otpburn.provisioning.burn.molto2 import authenticate, confirm_new_key
    from otpburn.provisioning.records import audit
    from otpburn.tokens.molto2 import ButtonNotPressedError, parse_customer_key

    if not sys.stdin.isatty():
        raise InputError("changing the customer key needs a terminal: you confirm the ▲ press there")
    current = customer_key(customer_key_file, default_customer_key, "current customer key")
    if new_key_file:
        from otpburn.cli.common import read_text_file

        new = parse_customer_key(read_text_file(new_key_file))
    else:
        new = parse_customer_key(click.prompt("New customer key", hide_input=True, confirmation_prompt=True,
                                              err=True))
    with molto2_token(reader_spec, trace, "change-key") as (on_reader, session):
        authenticate(session, current, last_attempt)
        waits = session.change_key(new)
        where: dict[str, Any] = {"reader": on_reader.reader.name, "family": session.info.family,
                                 "model": session.info.model, "serial": session.info.serial}
        if waits:
            click.echo("Press ▲ on the token to confirm the new customer key.", err=True)
            answer = click.prompt("Then press Enter here (or type 'cancel')", default="", show_default=False,
                                  err=True)
            if answer.strip().lower() == "cancel":
                audit.record("change-key", "failed", detail="not confirmed on the token", **where)
                raise ButtonNotPressedError("customer key change")
        try:
            confirm_new_key(session, new)
        except Exception:
            audit.record("change-key", "failed", detail="the new key was not accepted", **where)
            raise
        audit.record("change-key", "ok", **where)
    click.echo("The Molto2 now uses the new customer key (checked once). Keep it safe: without it no profile can be "
               "written, and only a factory reset (erasing every profile) recovers the device.")


@click.command("factory-reset")
@reader_option
@click.option("--yes", is_flag=True, help="Do not ask for confirmation here (the token still wants its ▲ button).")
@click.option("--button-checks", type=click.IntRange(1, 10_000), metavar="N", default=240, show_default=True,
              help="How many times to look (every half second) whether the reset happened.")
@trace_option
def factory_reset(reader_spec, yes, button_checks, trace) -> None:
    """Erase every profile of a Molto2 and restore the factory customer key (the token asks for its ▲ button)."""
    from otpburn.provisioning.burn.molto2 import wait_for_reset
    from otpburn.provisioning.records import attempts, audit

    with molto2_token(reader_spec, trace, "factory-reset") as (on_reader, session):
        used = [p.number for p in session.profiles() if p.occupied]
        _confirm(f"Erase all {len(used)} profiles holding a seed and restore the factory customer key?", yes)
        where: dict[str, Any] = {"reader": on_reader.reader.name, "family": session.info.family,
                                 "model": session.info.model, "serial": session.info.serial}
        if session.factory_reset():
            click.echo("Press ▲ on the token to confirm the factory reset.", err=True)
            try:
                wait_for_reset(session, used, checks=button_checks)
            except Exception:
                audit.record("factory-reset", "failed", detail="not confirmed on the token", **where)
                raise
        attempts.forget(session.info.serial)
        audit.record("factory-reset", "ok", extra={"profiles_erased": len(used)}, **where)
    click.echo(f"Factory reset: {len(used)} profiles erased; the customer key is TOKEN2MOLTO1-KEY again.")


@click.command()
@click.argument("seed_file", type=click.Path(dir_okay=False, allow_dash=True))
@reader_option
@seed_file_options
@click.option("--account", "account_filter", help="Burn only the accounts whose name contains this text.")
@click.option("--first-profile", type=click.IntRange(0, 99), metavar="N", default=0, show_default=True,
              help="Fill free profiles from this number on.")
@click.option("--sync-clock", is_flag=True, help="Set each profile's clock from this PC's clock.")
@click.option("--display-timeout", type=click.Choice(["15", "30", "60", "120"]), default="30", show_default=True,
              help="Seconds the token's display stays on.")
@customer_key_options
@click.option("--dry-run", is_flag=True, help="Show which account would go into which profile; write nothing.")
@trace_option
@json_option
def fill(seed_file, reader_spec, seed_password_file, seed_key_file, strict, account_filter, first_profile,
         sync_clock, display_timeout, customer_key_file, default_customer_key, last_attempt, dry_run, trace,
         as_json) -> None:
    """Burn every account of SEED_FILE into free profiles of one Token2 Molto2, one after another.

    The batch for a multi-profile token: a Google Authenticator export, an app backup
    (Aegis, 2FAS, andOTP) or any seed file becomes one profile per account, titled with
    its issuer (or account). Profiles holding a seed are never touched; the customer key
    is asked once.

    \b
    Examples:
      otpburn fill google-export.txt --reader Molto2
      otpburn fill aegis-backup.json --seed-password-file pw.txt --first-profile 10 --dry-run
    """
    from otpburn.cli.common import describe_params
    from otpburn.cli.export_commands import load_seed_file, matching_records, one_record_per_secret
    from otpburn.otp import code_window
    from otpburn.provisioning.burn.flow import burn_job
    from otpburn.provisioning.burn.molto2 import default_title
    from otpburn.provisioning.burn.steps import BurnOptions

    records = load_seed_file(seed_file, seed_password_file, seed_key_file, strict)
    if account_filter is not None:
        records = matching_records(records, account_filter, seed_file)
    records = one_record_per_secret(records, seed_file)
    say = (lambda text: click.echo(text, err=True)) if as_json else click.echo
    done: list[dict[str, object]] = []
    with molto2_token(reader_spec, trace, "fill") as (on_reader, session):
        free = [p.number for p in session.profiles() if not p.occupied and p.number >= first_profile]
        if len(free) < len(records):
            raise InputError(f"{len(records)} accounts but {len(free)} free profiles from {first_profile} on; "
                             "nothing was written (choose accounts with --account, or delete profiles)")
        plan = list(zip(records, free, strict=False))
        say(f"Molto2 {session.info.serial}: {len(plan)} accounts into profiles {', '.join(str(n) for _, n in plan)}")
        if dry_run:
            for record, number in plan:
                say(f"  profile {number:>2}  {default_title(record.params)!r:<16} {describe_params(record.params)}")
            return
        key = customer_key(customer_key_file, default_customer_key)
        for record, number in plan:
            options = BurnOptions(sync_clock=sync_clock, display_timeout=int(display_timeout), profile=number,
                                  customer_key=key, last_attempt_accepted=last_attempt)
            job = burn_job(on_reader, record.params, options, resume_timeout=0)
            report = job.report
            done.append({"profile": number, "title": report.title, "issuer": record.params.issuer,
                         "account": record.params.account, "place": record.place})
            code = code_window(report.params)
            say(f"  ✓ profile {number:>2}  {report.title!r:<16} {record.params.label:<32} code now {code.current} "
                f"({code.seconds_left} s left)")
    if as_json:
        emit_json({"serial": session.info.serial, "burned": done})
    else:
        click.echo(f"{len(done)} profiles burned. Pick each on the token and compare its code with the one above "
                   "(or with 'otpburn code').")


@click.command("sync-clock")
@reader_option
@click.option("--profile", "profile_text", metavar="N|all", default="all", show_default=True,
              help="The profile whose clock to set, or every profile holding a seed.")
@customer_key_options
@trace_option
@json_option
def sync_clock(reader_spec, profile_text, customer_key_file, default_customer_key, last_attempt, trace,
               as_json) -> None:
    """Set a Molto2's profile clocks from this PC's clock; seeds, titles and settings stay."""
    from otpburn.provisioning.burn.molto2 import authenticate, sync_clocks
    from otpburn.provisioning.records import audit

    number = None if profile_text == "all" else parse_profile(profile_text)
    if profile_text != "all" and not isinstance(number, int):
        raise InputError("--profile wants a profile number or 'all'")
    with molto2_token(reader_spec, trace, "sync-clock") as (on_reader, session):
        numbers = [number] if isinstance(number, int) else [p.number for p in session.profiles() if p.occupied]
        if not numbers:
            raise InputError("no profile holds a seed: there is no clock to set")
        authenticate(session, customer_key(customer_key_file, default_customer_key), last_attempt)
        offset = session.info.clock_offset
        sync_clocks(session, numbers)
        audit.record("sync-clock", "ok", reader=on_reader.reader.name, family=session.info.family,
                     model=session.info.model, serial=session.info.serial, extra={"profiles": numbers})
    if as_json:
        emit_json({"serial": session.info.serial, "profiles": numbers,
                   "device_clock_offset": None if offset is None else round(offset, 1)})
        return
    click.echo(f"Set the clock of {len(numbers)} profile{'s' if len(numbers) != 1 else ''} "
               f"({', '.join(map(str, numbers))}) from this PC's clock"
               + (f"; the device's own clock read {offset:+.0f} s from it" if offset is not None else "") + ".")
