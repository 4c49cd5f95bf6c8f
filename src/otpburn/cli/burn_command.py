"""`otpburn burn`: one seed into the token on the reader, through the one burn flow, and the codes to compare."""

from __future__ import annotations

import sys

import click

from otpburn.cli.common import UTF8_TEXT, GroupedCommand, describe_params, emit_json, params_dict, print_fields
from otpburn.cli.exit_codes import EXIT_MISMATCH, EXIT_NOT_REGISTERED
from otpburn.cli.export_notes import export_note_text
from otpburn.cli.exporting import plan_exports
from otpburn.cli.options import (
    SEED_FILE_FORMATS,
    algorithm_option,
    customer_key_options,
    display_timeout_option,
    export_key_option,
    export_option,
    export_password_option,
    json_option,
    key_option,
    molto2_burn_options,
    ntp_option,
    password_option,
    reader_option,
    registrar_options,
    seed_file_options,
    seed_source_options,
    sync_clock_option,
    trace_option,
)
from otpburn.cli.registering import open_registrar, registration_dict, registration_lines, resume_hint
from otpburn.cli.seeds import SeedChoice, SeedSource, get_seed, load_seed_file, seed_for_token
from otpburn.cli.tokens import credentials, info_dict, offset_text, parse_profile, resolve_profile, tracer, utc
from otpburn.cli.wording import (
    STEPS,
    cause_text,
    check_dict,
    check_line,
    describe,
    fix_text,
    mark,
    note_text,
    waiting_text,
)
from otpburn.errors import InputError
from otpburn.otp import Algorithm, OtpParams, code_window
from otpburn.provisioning.access.session import TokenOnReader, token_session
from otpburn.provisioning.burn.checks import Check, Verdict
from otpburn.provisioning.burn.flow import (
    Burned,
    BurnFlow,
    BurnOutcome,
    Checked,
    EnrollPlan,
    Exported,
    FlowEvent,
    FlowSettings,
    StepDone,
    Waiting,
)
from otpburn.provisioning.burn.steps import BurnOptions, Molto2Options, OathOptions, Step
from otpburn.provisioning.verification import check_typed_code
from otpburn.tokens.base import TokenInfo
from otpburn.tokens.molto2 import Molto2Session


