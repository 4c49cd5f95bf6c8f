"""`otpburn export` (seed files for identity systems) and `otpburn log` (the audit log)."""

from __future__ import annotations

import sys

import click

from otpburn import __version__
from otpburn.cli.common import emit_json, json_option, read_text_file
from otpburn.cli.seed_input import get_seed, seed_source_options
from otpburn.errors import InputError
from otpburn.sources.selection import select_account
from otpburn.untrusted import tame

FORMAT_HELP = ("entra (Microsoft Entra ID OATH CSV), vendor-csv (serial,secret), duo (Duo hardware tokens), "
               "privacyidea (privacyIDEA/LinOTP "
               "OATH CSV), pskc (RFC 6030, encrypted), otpauth (URI list), qr (PNG)")


def export_password(fmt: str, password_file: str | None, no_encrypt: bool) -> str | None:
    """The PSKC password: from a file or a hidden prompt; None only when --no-encrypt was asked for."""
    if fmt != "pskc" or no_encrypt:
        return None
    if password_file:
        password = read_text_file(password_file).rstrip("\r\n")
    elif sys.stdin.isatty():
        password = click.prompt("Password for the PSKC file", hide_input=True, confirmation_prompt=True, err=True)
    else:
        raise InputError("PSKC files holding secrets are encrypted: give --export-password-file, "
                         "or --no-encrypt to write the secrets in clear")
    if len(password) < 8:
        raise InputError("the PSKC password must be at least 8 characters")
    return password


def seed_file_password(password_file: str | None):
    def ask() -> str:
        if password_file:
            return read_text_file(password_file).rstrip("\r\n")
        if sys.stdin.isatty():
            return click.prompt("Password of the seed file", hide_input=True, err=True)
        raise InputError("the seed file is encrypted: give --seed-password-file")

    return ask


def seed_file_key(key_file: str | None):
    """The pre-shared key of a key-encrypted PSKC: from a file (hex or raw) or typed as hex at a hidden prompt."""
    from otpburn.files import read_input_file
    from otpburn.sources.seedfiles.pskc_files import parse_preshared_key

    def ask() -> bytes:
        if key_file:
            return parse_preshared_key(read_input_file(key_file, "a key file", 4096))
        if sys.stdin.isatty():
            return parse_preshared_key(click.prompt("Key of the seed file (hex)", hide_input=True, err=True).encode())
        raise InputError("the seed file is encrypted with a pre-shared key: give --seed-key-file")

    return ask


def seed_file_options(function):
    """How to open an encrypted seed file, and whether one bad record refuses the file."""
    for decorator in reversed([
        click.option("--seed-password-file", type=click.Path(dir_okay=False),
                     help="Password of an encrypted seed file (PSKC with a password, Aegis vault)."),
        click.option("--seed-key-file", type=click.Path(dir_okay=False),
                     help="Pre-shared key of a key-encrypted PSKC file (hex, or the raw bytes)."),
        click.option("--strict", is_flag=True, help="Refuse the whole seed file if any record in it cannot be used."),
    ]):
        function = decorator(function)
    return function


def load_seed_file(path: str, password_file: str | None, key_file: str | None, strict: bool) -> list:
    """The usable records of a seed file ("-": standard input); the ones left out, and notes, are
    listed on standard error."""
    from otpburn.sources.seedfiles import read_seed_file

    contents = read_seed_file(path, seed_file_password(password_file), key=seed_file_key(key_file), strict=strict)
    name = contents.path
    for problem in contents.problems:
        click.echo(f"otpburn: {name}: {problem} (left out)", err=True)
    for note in contents.notes:
        click.echo(f"otpburn: {name}: {note}", err=True)
    if contents.problems:
        click.echo(f"otpburn: {name}: {len(contents.records)} of {len(contents.records) + len(contents.problems)} "
                   "records read; --strict refuses a file with any unusable record", err=True)
    return contents.records


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["entra", "vendor-csv", "privacyidea", "pskc", "otpauth", "qr"]),
              required=True, help=FORMAT_HELP)
