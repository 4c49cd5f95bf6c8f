"""Commands for the Token2 Molto2 (one USB token, many TOTP profiles): profiles, fill, sync-clock,
change-key and factory-reset. Each goes through the library's own use case (the fill through the one burn
flow), which logs it; these commands ask and word."""

from __future__ import annotations

import sys

import click

from otpburn.cli.common import describe_params, emit_json, read_text_file
from otpburn.cli.options import (
    customer_key_options,
    display_timeout_option,
    json_option,
    ntp_option,
    reader_option,
    seed_file_options,
    sync_clock_option,
    trace_option,
)
from otpburn.cli.seeds import load_seed_file, matching_records, one_record_per_secret
from otpburn.cli.tokens import confirm, credentials, molto2_token, parse_profile
from otpburn.cli.wording import check_line, note_text, pc_clock_text, plural, waiting_text
from otpburn.errors import InputError
from otpburn.otp import code_window
from otpburn.provisioning.admin.molto2 import change_key as change_customer_key
from otpburn.provisioning.admin.molto2 import factory_reset as reset_device
from otpburn.provisioning.admin.molto2 import sync_profile_clocks
from otpburn.provisioning.batches.fill import FillItem, already_on_token, plan_fill
from otpburn.provisioning.batches.fill import fill as fill_profiles
from otpburn.provisioning.burn.flow import BurnFlow, BurnOutcome, Checked, FlowEvent, FlowSettings, Waiting
from otpburn.provisioning.burn.steps import BurnOptions
from otpburn.tokens.molto2 import parse_customer_key
from otpburn.untrusted import tame


@click.command()
@reader_option
@click.option("--all", "show_all", is_flag=True, help="List empty profiles too.")
@trace_option
@json_option
def profiles(reader_spec: str | None, show_all: bool, trace: bool, as_json: bool) -> None:
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


@click.command("change-key")
@reader_option
@customer_key_options
@click.option("--new-key-file", type=click.Path(dir_okay=False),
              help="The new customer key, read from this file (otherwise asked for twice).")
@trace_option
def change_key(reader_spec: str | None, customer_key_file: str | None, default_customer_key: bool,
               last_attempt: bool, new_key_file: str | None, trace: bool) -> None:
    """Change a Molto2's customer key; the token asks you to confirm with its ▲ button.

    The change needs a terminal: after you press ▲, otpburn checks the new key once.
    """
    if not sys.stdin.isatty():
        raise InputError("changing the customer key needs a terminal: you confirm the ▲ press there")
    given = credentials(customer_key_file=customer_key_file, default_customer_key=default_customer_key,
                        last_attempt=last_attempt, customer_key_is="current customer key")
    from_file = parse_customer_key(read_text_file(new_key_file)) if new_key_file else None  # checked before connecting

    def new_key() -> bytes:  # asked once the current key was accepted
        if from_file is not None:
            return from_file
        return parse_customer_key(str(click.prompt("New customer key", hide_input=True, confirmation_prompt=True,
                                                   err=True)))

    def pressed() -> bool:
        click.echo("Press ▲ on the token to confirm the new customer key.", err=True)
        answer = str(click.prompt("Then press Enter here (or type 'cancel')", default="", show_default=False,
                                  err=True))
        return answer.strip().lower() != "cancel"

    with molto2_token(reader_spec, trace, "change-key", given) as (on_reader, session):
        change_customer_key(on_reader, session, new_key, pressed)
    click.echo("The Molto2 now uses the new customer key (checked once). Keep it safe: without it no profile can be "
               "written, and only a factory reset (erasing every profile) recovers the device.")


@click.command("factory-reset")
@reader_option
@click.option("--yes", is_flag=True, help="Do not ask for confirmation here (the token still wants its ▲ button).")
@click.option("--button-checks", type=click.IntRange(1, 10_000), metavar="N", default=240, show_default=True,
              help="How many times to look (every half second) whether the reset happened.")
@trace_option
def factory_reset(reader_spec: str | None, yes: bool, button_checks: int, trace: bool) -> None:
    """Erase every profile of a Molto2 and restore the factory customer key (the token asks for its ▲ button)."""
    with molto2_token(reader_spec, trace, "factory-reset") as (on_reader, session):
        used = [p.number for p in session.profiles() if p.occupied]
        confirm(f"Erase all {len(used)} profiles holding a seed and restore the factory customer key?", yes)
        erased = reset_device(on_reader, session,
                              lambda: click.echo("Press ▲ on the token to confirm the factory reset.", err=True),
                              button_checks)
    click.echo(f"Factory reset: {len(erased)} profiles erased; the customer key is TOKEN2MOLTO1-KEY again.")


@click.command()
@click.argument("seed_file", type=click.Path(dir_okay=False, allow_dash=True))
@reader_option
@seed_file_options
@click.option("--account", "account_filter", help="Burn only the accounts whose name contains this text.")
@click.option("--first-profile", type=click.IntRange(0, 99), metavar="N", default=0, show_default=True,
              help="Fill free profiles from this number on.")