class BurnPrinter:
    """How `burn` shows the flow's events on a terminal (nothing under --json, where the result is JSON)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.checks: list[Check] = []

    def say(self, text: str) -> None:
        if not self.quiet:
            click.echo(text)

    def __call__(self, event: FlowEvent) -> None:
        if isinstance(event, Checked):
            self.checks.extend(event.checks)
            if event.checks:
                self.say("Checks" if event.with_token else "Before the token")
                for check in event.checks:
                    self.say(check_line(check))
            if event.with_token:
                self.say("Burn")
        elif isinstance(event, StepDone) and event.step not in (Step.IDENTIFY, Step.PREFLIGHT):
            self.say(f"  ✓ {STEPS[event.step]}")
        elif isinstance(event, Waiting):
            click.echo(waiting_text(event.left), err=True)
        elif isinstance(event, Burned) and not self.quiet:
            show_codes(event.outcome)
        elif isinstance(event, Exported):
            self.say(f"Exported ({event.target.fmt}) to {event.target.path}")
            for note in event.notes:
                self.say(f"Note     {export_note_text(note)}")


class TypedCode:
    """Asking the user for the code the token shows, after the codes are on the screen: the answer that
    matched (for activating a registration), and whether one was typed that did not."""

    def __init__(self) -> None:
        self.mismatch = False
        self.asked = False

    def __call__(self, outcome: BurnOutcome) -> str | None:
        self.asked = True
        if not sys.stdin.isatty():
            return None
        params = outcome.report.params
        typed = str(click.prompt("\nType the code the token shows (Enter to skip)", default="", show_default=False,
                                 err=True)).strip().replace(" ", "")
        if not typed:
            return None
        diagnosis = check_typed_code(params, typed, token=outcome.report.info, profile=outcome.report.profile)
        if diagnosis.matches:
            click.echo(f"{mark(Verdict.OK)} The token shows the right code.")
            return typed
        self.mismatch = True
        click.echo(f"{mark(Verdict.STOP)} Mismatch: {cause_text(diagnosis, params)}. "
                   f"Fix: {fix_text(diagnosis, params)}.")
        return None


@click.command(cls=GroupedCommand, groups=[
    ("Where the seed comes from", ["--screen", "--image", "--clipboard", "--delay", "--save-capture", "--uri-file",
                                   "--encoding", "--seed-file", "--seed-password-file", "--seed-key-file", "--strict",
                                   "--pick", "--account"]),
    ("The token", ["--reader", "--wait", "--resume-timeout", "--password-file", "--key-file", "--trace"]),
    ("What is written", ["--sync-clock", "--yes", "--algorithm", "--period", "--display-timeout", "--force",
                         "--touch"]),
    ("Token2 Molto2 (many profiles)", ["--profile", "--title", "--customer-key-file", "--default-customer-key",
                                       "--i-understand-last-attempt"]),
    ("Afterwards: exports and the identity system", ["--export", "--upn", "--export-password-file",
                                                     "--export-key-file", "--register", "--user", "--registrar-file",
                                                     "--activate-with-computed-code"]),
    ("Checks", ["--ntp-server"]),
], examples=[
    ("otpburn burn --reader virtual --image examples/2fa-setup-screenshot.png",
     "Try it: the example's seed into the built-in virtual token."),
    ("otpburn burn --screen --delay 5 --reader 0 --sync-clock",
     "Scan every monitor after 5 s, burn into the token on reader 0 and set its clock."),
    ("otpburn burn --seed-file tokens.csv --reader 0 --export entra:entra.csv --upn amy@contoso.com",
     "The seed file's record for this token's serial, then a CSV for Entra ID."),
    ("otpburn burn --image qr.png --register pi --user amy@realm",
     "Burn, then register and activate the token in privacyIDEA."),
    ("otpburn burn --image qr.png --profile next-free --title GitHub",
     "A Token2 Molto2: the next free profile, titled GitHub."),
])
@seed_source_options
@reader_option
@sync_clock_option
@algorithm_option
@click.option("--period", type=click.IntRange(1, 86400), metavar="SECONDS",
              help="Override the seed's period (seconds).")
@display_timeout_option
@click.option("--wait", type=float, default=0.0, metavar="SECONDS", help="Wait this long for a token to be placed.")
@click.option("--yes", is_flag=True, help="Do not ask before a clock sync that erases the token's seed.")
@click.option("--force", is_flag=True,
              help="OATH: replace a credential of the same name; Molto2: replace the profile's seed; exports: "
                   "replace files.")
@click.option("--touch", is_flag=True, help="OATH: require a touch for each code.")
@click.option("--seed-file", type=click.Path(dir_okay=False, allow_dash=True),
              help="Take the seed from a seed file: the record for this token's serial, or the one --pick/--account "
                   f"choose ({SEED_FILE_FORMATS}).")
@seed_file_options
@export_option
@click.option("--upn", default="", type=UTF8_TEXT, help="User principal name for the Entra ID export.")
@ntp_option
@click.option("--resume-timeout", type=click.FloatRange(0, 600), metavar="SECONDS", default=30.0, show_default=True,
              help="If the token leaves the reader, wait this long for it to come back and resume (0: stop).")
@export_password_option
@export_key_option
@registrar_options
@molto2_burn_options
@customer_key_options
@password_option
@trace_option
@key_option
@json_option
def burn(screen: bool, images: tuple[str, ...], clipboard: bool, delay: float, save_capture: str | None,
         uri_file: str | None, encoding: str, pick: int | None, account_filter: str | None, reader_spec: str | None,
         sync_clock: bool, algorithm: str | None, period: int | None, display_timeout: str, wait: float, yes: bool,
         force: bool, touch: bool, seed_file: str | None, seed_password_file: str | None, seed_key_file: str | None,
         strict: bool, exports: tuple[str, ...], upn: str, ntp_servers: tuple[str, ...], resume_timeout: float,
         export_password_file: str | None, export_key_file: str | None, register_name: str | None,
         register_user: str | None, registrar_file: str | None, computed_code: bool, profile_text: str | None,
         title: str | None, customer_key_file: str | None, default_customer_key: bool, last_attempt: bool,
         password_file: str | None, trace: bool, key_file: str | None, as_json: bool) -> int:
    """Burn a seed into the token on the reader, read it back, and show the codes to compare.

    The seed comes from --screen, --image, --clipboard, --uri-file or standard input
    (never the command line).
    """
    source = SeedSource(screen, images, clipboard, delay, save_capture, uri_file, encoding, pick, account_filter)
    records = None
    choice: SeedChoice | None = None
    if seed_file:
        records = load_seed_file(seed_file, seed_password_file, seed_key_file, strict)
        if not any(record.serial for record in records):  # nothing to match on: choose before any token
            choice, records = seed_for_token(records, "", pick, account_filter, seed_file), None
    else:
        choice = get_seed(source, quiet=as_json)
    profile_spec = parse_profile(profile_text)
    user = register_user or upn
    plan = None
    if register_name:
        plan = EnrollPlan(open_registrar(register_name, registrar_file), user, computed_code, force)
    printer = BurnPrinter(as_json)
    typed_code = TypedCode()
    settings = FlowSettings(front_end="cli", exports=plan_exports(exports, export_password_file, export_key_file),
                            upn=upn,
                            replace_files=force, enroll=plan, ntp_servers=list(ntp_servers) or None,
                            resume_timeout=resume_timeout)
    flow = BurnFlow(settings, printer, typed_code if not as_json else None)
    try:
        accounts = [overridden(choice.params, algorithm, period)] if choice is not None else []
        flow.check_before_token(accounts, sync_clock=sync_clock)
        given = credentials(key_file=key_file, password_file=password_file, customer_key_file=customer_key_file,
                            default_customer_key=default_customer_key, last_attempt=last_attempt)
        with token_session(reader_spec, holder="burn", wait=wait, tracer=tracer(trace), credentials=given) as token:
            info = token.info
            if records is not None:
                choice = seed_for_token(records, info.serial, pick, account_filter, seed_file or "")
            assert choice is not None  # noqa: S101 (a seed came from a source, or from the file by serial)
            params = overridden(choice.params, algorithm, period)
            printer.say(f"Seed     {describe_params(params)}  [from {choice.origin}]")
            printer.say(f"Reader   {token.reader.name}")
            clock = f", clock {utc(info.clock)} (offset {offset_text(info)})" if info.clock is not None else ""
            printer.say(f"Token    {info.model}, {'serial' if info.capabilities.printed_serial else 'id'} "
                        f"{info.serial}{clock}")
            options = BurnOptions(sync_clock=sync_clock, display_timeout=int(display_timeout),
                                  allow_wipe=confirm_wipe(info, sync_clock, yes, images), replace=force,
                                  oath=OathOptions(touch=touch),
                                  molto2=molto2_options(token, profile_spec, title, printer))
            outcome = flow.run(token, params, options)
            reader_name = token.reader.name
    finally:
        if plan is not None:
            plan.registrar.close()
    status = shown_outcome(outcome, printer, typed_code, as_json)
    if plan is not None:
        status = max(status, registration_status(outcome, register_name or "", user, source, seed_file, printer))
    if as_json:
        emit_json(outcome_dict(outcome, reader_name, printer.checks, plan is not None))
    return status


def overridden(params: OtpParams, algorithm: str | None, period: int | None) -> OtpParams:
    if algorithm:
        params = params.replace(algorithm=Algorithm.parse(algorithm))
    if period:
        params = params.replace(period=period)
    return params


def molto2_options(token: TokenOnReader, spec: int | str | None, title: str | None,
                   printer: BurnPrinter) -> Molto2Options:
    """A Molto2's profile and title for the burn (nothing for other tokens, which refuse these options)."""
    session = token.session
    if not isinstance(session, Molto2Session):
        if spec is not None or title is not None:
            raise InputError(f"the {session.info.model} holds no profiles: --profile and --title are for a Molto2")
        return Molto2Options()
    number = resolve_profile(session, spec)
    printer.say(f"Profile  {number}" + (" (the next free one)" if spec == "next-free" else ""))
    return Molto2Options(profile=number, title=title)


