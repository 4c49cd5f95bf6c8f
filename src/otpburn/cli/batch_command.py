"""`otpburn batch`: burn a seed file into many tokens, one after another."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import click

from otpburn.cli.common import GroupedCommand, emit_json, json_option
from otpburn.cli.export_commands import load_seed_file, matching_records, one_record_per_secret, seed_file_options
from otpburn.cli.main import EXIT_NOT_REGISTERED
from otpburn.cli.register_command import computed_code_option, registrar_file_option
from otpburn.errors import InputError


@click.command(cls=GroupedCommand, groups=[
    ("The seeds", ["--seed-password-file", "--seed-key-file", "--strict", "--account"]),
    ("The run", ["--reader", "--progress-file", "--dry-run", "--reburn", "--count", "--token-timeout",
                 "--resume-timeout"]),
    ("What is written", ["--sync-clock", "--display-timeout"]),
    ("Afterwards: exports and the identity system", ["--export", "--export-password-file", "--register",
                                                     "--registrar-file", "--activate-with-computed-code", "--force"]),
], examples=[
    ("otpburn batch tokens.csv --reader 0 --dry-run",
     "Place each token to see which seed it would get; nothing is written."),
    ("otpburn batch tokens.csv --reader 0 --sync-clock --export entra:entra.csv",
     "Burn token after token (matched by serial), then one CSV for Entra ID."),
    ("otpburn batch export.pskc --seed-password-file pw.txt --reader 0 --register pi",
     "An encrypted PSKC file; each token registered in privacyIDEA as it is burned."),
])
@click.argument("seed_file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--reader", "reader_spec", metavar="NAME|N|virtual", help="The reader tokens are placed on.")
@seed_file_options
@click.option("--account", "account_filter", help="Burn only the accounts whose name contains this text.")
@click.option("--progress-file", type=click.Path(dir_okay=False),
              help="Where the batch records what it burned (default: next to the seed file).")
@click.option("--dry-run", is_flag=True, help="Identify tokens and show which seed each would get; write nothing.")
@click.option("--reburn", is_flag=True, help="Burn seeds that an earlier run already burned.")
@click.option("--count", type=click.IntRange(1), metavar="N", help="Stop after this many tokens.")
@click.option("--sync-clock", is_flag=True, help="Set each token's clock from this PC's clock.")
@click.option("--display-timeout", type=click.Choice(["15", "30", "60", "120"]), default="30", show_default=True)
@click.option("--token-timeout", type=click.FloatRange(1, 3600), metavar="SECONDS", default=300.0, show_default=True,
              help="Seconds to wait for each token to be placed.")
@click.option("--resume-timeout", type=click.FloatRange(0, 600), metavar="SECONDS", default=30.0, show_default=True,
              help="If a token moves, wait this long for it to come back.")
@click.option("--export", "exports", multiple=True, metavar="FORMAT:FILE",
              help="When the batch ends, write what it burned (entra, vendor-csv, privacyidea, duo, pskc, otpauth).")
@click.option("--export-password-file", type=click.Path(dir_okay=False), help="Password for a PSKC export.")
@click.option("--register", "register_name", metavar="NAME",
              help="Register (and activate) each burned token in the identity system the registrar file's [NAME] "
                   "section describes; the user comes from the seed file (UPN, or privacyIDEA user@realm).")
@registrar_file_option
@computed_code_option
@click.option("--force", is_flag=True, help="Replace export files that exist (and, with --register, tokens the "
                                            "identity system holds with the same serial).")
@json_option
def batch(seed_file, reader_spec, seed_password_file, seed_key_file, strict, account_filter, progress_file, dry_run,
          reburn, count, sync_clock, display_timeout, token_timeout, resume_timeout, exports, export_password_file,
          register_name, registrar_file, computed_code, force, as_json) -> int:
    """Burn the seeds of SEED_FILE into tokens placed one after another.

    Tokens are matched to seeds by serial number, or get the next seed that names none.
    Interrupted batches continue where they stopped (see --progress-file); with --register,
    a rerun first finishes the registrations an earlier run could not make.
    """
    from otpburn.cli.burn_command import plan_exports
    from otpburn.provisioning.access.session import reader_session
    from otpburn.provisioning.batches.batch import Batch, Progress, export_records
    from otpburn.provisioning.burn.steps import BurnOptions
    from otpburn.provisioning.records.exports import export

    if seed_file == "-" and not progress_file:
        raise InputError("a batch read from standard input needs --progress-file (where it records what it burned)")
    records = load_seed_file(seed_file, seed_password_file, seed_key_file, strict)
    if account_filter is not None:
        records = matching_records(records, account_filter, seed_file)
    records = one_record_per_secret(records, seed_file)
    targets = plan_exports(exports, force, export_password_file)
    progress = Progress.load(Path(progress_file or f"{seed_file}.progress.json"))
    options = BurnOptions(sync_clock=sync_clock, display_timeout=int(display_timeout), allow_wipe=True)
    say = (lambda text: click.echo(text, err=True)) if as_json else (lambda text: click.echo(text))
    registration = _registration(register_name, registrar_file, computed_code, force) \
        if register_name and not dry_run else None
    cancel = threading.Event()
    interrupted = False
    started = time.monotonic()
    try:
        with reader_session(reader_spec, holder="batch") as opened:
            runner = Batch(opened, records, options, progress, dry_run=dry_run, reburn=reburn,
                           token_timeout=token_timeout, resume_timeout=resume_timeout, say=say, cancel=cancel,
                           registration=registration)
            try:
                runner.run(count)
            except KeyboardInterrupt:
                interrupted = True
                cancel.set()
    finally:
        if registration is not None:
            registration.registrar.close()
    hours = (time.monotonic() - started) / 3600
    rows = runner.rows
    if targets and not dry_run:
        for target in targets:
            notes = export(target.fmt, export_records(records, progress), target.path, force=True,
                           password=target.password)
            say(f"Exported ({target.fmt}) to {target.path}")
            for note in notes:
                click.echo(f"otpburn: note: {target.path}: {note}", err=True)
    left = len(runner.remaining())
    pending = len(runner.unregistered())
    burned = sum(row.result == "burned" for row in rows)
    per_hour = round(burned / hours) if burned and hours > 0 else None
    if as_json:
        emit_json({"rows": [row.as_dict() for row in rows], "seeds_left": left, "interrupted": interrupted,
                   "progress_file": str(progress.path), "tokens_per_hour": per_hour,
                   **({"registrations_pending": pending} if registration is not None else {})})
    else:
        click.echo(f"\n{'serial':<16} {'model':<16} {'result':<11} {'seed':<6} account / detail")
        for row in rows:
            line = str(row.seed_line or "-")
            result = row.result + (f", {row.registration}" if row.registration else "")
            text = f"{row.serial:<16} {row.model:<16} {result:<11} {line:<6} {row.account} {row.detail}"
            click.echo(text.rstrip())
        failed = sum(row.result == "failed" for row in rows)
        rate = f" ({per_hour} tokens per hour)" if per_hour else ""
        registered = f", {pending} registration(s) pending (run the batch again to finish them)" \
            if registration is not None and pending else ""
        click.echo(f"\n{burned} burned{rate}, {failed} failed, {left} seed(s) left{registered}"
                   + (" (interrupted; run again to go on)" if interrupted else ""))
    if interrupted:
        return 130
    if any(row.result == "failed" for row in rows):
        return 1
    return EXIT_NOT_REGISTERED if registration is not None and pending else 0


def _registration(name: str, registrar_file: str | None, computed: bool, force: bool):
    """How the batch registers tokens: signed in before the first token, codes from the token, the seed or typed."""
    from otpburn.cli.register_command import open_registrar, typed_code, user_for
    from otpburn.provisioning.batches.batch import BatchRegistration
    from otpburn.provisioning.enrollment import CodeOrigin, code_from_seed, fixed_code, prepare

    registrar = open_registrar(name, registrar_file)
    prepare(registrar, None, "")

    def code_for(record, serial: str, report):
        if report is not None and report.verification is not None:
            return fixed_code(report.verification.token_code, CodeOrigin.TOKEN_COMPUTED)
        if computed:
            return code_from_seed(record.params)
        return typed_code(serial)

    return BatchRegistration(registrar, lambda record: user_for(record, ""), code_for, force)
