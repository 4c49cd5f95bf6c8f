"""`otpburn burn`: one seed into the token on the reader, with checks, resume, exports and the codes."""

from __future__ import annotations

import sys

import click

from otpburn.cli.common import (
    AnyCaseChoice,
    GroupedCommand,
    describe_params,
    emit_json,
    fix_text,
    json_option,
    params_dict,
    print_fields,
)
from otpburn.cli.export_commands import load_seed_file, seed_file_options
from otpburn.cli.main import EXIT_MISMATCH, REMEDIES
from otpburn.cli.molto2_commands import customer_key_options, molto2_burn_options, parse_profile
from otpburn.cli.reader_session import (
    info_dict,
    key_option,
    load_key,
    offset_text,
    password_if_needed,
    password_option,
    reader_option,
    trace_option,
    utc,
)
from otpburn.cli.register_command import registrar_options
from otpburn.cli.seed_input import get_seed, seed_source_options
from otpburn.errors import InputError
from otpburn.otp import Algorithm, code_window
from otpburn.transport.trace import stream_tracer


@click.command(cls=GroupedCommand, groups=[
    ("Where the seed comes from", ["--screen", "--image", "--clipboard", "--delay", "--save-capture", "--uri-file",
                                   "--encoding", "--seed-file", "--seed-password-file", "--seed-key-file", "--strict",
                                   "--pick", "--account"]),
    ("The token", ["--reader", "--wait", "--resume-timeout", "--password-file", "--key-file", "--trace"]),
    ("What is written", ["--sync-clock", "--yes", "--algorithm", "--period", "--display-timeout", "--force",
                         "--touch"]),
    ("Token2 Molto2 (many profiles)", ["--profile", "--title", "--customer-key-file", "--default-customer-key",
                                       "--i-understand-last-attempt"]),
    ("Afterwards: exports and the identity system", ["--export", "--upn", "--export-password-file", "--register",
                                                     "--user", "--registrar-file", "--activate-with-computed-code"]),
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
@click.option("--sync-clock", is_flag=True, help="Set the token's clock from this PC's clock.")
@click.option("--algorithm", type=AnyCaseChoice(["SHA1", "SHA256", "SHA512"]),
              help="Override the seed's hash algorithm.")
@click.option("--period", type=click.IntRange(1, 86400), metavar="SECONDS",
              help="Override the seed's period (seconds).")
@click.option("--display-timeout", type=click.Choice(["15", "30", "60", "120"]), default="30", show_default=True,
              help="Seconds the token's display stays on.")
@click.option("--wait", type=float, default=0.0, metavar="SECONDS", help="Wait this long for a token to be placed.")
@click.option("--yes", is_flag=True, help="Do not ask before a clock sync that erases the token's seed.")
@click.option("--force", is_flag=True,
              help="OATH: replace a credential of the same name; Molto2: replace the profile's seed; exports: "
                   "replace files.")
@click.option("--touch", is_flag=True, help="OATH: require a touch for each code.")
@click.option("--seed-file", type=click.Path(dir_okay=False, allow_dash=True),
              help="Take the seed from a seed file: the record for this token's serial, or the one --pick/--account "
                   "choose (vendor/OATH/Entra CSV, PSKC, otpauth list, Google export, Aegis, 2FAS, andOTP; '-' "
                   "reads stdin).")
@seed_file_options
@click.option("--export", "exports", multiple=True, metavar="FORMAT:FILE",
              help="After the burn, write the seed for an identity system (entra, vendor-csv, privacyidea, duo, pskc, "
                   "otpauth, qr); repeatable.")
@click.option("--upn", default="", help="User principal name for the Entra ID export.")
@click.option("--ntp-server", "ntp_servers", multiple=True, metavar="HOST[:PORT]",
              help="Time server for checking the PC's clock before --sync-clock (default: pool.ntp.org, or "
                   "OTPBURN_NTP_SERVERS).")
@click.option("--resume-timeout", type=click.FloatRange(0, 600), metavar="SECONDS", default=30.0, show_default=True,
              help="If the token leaves the reader, wait this long for it to come back and resume (0: stop).")
@click.option("--export-password-file", type=click.Path(dir_okay=False), help="Password for a PSKC export.")
@registrar_options
@molto2_burn_options
@customer_key_options
@password_option
@trace_option
@key_option
@json_option
def burn(screen, images, clipboard, delay, save_capture, uri_file, encoding, pick, account_filter, reader_spec,
         sync_clock, algorithm, period, display_timeout, wait, yes, force, touch, seed_file, seed_password_file,
         seed_key_file, strict, exports, upn, ntp_servers, resume_timeout, export_password_file, register_name,
         register_user, registrar_file, computed_code, profile_text, title, customer_key_file, default_customer_key,
         last_attempt, password_file, trace, key_file, as_json) -> int:
    """Burn a seed into the token on the reader, read it back, and show the codes to compare.

    The seed comes from --screen, --image, --clipboard, --uri-file or standard input
    (never the command line).
    """
    from otpburn.provisioning.access.session import token_session
    from otpburn.provisioning.burn import checks as preflight
    from otpburn.provisioning.burn.flow import burn_job, check_exports
    from otpburn.provisioning.burn.steps import BurnOptions, Step

    seed_records = None
    if seed_file:
        seed_records = load_seed_file(seed_file, seed_password_file, seed_key_file, strict)
        if not any(record.serial for record in seed_records):  # nothing to match on: choose before any token
            choice = _seed_for_token(seed_records, "", pick, account_filter, seed_file)
            seed_records = None
    else:
        choice = get_seed(screen, images, clipboard, delay, save_capture, uri_file, encoding, pick, account_filter,
                          quiet=as_json)
    targets = plan_exports(exports, force, export_password_file)
    profile_spec = parse_profile(profile_text)
    say = (lambda text: None) if as_json else click.echo
    registrar = None
    register_user = register_user or upn
    if register_name:  # sign in and find the user before any token is touched
        from otpburn.cli.register_command import open_registrar
        from otpburn.provisioning.enrollment import prepare

        registrar = open_registrar(register_name, registrar_file)
        found = prepare(registrar, None if seed_records is not None else choice.params, register_user)
        say(f"Register {register_name}: signed in ({registrar.check()})"
            + (f", user {found.name}" if found else ", the token is assigned to nobody"))
    tracer = stream_tracer() if trace else None
    with token_session(reader_spec, holder="burn", wait=wait, tracer=tracer, key=load_key(key_file)) as on_reader:
        token = on_reader.info
        if seed_records is not None:
            choice = _seed_for_token(seed_records, token.serial, pick, account_filter, seed_file)
        params = choice.params
        if algorithm:
            params = params.replace(algorithm=Algorithm.parse(algorithm))
        if period:
            params = params.replace(period=period)
        say(f"Seed     {describe_params(params)}  [from {choice.origin}]")
        say(f"Reader   {on_reader.reader.name}")
        clock = f", clock {utc(token.clock)} (offset {offset_text(token)})" if token.clock is not None else ""
        say(f"Token    {token.model}, {'serial' if token.capabilities.printed_serial else 'id'} {token.serial}{clock}")
        check_exports(targets, params, token, upn)
        if registrar is not None:  # a serial the identity system already holds stops the burn, not follows it
            from otpburn.provisioning.enrollment import check_before_burn
            from otpburn.registrars.base import Enrollment

            check_before_burn(registrar, Enrollment(token.serial, params, register_user), force=force)
        checks = on_reader.checks(params, sync_clock, list(ntp_servers) or None)
        say("Checks")
        for check in checks:
            say(check.line(REMEDIES.get))
        preflight.raise_for_stops(checks)
        profile_options = _profile_options(on_reader.session, profile_spec, title, customer_key_file,
                                           default_customer_key, last_attempt, say)
        say("Burn")
        options = BurnOptions(sync_clock=sync_clock, display_timeout=int(display_timeout),
                              allow_wipe=_confirm_wipe(token, sync_clock, yes, images), overwrite=force,
                              touch=touch, password=password_if_needed(on_reader.session, password_file),
                              **profile_options)
        labels = {Step.READ_CLOCK: "token clock read", Step.AUTHENTICATE: "authenticated",
                  Step.ERASE: "old seed erased", Step.CONFIG: "settings written", Step.TITLE: "title written",
                  Step.SEED: "seed written", Step.READ_BACK: "read back",
                  Step.VERIFY: "verified: the token computes the expected code"}
        job = burn_job(on_reader, params, options, exports=targets, upn=upn, resume_timeout=resume_timeout,
                       progress=lambda step: say(f"  ✓ {labels[step]}") if step in labels else None,
                       on_wait=lambda text: click.echo(text, err=True),
                       on_export=lambda target, notes: say("\n".join(
                           [f"Exported ({target.fmt}) to {target.path}", *(f"Note     {note}" for note in notes)])))
        reader_name = on_reader.reader.name
    report, display = job.report, job.display
    window = code_window(report.params)
    display_ok = display is None or bool(job.display_matches)
    typed = None
    if as_json:
        status = 0 if display_ok else EXIT_MISMATCH
    else:
        status, typed = _show_codes(report, display, window, display_ok, ask=registrar is None or not computed_code)
    registration = None
    if registrar is not None and status == 0:
        seed_again = (f"--seed-file {seed_file}" if seed_file else f"--image {images[0]}" if images else
                      f"--uri-file {uri_file}" if uri_file else "(and the seed, given as for burn)")
        registration, status = _register(registrar, register_name, report, display, typed, computed_code,
                                         register_user, force, seed_again, say)
    if as_json:
        verification = report.verification
        emit_json({
            "result": "burned", "reader": reader_name, "token": info_dict(report.info),
            "account": params_dict(report.params), "warnings": report.warnings, "apdus": report.apdus,
            "seconds": round(report.seconds, 4), "clock_wait_seconds": round(report.clock_wait, 4),
            "clock_written": report.clock_written,
            "credential": report.credential, "profile": report.profile, "title": report.title,
            "codes": window.as_dict(), "token_display": display,
            "preflight": [check.as_dict() for check in checks],
            "verification": None if verification is None else {
                "automatic": True, "token_code": verification.token_code, "host_code": verification.host_code,
                "matches": verification.matches},
            **({"registration": registration} if registrar is not None else {}),
        })
    return status


def _profile_options(session, spec, title, key_file, default_key, last_attempt, say) -> dict:
    """A Molto2's profile, title and customer key for the burn (nothing for other tokens)."""
    from otpburn.cli.molto2_commands import customer_key, resolve_profile
    from otpburn.tokens.molto2 import Molto2Session

    if not isinstance(session, Molto2Session):
        if spec is not None or title is not None:
            raise InputError(f"the {session.info.model} holds no profiles: --profile and --title are for a Molto2")
        return {}
    number = resolve_profile(session, spec)
    say(f"Profile  {number}" + (" (the next free one)" if spec == "next-free" else ""))
    return {"profile": number, "title": title, "customer_key": customer_key(key_file, default_key),
            "last_attempt_accepted": last_attempt}


def _show_codes(report, display, window, display_ok: bool, ask: bool) -> tuple[int, str | None]:
    """Print the burn's outcome and the codes to compare; (exit status, a code the user typed that matched)."""
    for warning in report.warnings:
        click.echo(f"Note     {warning}")
    click.echo(f"Burned in {report.seconds * 1000:.0f} ms ({report.apdus} APDUs).\n")
    if report.verification is not None:
        click.echo(f"Stored as {report.credential!r}; the token itself computed {report.verification.token_code}, "
                   "the code this seed gives now.")
        return 0, None
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
    if display is None:
        return _ask_for_the_token_code(report.params) if ask and sys.stdin.isatty() else (0, None)
    # Clocks are written in whole seconds, so near a step boundary the token may show a neighbour.
    verdict = {window.current: "matches", window.previous: "matches the previous code (its clock is a little behind)",
               window.next: "matches the next code (its clock is a little ahead)"}.get(display, "DOES NOT MATCH")
    click.echo(f"\nThe virtual token shows {display}: {verdict}.")
    return (0 if display_ok else EXIT_MISMATCH), None


def _register(registrar, name: str, report, display, typed, computed: bool, user: str, force: bool,
              seed_again: str, say) -> tuple[dict | None, int]:
    """Register the burned token; a failure leaves it burned and says how to finish."""
    from otpburn.cli.main import EXIT_NOT_REGISTERED, describe
    from otpburn.cli.register_command import registration_dict, registration_lines, resume_hint
    from otpburn.errors import RegistrationError
    from otpburn.provisioning.enrollment import CodeOrigin, code_from_seed, enroll, fixed_code
    from otpburn.registrars.base import Enrollment

    info, params = report.info, report.params
    if report.verification is not None:
        code = fixed_code(report.verification.token_code, CodeOrigin.TOKEN_COMPUTED)
    elif display is not None:
        code = fixed_code(display, CodeOrigin.TOKEN_DISPLAY)
    elif typed:
        code = fixed_code(typed, CodeOrigin.TOKEN_DISPLAY)
    elif computed:
        code = code_from_seed(params)
    else:
        code = None
    enrollment = Enrollment(info.serial, params, user, info.capabilities.manufacturer, info.model)
    try:
        enrolled = enroll(registrar, enrollment, code, force=force,
                          where={"family": info.family, "model": info.model})
    except RegistrationError as exc:
        click.echo(f"otpburn: {describe(exc)}", err=True)
        click.echo(f"otpburn: {resume_hint(name, info.serial, user, seed_again)}", err=True)
        return {"error": describe(exc), "problem": exc.problem.value, "stage": exc.stage}, EXIT_NOT_REGISTERED
    finally:
        registrar.close()
    for line in registration_lines(enrolled):
        say(line)
    if enrolled.code_origin is None and not enrolled.registration.activated and enrolled.registration.user:
        click.echo("otpburn: not activated: no code was typed; "
                   + resume_hint(name, info.serial, user, seed_again), err=True)
        return registration_dict(enrolled), EXIT_NOT_REGISTERED
    return registration_dict(enrolled), 0


def _confirm_wipe(token, sync_clock: bool, yes: bool, images: tuple[str, ...]) -> bool:
    """Setting the clock of most models erases their seed: ask first (or need --yes)."""
    if not (sync_clock and token.capabilities.time_write_wipes_seed) or yes:
        return True
    if not sys.stdin.isatty() or images == ("-",):
        raise InputError(f"the {token.model} erases its seed when its clock is set; "
                         "add --yes to go ahead (the new seed is written right after)")
    # No by default: answering with Enter must not erase a seed.
    return click.confirm(f"The {token.model} erases its seed when its clock is set; the new seed is "
                         "written right after. Go ahead?", default=False, err=True)


def plan_exports(exports: tuple[str, ...], force: bool, password_file: str | None):
    """An ExportTarget for each --export FORMAT:FILE, checked before anything touches a token."""
    import os

    from otpburn.cli.export_commands import export_password
    from otpburn.provisioning.records.exports import FORMATS, ExportTarget

    plan = []
    for spec in exports:
        fmt, _, path = spec.partition(":")
        if fmt not in FORMATS or not path:
            raise InputError(f"--export wants FORMAT:FILE with FORMAT one of {', '.join(FORMATS)}, not {spec!r}")
        if os.path.exists(path) and not force:
            raise InputError(f"{path} already exists; choose another name or use --force (nothing was burned)")
        plan.append(ExportTarget(fmt, path, export_password(fmt, password_file, no_encrypt=False)))
    return plan


def _seed_for_token(records, serial: str, pick: int | None, account: str | None, seed_file: str):
    """The record naming this token's serial; else the one --pick or --account chooses; else the only
    record, when the file names no serials (an app export with one account)."""
    from otpburn.cli.seed_input import SeedChoice
    from otpburn.sources.seedfiles.model import same_serial
    from otpburn.sources.selection import select_account

    name = "standard input" if seed_file == "-" else seed_file
    matching = [r for r in records if same_serial(r.serial, serial)]
    if matching and pick is None and account is None:
        return SeedChoice(matching[0].params, f"{name}, {matching[0].place}")
    if pick is not None or account is not None or (len(records) == 1 and not records[0].serial):
        chosen = select_account([r.params for r in records], pick, account)
        record = next(r for r in records if r.params is chosen)
        return SeedChoice(chosen, f"{name}, {record.place}")
    if any(r.serial for r in records):
        raise InputError(f"{name} holds no seed for serial {serial}; choose one with --pick N or --account TEXT")
    return SeedChoice(select_account([r.params for r in records]), name)  # raises: several accounts, none chosen


def _ask_for_the_token_code(params) -> tuple[int, str | None]:
    """Let the user type the token's code and say whether (and why not) it matches; (status, the matching code)."""
    from otpburn.otp.diagnosis import diagnose

    typed = click.prompt("\nType the code the token shows (Enter to skip)", default="", show_default=False,
                         err=True).strip().replace(" ", "")
    if not typed:
        return 0, None
    diagnosis = diagnose(params, typed)
    if diagnosis.matches:
        click.echo("✓ The token shows the right code.")
        return 0, typed
    click.echo(f"✗ Mismatch: {diagnosis.cause}." + (f" Fix: {fix_text(diagnosis, params)}." if diagnosis.fix else ""))
    return EXIT_MISMATCH, None
