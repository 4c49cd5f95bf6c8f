"""`otpburn export` (seeds in the files identity systems import) and `otpburn log` (the audit log)."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import click

from otpburn import __version__
from otpburn.cli.common import UTF8_TEXT, emit_json
from otpburn.cli.export_notes import export_note_text
from otpburn.cli.exporting import export_protection
from otpburn.cli.options import (
    FORMAT_HELP,
    FORMAT_NAMES,
    SEED_FILE_FORMATS,
    export_key_option,
    json_option,
    seed_file_options,
    seed_source_options,
)
from otpburn.cli.seeds import SeedSource, get_seed, load_seed_file
from otpburn.provisioning.records.audit import log_path, read_entries
from otpburn.provisioning.records.exports import ExportTarget, TokenRecord, check_record, write_export
from otpburn.sources.seedfiles import SeedRecord
from otpburn.sources.selection import select_account
from otpburn.untrusted import tame


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(FORMAT_NAMES), required=True, help=FORMAT_HELP)
@click.option("--output", required=True, type=click.Path(dir_okay=False), help="File to write (created 0600).")
@click.option("--seed-file", type=click.Path(dir_okay=False, allow_dash=True),
              help=f"Convert a whole seed file ({SEED_FILE_FORMATS}); --pick/--account keep one account of it.")
@seed_file_options
@seed_source_options
@click.option("--serial", default="", type=UTF8_TEXT, help="The token's serial number (for a single seed).")
@click.option("--upn", default="", type=UTF8_TEXT,
              help="User principal name for Entra ID (name@domain), where the seed file names none.")
@click.option("--manufacturer", default="", type=UTF8_TEXT,
              help="Manufacturer column (Entra, PSKC), where the seed file names none.")
@click.option("--model", default="", type=UTF8_TEXT, help="Model column (Entra, PSKC), where the seed file names none.")
@click.option("--export-password-file", type=click.Path(dir_okay=False), help="PSKC password, read from this file.")
@export_key_option
@click.option("--no-encrypt", is_flag=True, help="PSKC: write the secrets unencrypted.")
@click.option("--force", is_flag=True, help="Replace --output if it exists.")
@json_option
def export_cmd(fmt: str, output: str, seed_file: str | None, seed_password_file: str | None,
               seed_key_file: str | None, strict: bool, screen: bool, images: tuple[str, ...], clipboard: bool,
               delay: float, save_capture: str | None, uri_file: str | None, encoding: str, pick: int | None,
               account_filter: str | None, serial: str, upn: str, manufacturer: str, model: str,
               export_password_file: str | None, export_key_file: str | None, no_encrypt: bool, force: bool,
               as_json: bool) -> None:
    """Write seeds in a format an identity system imports."""
    if seed_file:
        def as_token(record: SeedRecord) -> TokenRecord:  # what the record itself says comes first
            return TokenRecord(record.params, record.serial or serial, record.model or model,
                               record.manufacturer or manufacturer, record.upn or upn)

        records = _seed_file_tokens(fmt, seed_file, seed_password_file, seed_key_file, strict, pick,
                                    account_filter, as_token)
    else:
        source = SeedSource(screen, images, clipboard, delay, save_capture, uri_file, encoding, pick, account_filter)
        choice = get_seed(source, quiet=as_json)
        records = [TokenRecord(choice.params, serial, model, manufacturer, upn)]
    protection = export_protection(fmt, export_password_file, export_key_file, no_encrypt)
    notes = [export_note_text(note) for note in write_export(ExportTarget(fmt, output, protection), records,
                                                             force=force)]
    for note in notes:
        click.echo(f"otpburn: note: {output}: {note}", err=True)
    if as_json:
        emit_json({"format": fmt, "output": output, "records": len(records), "notes": notes})
    else:
        click.echo(f"Wrote {len(records)} record{'s' if len(records) != 1 else ''} to {output} ({fmt}, readable "
                   "only by you).")


def _seed_file_tokens(fmt: str, seed_file: str, password_file: str | None, key_file: str | None, strict: bool,
                      pick: int | None, account_filter: str | None,
                      as_token: Callable[[SeedRecord], TokenRecord]) -> list[TokenRecord]:
    """The seed file's records as the export's token records: one account of it, or every record, each refused
    as it is read if the format cannot take it."""
    if pick is not None or account_filter is not None:
        seed_records = load_seed_file(seed_file, password_file, key_file, strict)
        chosen = select_account([r.params for r in seed_records], pick, account_filter)
        return [as_token(r) for r in seed_records if r.params is chosen]
    numbers = itertools.count(1)

    def refuse_early(record: SeedRecord) -> None:  # every record goes into the file: refuse one as it is read
        check_record(fmt, as_token(record), next(numbers))

    return [as_token(r) for r in load_seed_file(seed_file, password_file, key_file, strict, refuse_early)]


@click.command("log")
@click.option("--tail", type=click.IntRange(1), metavar="N", default=20, show_default=True,
              help="How many entries to show.")
@json_option
def log_cmd(tail: int, as_json: bool) -> None:
    """Show the audit log (what was burned, verified and exported; never a secret)."""
    entries = read_entries(tail)
    if as_json:
        emit_json(entries)
        return
    if not entries:
        click.echo(f"The audit log is empty ({log_path()}).")
        return
    count = f"the last {len(entries)} entries" if len(entries) > 1 else "1 entry"
    click.echo(f"Audit log {log_path()} ({count}; otpburn {__version__})")
    for entry in entries:
        what = " ".join(str(entry.get(k)) for k in ("model", "serial") if entry.get(k))
        account = ":".join(str(entry.get(k)) for k in ("issuer", "account") if entry.get(k))
        parts = [str(entry.get("time", "")), str(entry.get("operation", "")), str(entry.get("result", "")), what,
                 account, str(entry.get("verification", "") or ""), str(entry.get("detail", "") or "")]
        click.echo(tame("  ".join(p for p in parts if p), 4000))  # the log file may have been edited by anyone