def confirm_wipe(info: TokenInfo, sync_clock: bool, yes: bool, images: tuple[str, ...]) -> bool:
    """Setting the clock of most models erases their seed: ask first (or need --yes)."""
    if not (sync_clock and info.capabilities.time_write_wipes_seed) or yes:
        return True
    if not sys.stdin.isatty() or images == ("-",):
        raise InputError(f"the {info.model} erases its seed when its clock is set; "
                         "add --yes to go ahead (the new seed is written right after)")
    # No by default: answering with Enter must not erase a seed.
    return click.confirm(f"The {info.model} erases its seed when its clock is set; the new seed is "
                         "written right after. Go ahead?", default=False, err=True)


def show_codes(outcome: BurnOutcome) -> None:
    """The burn's notes and the codes to compare, as soon as the token is written (before exports and
    registration, which may ask for the code the token shows)."""
    report, display = outcome.report, outcome.display
    for note in report.notes:
        click.echo(f"Note     {note_text(note)}")
    click.echo(f"Burned in {report.seconds * 1000:.0f} ms ({report.apdus} APDUs).\n")
    if report.verification is not None:
        click.echo(f"Stored as {report.credential!r}; the token itself computed {report.verification.token_code}, "
                   "the code this seed gives now.")
        return
    window = code_window(report.params)
    if report.profile is not None:
        click.echo(f"Profile {report.profile}" + (f" '{report.title}'" if report.title else "")
                   + ": show it on the token, then compare its code with:")
    else:
        click.echo("Switch the token off and on, then compare its code with:")
    print_fields([
        ("  previous", window.previous),
        ("  current", f"{window.current}   ({window.seconds_left} s left)"),
        ("  next", window.next),
    ])
    if display is not None:
        # Clocks are written in whole seconds, so near a step boundary the token may show a neighbour.
        verdict = {window.current: "matches",
                   window.previous: "matches the previous code (its clock is a little behind)",
                   window.next: "matches the next code (its clock is a little ahead)"}.get(display, "DOES NOT MATCH")
        click.echo(f"\nThe virtual token shows {display}: {verdict}.")


