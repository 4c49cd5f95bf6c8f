"""`otpburn batch`: burn a seed file into many tokens, one after another, each through the one burn flow."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import click

from otpburn.cli.common import GroupedCommand, emit_json
from otpburn.cli.exit_codes import EXIT_CANCELLED, EXIT_FAILED, EXIT_NOT_REGISTERED
from otpburn.cli.export_notes import export_note_text
from otpburn.cli.exporting import plan_exports
from otpburn.cli.options import (
    FORMAT_NAMES,
    computed_code_option,
    display_timeout_option,
    export_key_option,
    export_password_option,
    json_option,
    ntp_option,
    reader_option,
    registrar_file_option,
    seed_file_options,
    sync_clock_option,
)
from otpburn.cli.registering import ask_token_code, open_registrar, user_for
from otpburn.cli.seeds import load_seed_file, matching_records, one_record_per_secret
from otpburn.cli.wording import (
    REGISTRATION_WORDS,
    ROW_RESULTS,
    batch_event_text,
    check_line,
    describe,
    row_detail,
    waiting_text,
)
from otpburn.errors import InputError
from otpburn.provisioning.access.session import reader_session
from otpburn.provisioning.batches.batch import Batch, BatchRow, RowResult, export_records
from otpburn.provisioning.burn.flow import BurnFlow, BurnOutcome, Checked, EnrollPlan, FlowEvent, FlowSettings, Waiting
from otpburn.provisioning.burn.steps import BurnOptions
from otpburn.provisioning.records.exports import write_export
from otpburn.provisioning.records.progress import Progress


@click.command(cls=GroupedCommand, groups=[
    ("The seeds", ["--seed-password-file", "--seed-key-file", "--strict", "--account"]),
    ("The run", ["--reader", "--progress-file", "--dry-run", "--reburn", "--count", "--token-timeout",
                 "--resume-timeout"]),
    ("What is written", ["--sync-clock", "--display-timeout"]),
    ("Afterwards: exports and the identity system", ["--export", "--export-password-file", "--export-key-file",
                                                     "--register",
                                                     "--registrar-file", "--activate-with-computed-code", "--force"]),
    ("Checks", ["--ntp-server"]),
], examples=[
    ("otpburn batch tokens.csv --reader 0 --dry-run",
     "Place each token to see which seed it would get; nothing is written."),
    ("otpburn batch tokens.csv --reader 0 --sync-clock --export entra:entra.csv",
     "Burn token after token (matched by serial), then one CSV for Entra ID."),
    ("otpburn batch export.pskc --seed-password-file pw.txt --reader 0 --register pi",
     "An encrypted PSKC file; each token registered in privacyIDEA as it is burned."),
])
@click.argument("seed_file", type=click.Path(dir_okay=False, allow_dash=True))
@reader_option
@seed_file_options
@click.option("--account", "account_filter", help="Burn only the accounts whose name contains this text.")
@click.option("--progress-file", type=click.Path(dir_okay=False),
              help="Where the batch records what it burned (default: next to the seed file).")
@click.option("--dry-run", is_flag=True, help="Identify tokens and show which seed each would get; write nothing.")
@click.option("--reburn", is_flag=True, help="Burn seeds that an earlier run already burned.")
@click.option("--count", type=click.IntRange(1), metavar="N", help="Stop after this many tokens.")
@sync_clock_option
@display_timeout_option
@click.option("--token-timeout", type=click.FloatRange(1, 3600), metavar="SECONDS", default=300.0, show_default=True,
              help="Seconds to wait for each token to be placed.")
@click.option("--resume-timeout", type=click.FloatRange(0, 600), metavar="SECONDS", default=30.0, show_default=True,
              help="If a token moves, wait this long for it to come back.")
@click.option("--export", "exports", multiple=True, metavar="FORMAT:FILE",
              help=f"When the batch ends, write what it burned ({', '.join(FORMAT_NAMES)}); checked before the "
                   "first token.")
@export_password_option
@export_key_option
@click.option("--register", "register_name", metavar="NAME",
              help="Register (and activate) each burned token in the identity system the registrar file's [NAME] "
                   "section describes; the user comes from the seed file (UPN, or privacyIDEA user@realm).")
@registrar_file_option
@computed_code_option
@click.option("--force", is_flag=True, help="Replace export files that exist (and, with --register, tokens the "
                                            "identity system holds with the same serial).")
@ntp_option
@json_option
def batch(seed_file: str, reader_spec: str | None, seed_password_file: str | None, seed_key_file: str | None,
          strict: bool, account_filter: str | None, progress_file: str | None, dry_run: bool, reburn: bool,
          count: int | None, sync_clock: bool, display_timeout: str, token_timeout: float, resume_timeout: float,
          exports: tuple[str, ...], export_password_file: str | None, export_key_file: str | None,
          register_name: str | None, registrar_file: str | None, computed_code: bool, force: bool,
          ntp_servers: tuple[str, ...], as_json: bool) -> int:
    """Burn the seeds of SEED_FILE into tokens placed one after another.

    Tokens are matched to seeds by serial number, or get the next seed that names none.
    Everything that can be checked is checked before the first token (exports, the
    identity system, the progress file, the PC's clock). Interrupted batches continue
    where they stopped (see --progress-file); with --register, a rerun first finishes the
    registrations an earlier run could not make.
    """
    if seed_file == "-" and not progress_file:
        raise InputError("a batch read from standard input needs --progress-file (where it records what it burned)")
    records = load_seed_file(seed_file, seed_password_file, seed_key_file, strict)
    if account_filter is not None:
        records = matching_records(records, account_filter, seed_file)
    records = one_record_per_secret(records, seed_file)
    targets = plan_exports(exports, export_password_file, export_key_file)
    progress = Progress.load(Path(progress_file or f"{seed_file}.progress.json"))
    say = (lambda text: click.echo(text, err=True)) if as_json else click.echo
    plan = None
    if register_name and not dry_run:
        plan = EnrollPlan(open_registrar(register_name, registrar_file), "", computed_code, force)

    def show(event: FlowEvent) -> None:
        if isinstance(event, Checked) and not event.with_token and event.checks:
            say("Before the first token")
            for check in event.checks:
                say(check_line(check))
        elif isinstance(event, Waiting):
            say(waiting_text(event.left))

    def typed(outcome: BurnOutcome) -> str | None:
        return ask_token_code(outcome.report.info.serial)

    settings = FlowSettings(front_end="cli", batch_exports=() if dry_run else targets, replace_files=force,
                            enroll=plan, progress=None if dry_run else progress,
                            ntp_servers=list(ntp_servers) or None, resume_timeout=resume_timeout, batch=True,
                            register_later=True, cancel=threading.Event())
    flow = BurnFlow(settings, show, typed)
    options = BurnOptions(sync_clock=sync_clock, display_timeout=int(display_timeout))
    interrupted = False
    started = time.monotonic()
    try:
        flow.check_before_token([record.params for record in records], sync_clock=sync_clock and not dry_run)
        with reader_session(reader_spec, holder="batch") as opened:
            runner = Batch(opened, records, options, flow, progress, dry_run=dry_run, reburn=reburn,
                           token_timeout=token_timeout, on_event=lambda event: say(batch_event_text(event)),
                           cancel=settings.cancel, user_for=lambda record: user_for(record, ""))
            try:
                runner.run(count)
            except KeyboardInterrupt:
                interrupted = True
                if settings.cancel is not None:
                    settings.cancel.set()
    finally:
        if plan is not None:
            plan.registrar.close()
    hours = (time.monotonic() - started) / 3600
    if targets and not dry_run:
        for target in targets:
            notes = write_export(target, export_records(records, progress), force=True)
            say(f"Exported ({target.fmt}) to {target.path}")
            for note in notes:
                click.echo(f"otpburn: note: {target.path}: {export_note_text(note)}", err=True)
    return summary(runner, hours, interrupted, plan is not None, progress, as_json)


def summary(runner: Batch, hours: float, interrupted: bool, registering: bool, progress: Progress,
            as_json: bool) -> int:
    rows = runner.rows
    left = len(runner.remaining())
    pending = len(runner.unregistered())
    burned = sum(row.result is RowResult.BURNED for row in rows)
    failed = sum(row.result is RowResult.FAILED for row in rows)
    # A rate says something once a few tokens went by; for one or two it is the time of one burn.
    per_hour = round(burned / hours) if burned >= 3 and hours > 0 else None
    if as_json:
        emit_json({"rows": [row_dict(row) for row in rows], "seeds_left": left, "interrupted": interrupted,
                   "progress_file": str(progress.path), "tokens_per_hour": per_hour,
                   **({"registrations_pending": pending} if registering else {})})
    else:
        click.echo(f"\n{'serial':<16} {'model':<16} {'result':<15} {'record':<12} account / detail")
        for row in rows:
            result = ROW_RESULTS[row.result] + (f", {REGISTRATION_WORDS.get(row.registration, row.registration)}"
                                                if row.registration else "")
            place = row.record.place if row.record else "-"
            text = f"{row.serial:<16} {row.model:<16} {result:<15} {place:<12} {row.account} {row_detail(row)}"
            click.echo(text.rstrip())
        rate = f" ({per_hour} tokens per hour)" if per_hour else ""
        registered = f", {pending} registration(s) pending (run the batch again to finish them)" \
            if registering and pending else ""
        click.echo(f"\n{burned} burned{rate}, {failed} failed, {left} seed(s) left{registered}"
                   + (" (interrupted; run again to go on)" if interrupted else ""))
    if interrupted:
        return EXIT_CANCELLED
    if failed:
        return EXIT_FAILED
    return EXIT_NOT_REGISTERED if registering and pending else 0


def row_dict(row: BatchRow) -> dict[str, object]:
    return {"serial": row.serial, "model": row.model, "result": row.result.value,
            "record": row.record.place if row.record else None, "seed_line": row.record.line if row.record else None,
            "account": row.account, "detail": row_detail(row), "seconds": round(row.seconds, 3),
            "registration": row.registration, **({"error": describe(row.error)} if row.error else {})}