@click.option("--output", required=True, type=click.Path(dir_okay=False), help="File to write (created 0600).")
@click.option("--seed-file", type=click.Path(dir_okay=False, allow_dash=True),
              help="Convert a whole seed file (vendor/OATH/Entra CSV, PSKC, otpauth list, Google export, Aegis, "
                   "2FAS, andOTP; '-' reads stdin); --pick/--account keep one account of it.")
@seed_file_options
@seed_source_options
@click.option("--serial", default="", help="The token's serial number (for a single seed).")
@click.option("--upn", default="", help="User principal name for Entra ID (name@domain).")
@click.option("--manufacturer", default="", help="Manufacturer column (Entra, PSKC).")
@click.option("--model", default="", help="Model column (Entra, PSKC).")
@click.option("--export-password-file", type=click.Path(dir_okay=False), help="PSKC password, read from this file.")
@click.option("--no-encrypt", is_flag=True, help="PSKC: write the secrets unencrypted.")
@click.option("--force", is_flag=True, help="Replace --output if it exists.")
@json_option
def export_cmd(fmt, output, seed_file, seed_password_file, seed_key_file, strict, screen, images, clipboard, delay,
               save_capture, uri_file, encoding, pick, account_filter, serial, upn, manufacturer, model,
               export_password_file, no_encrypt, force, as_json) -> None:
    """Write seeds in a format an identity system imports."""
    from otpburn.provisioning.records import audit
    from otpburn.provisioning.records.exports import TokenRecord, export

    if seed_file:
        seed_records = load_seed_file(seed_file, seed_password_file, seed_key_file, strict)
        if pick is not None or account_filter is not None:
            chosen = select_account([r.params for r in seed_records], pick, account_filter)
            seed_records = [r for r in seed_records if r.params is chosen]
        records = [TokenRecord(r.params, r.serial or serial, model, manufacturer, r.upn or upn) for r in seed_records]
    else:
        choice = get_seed(screen, images, clipboard, delay, save_capture, uri_file, encoding, pick, account_filter,
                          quiet=as_json)
        records = [TokenRecord(choice.params, serial, model, manufacturer, upn)]
    password = export_password(fmt, export_password_file, no_encrypt)
    notes = export(fmt, records, output, force=force, password=password)
    for note in notes:
        click.echo(f"otpburn: note: {output}: {note}", err=True)
    audit.record("export", "ok", extra={"format": fmt, "records": len(records), "file": str(output),
                                        "encrypted": password is not None if fmt == "pskc" else None})
    if as_json:
        emit_json({"format": fmt, "output": output, "records": len(records), "notes": notes})
    else:
        click.echo(f"Wrote {len(records)} record{'s' if len(records) != 1 else ''} to {output} ({fmt}, readable "
                   "only by you).")


@click.command("log")
@click.option("--tail", type=click.IntRange(1), metavar="N", default=20, show_default=True,
              help="How many entries to show.")
@json_option
def log_cmd(tail, as_json) -> None:
    """Show the audit log (what was burned, verified and exported; never a secret)."""
    from otpburn.provisioning.records.audit import log_path, read_entries

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


def matching_records(records: list, account: str, seed_file: str) -> list:
    needle = account.casefold()
    kept = [record for record in records if needle in record.params.label.casefold()]
    if not kept:
        raise InputError(f"no account in {seed_file} matches {account!r}")
    return kept


def one_record_per_secret(records: list, seed_file: str) -> list:
    """A batch never burns one seed into two tokens: later records with a secret seen before are left out."""
    seen: dict[bytes, str] = {}
    kept = []
    for record in records:
        first = seen.setdefault(record.params.secret, record.place)
        if first == record.place:
            kept.append(record)
        else:
            click.echo(f"otpburn: {seed_file}: {record.place} is left out of the batch: its secret is the one "
                       f"at {first}, and a seed goes into one token (or profile) only", err=True)
    return kept