def shown_outcome(outcome: BurnOutcome, printer: BurnPrinter, typed_code: TypedCode, as_json: bool) -> int:
    """The exit status of the burn itself: 4 when the virtual token shows a wrong code or the user typed one.
    Without a registration (which asks in the flow), the user is asked here for the code the token shows."""
    report = outcome.report
    if not as_json and not typed_code.asked and report.verification is None and outcome.display is None:
        typed_code(outcome)
    return EXIT_MISMATCH if outcome.display_matches is False or typed_code.mismatch else 0


def registration_status(outcome: BurnOutcome, name: str, user: str, source: SeedSource, seed_file: str | None,
                        printer: BurnPrinter) -> int:
    """What registering the burned token came to; 5 when it did not finish (the burn stands either way)."""
    serial = outcome.report.info.serial
    again = f"--seed-file {seed_file}" if seed_file else source.described
    if outcome.registration_error is not None:
        click.echo(f"otpburn: {describe(outcome.registration_error)}", err=True)
        click.echo(f"otpburn: {resume_hint(name, serial, user, again)}", err=True)
        return EXIT_NOT_REGISTERED
    enrolled = outcome.enrolled
    if enrolled is None:  # the virtual token showed a wrong code: nothing was registered
        return EXIT_MISMATCH
    for line in registration_lines(enrolled):
        printer.say(line)
    if enrolled.code_origin is None and not enrolled.registration.done and enrolled.registration.user:
        click.echo("otpburn: not activated: no code was typed; " + resume_hint(name, serial, user, again), err=True)
        return EXIT_NOT_REGISTERED
    return 0


def outcome_dict(outcome: BurnOutcome, reader: str, checks: list[Check], registering: bool) -> dict[str, object]:
    report = outcome.report
    verification = report.verification
    registration: dict[str, object] | None = None
    if outcome.enrolled is not None:
        registration = registration_dict(outcome.enrolled)
    elif outcome.registration_error is not None:
        error = outcome.registration_error
        registration = {"error": describe(error), "problem": error.problem.value, "stage": error.stage}
    return {
        "result": "burned", "reader": reader, "token": info_dict(report.info), "account": params_dict(report.params),
        "warnings": [note_text(note) for note in report.notes], "apdus": report.apdus,
        "seconds": round(report.seconds, 4), "clock_wait_seconds": round(report.clock_wait, 4),
        "clock_written": report.clock_written, "credential": report.credential, "profile": report.profile,
        "title": report.title, "codes": code_window(report.params).as_dict(), "token_display": outcome.display,
        "preflight": [check_dict(check) for check in checks],
        "exports": [{"format": done.target.fmt, "file": done.target.path,
                     "notes": [export_note_text(note) for note in done.notes]} for done in outcome.exported],
        "verification": None if verification is None else {
            "automatic": True, "token_code": verification.token_code, "host_code": verification.host_code,
            "matches": verification.matches},
        **({"registration": registration} if registering else {}),
    }
