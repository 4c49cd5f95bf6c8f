"""`otpburn batch`: burn a seed file into many tokens, one after another."""

from __future__ import annotations

import threading
from pathlib import Path

import click

from otpburn.cli.common import emit_json, json_option
from otpburn.cli.export_commands import load_seed_file, seed_file_options
from otpburn.errors import InputError


@click.command()
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
              help="When the batch ends, write what it burned (entra, vendor-csv, privacyidea, pskc, otpauth).")
@click.option("--export-password-file", type=click.Path(dir_okay=False), help="Password for a PSKC export.")
@click.option("--force", is_flag=True, help="Replace export files that exist.")
@json_option
def batch(seed_file, reader_spec, seed_password_file, seed_key_file, strict, account_filter, progress_file, dry_run,
          reburn, count, sync_clock, display_timeout, token_timeout, resume_timeout, exports, export_password_file,
          force, as_json) -> int:
    """Burn the seeds of SEED_FILE into tokens placed one after another.

    Tokens are matched to seeds by serial number, or get the next seed that names none.
    Interrupted batches continue where they stopped (see --progress-file).
    """
    from otpburn.cli.burn_command import plan_exports
    from otpburn.provisioning.batch import Batch, Progress, export_records
    from otpburn.provisioning.exports import export
    from otpburn.provisioning.session import reader_session
    from otpburn.provisioning.steps import BurnOptions

    if seed_file == "-" and not progress_file:
        raise InputError("a batch read from standard input needs --progress-file (where it records what it burned)")
    records = load_seed_file(seed_file, seed_password_file, seed_key_file, strict)
    if account_filter is not None:
        records = _matching(records, account_filter, seed_file)
    records = _one_record_per_secret(records, seed_file)
    targets = plan_exports(exports, force, export_password_file)
    progress = Progress.load(Path(progress_file or f"{seed_file}.progress.json"))
    options = BurnOptions(sync_clock=sync_clock, display_timeout=int(display_timeout), allow_wipe=True)
    say = (lambda text: click.echo(text, err=True)) if as_json else (lambda text: click.echo(text))
    cancel = threading.Event()
    interrupted = False
    with reader_session(reader_spec, holder="batch") as opened:
        runner = Batch(opened, records, options, progress, dry_run=dry_run, reburn=reburn,
                       token_timeout=token_timeout, resume_timeout=resume_timeout, say=say, cancel=cancel)
        try:
            runner.run(count)
        except KeyboardInterrupt:
            interrupted = True
            cancel.set()
    rows = runner.rows
    if targets and not dry_run:
        for target in targets:
            notes = export(target.fmt, export_records(records, progress), target.path, force=True,
                           password=target.password)
            say(f"Exported ({target.fmt}) to {target.path}")
            for note in notes:
                click.echo(f"otpburn: note: {target.path}: {note}", err=True)
    left = len(runner.remaining())
    if as_json:
        emit_json({"rows": [row.as_dict() for row in rows], "seeds_left": left, "interrupted": interrupted,
                   "progress_file": str(progress.path)})
    else:
        click.echo(f"\n{'serial':<16} {'model':<16} {'result':<11} {'seed':<6} account / detail")
        for row in rows:
            line = str(row.seed_line or "-")
            text = f"{row.serial:<16} {row.model:<16} {row.result:<11} {line:<6} {row.account} {row.detail}"
            click.echo(text.rstrip())
        burned = sum(row.result == "burned" for row in rows)
        failed = sum(row.result == "failed" for row in rows)
        click.echo(f"\n{burned} burned, {failed} failed, {left} seed(s) left"
                   + (" (interrupted; run again to go on)" if interrupted else ""))
    if interrupted:
        return 130
    return 1 if any(row.result == "failed" for row in rows) else 0


def _matching(records: list, account: str, seed_file: str) -> list:
    needle = account.casefold()
    kept = [record for record in records if needle in record.params.label.casefold()]
    if not kept:
        raise InputError(f"no account in {seed_file} matches {account!r}")
    return kept


def _one_record_per_secret(records: list, seed_file: str) -> list:
    """A batch never burns one seed into two tokens: later records with a secret seen before are left out."""
    seen: dict[bytes, str] = {}
    kept = []
    for record in records:
        first = seen.setdefault(record.params.secret, record.place)
        if first == record.place:
            kept.append(record)
        else:
            click.echo(f"otpburn: {seed_file}: {record.place} is left out of the batch: its secret is the one "
                       f"at {first}, and a seed goes into one token only", err=True)
    return kept