@sync_clock_option
@display_timeout_option
@customer_key_options
@click.option("--dry-run", is_flag=True, help="Show which account would go into which profile; write nothing.")
@ntp_option
@trace_option
@json_option
def fill(seed_file: str, reader_spec: str | None, seed_password_file: str | None, seed_key_file: str | None,
         strict: bool, account_filter: str | None, first_profile: int, sync_clock: bool, display_timeout: str,
         customer_key_file: str | None, default_customer_key: bool, last_attempt: bool, dry_run: bool,
         ntp_servers: tuple[str, ...], trace: bool, as_json: bool) -> None:
    """Burn every account of SEED_FILE into free profiles of one Token2 Molto2, one after another.

    The batch for a multi-profile token: a Google Authenticator export, an authenticator
    app's backup or any seed file becomes one profile per account, titled with
    its issuer (or account). Profiles holding a seed are never touched; the customer key
    is asked once.

    \b
    Examples:
      otpburn fill google-export.txt --reader Molto2
      otpburn fill aegis-backup.json --seed-password-file pw.txt --first-profile 10 --dry-run
    """
    records = load_seed_file(seed_file, seed_password_file, seed_key_file, strict)
    if account_filter is not None:
        records = matching_records(records, account_filter, seed_file)
    records = one_record_per_secret(records, seed_file)
    say = (lambda text: click.echo(text, err=True)) if as_json else click.echo

    def show(event: FlowEvent) -> None:
        if isinstance(event, Checked) and not event.with_token and event.checks:
            for check in event.checks:
                say(check_line(check))
        elif isinstance(event, Waiting):
            say(waiting_text(event.left))

    flow = BurnFlow(FlowSettings(front_end="cli", ntp_servers=list(ntp_servers) or None, resume_timeout=0), show)
    if not dry_run:
        flow.check_before_token([record.params for record in records], sync_clock=sync_clock)
    given = credentials(customer_key_file=customer_key_file, default_customer_key=default_customer_key,
                        last_attempt=last_attempt)
    done: list[dict[str, object]] = []

    def burned(item: FillItem, outcome: BurnOutcome) -> None:
        report = outcome.report
        done.append({"profile": item.profile, "title": report.title, "issuer": item.record.params.issuer,
                     "account": item.record.params.account, "place": item.record.place})
        code = code_window(report.params)
        say(f"  ✓ profile {item.profile:>2}  {report.title!r:<16} {item.record.params.label:<32} code now "
            f"{code.current} ({code.seconds_left} s left)")
        for note in report.notes:
            say(f"    note: {note_text(note)}")

    with molto2_token(reader_spec, trace, "fill", given) as (on_reader, session):
        plan = plan_fill(session, records, first_profile)
        say(f"Molto2 {session.info.serial}: {plural(len(plan), 'account')} into "
            f"profile{'s' if len(plan) != 1 else ''} {', '.join(str(item.profile) for item in plan)}")
        if dry_run:
            for item in plan:
                say(f"  profile {item.profile:>2}  {item.title!r:<16} {describe_params(item.record.params)}")
            for held in already_on_token(session, records):
                say(f"  ! {held.record.place} is on this token already: profile {held.profile} {held.title!r} was "
                    f"burned from this seed {held.when} (this station's audit log); leave it out with --account, "
                    "or it goes on twice")
            return
        fill_profiles(flow, on_reader, plan, BurnOptions(sync_clock=sync_clock, display_timeout=int(display_timeout)),
                      burned)
    if as_json:
        emit_json({"serial": session.info.serial, "burned": done})
    else:
        click.echo(f"{plural(len(done), 'profile')} burned. Pick each on the token and compare its code with the one "
                   "above (or with 'otpburn code').")


@click.command("sync-clock")
@reader_option
@click.option("--profile", "profile_text", metavar="N|all", default="all", show_default=True,
              help="The profile whose clock to set, or every profile holding a seed.")
@customer_key_options
@ntp_option
@trace_option
@json_option
def sync_clock(reader_spec: str | None, profile_text: str, customer_key_file: str | None, default_customer_key: bool,
               last_attempt: bool, ntp_servers: tuple[str, ...], trace: bool, as_json: bool) -> None:
    """Set a Molto2's profile clocks from this PC's clock (checked first); seeds, titles and settings stay."""
    number = None if profile_text == "all" else parse_profile(profile_text)
    if profile_text != "all" and not isinstance(number, int):
        raise InputError("--profile wants a profile number or 'all'")
    given = credentials(customer_key_file=customer_key_file, default_customer_key=default_customer_key,
                        last_attempt=last_attempt)
    with molto2_token(reader_spec, trace, "sync-clock", given) as (on_reader, session):
        numbers = [number] if isinstance(number, int) else [p.number for p in session.profiles() if p.occupied]
        if not numbers:
            raise InputError("no profile holds a seed: there is no clock to set")
        offset = session.info.clock_offset
        checked = sync_profile_clocks(on_reader, session, numbers, list(ntp_servers) or None)
    if as_json:
        emit_json({"serial": session.info.serial, "profiles": numbers,
                   "device_clock_offset": None if offset is None else round(offset, 1),
                   "pc_clock": None if checked is None else checked.state.value})
        return
    if checked is not None:
        click.echo(f"PC clock: {pc_clock_text(checked)}")
    click.echo(f"Set the clock of {len(numbers)} profile{'s' if len(numbers) != 1 else ''} "
               f"({', '.join(map(str, numbers))}) from this PC's clock"
               + (f"; the device's own clock read {offset:+.0f} s from it" if offset is not None else "") + ".")

