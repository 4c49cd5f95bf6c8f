"""What the commands that write exports share: FORMAT:FILE targets and the PSKC protection."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from otpburn.cli.common import read_text_file
from otpburn.errors import InputError
from otpburn.files import read_input_file
from otpburn.provisioning.records.exports import FORMATS, PSKC_KEY_BYTES, ExportTarget, Protection, export_format
from otpburn.sources.seedfiles.pskc_files import parse_preshared_key


def export_protection(fmt: str, password_file: str | None, key_file: str | None = None,
                      no_encrypt: bool = False) -> Protection:
    """How an encrypted format (PSKC) protects its secrets: a pre-shared key from --export-key-file, a
    password from --export-password-file or a hidden prompt, or nothing with --no-encrypt. Other formats:
    nothing."""
    if not export_format(fmt).encrypted:
        return Protection()
    if sum(bool(given) for given in (password_file, key_file, no_encrypt)) > 1:
        raise InputError("give one of --export-password-file, --export-key-file and --no-encrypt")
    if no_encrypt:
        return Protection()
    if key_file:
        key = parse_preshared_key(read_input_file(key_file, "a key file", 4096))
        if len(key) != PSKC_KEY_BYTES:
            raise InputError(f"a PSKC export's pre-shared key is {PSKC_KEY_BYTES} bytes (32 hex digits, AES-128: what "
                             f"privacyIDEA and LinOTP import), not {len(key)}")
        return Protection(key=key)
    return Protection(password=export_password(password_file))


def export_password(password_file: str | None) -> str:
    """A PSKC password from a file or a hidden prompt (typed twice)."""
    if password_file:
        password = read_text_file(password_file).rstrip("\r\n")
    elif sys.stdin.isatty():
        password = str(click.prompt("Password for the PSKC file", hide_input=True, confirmation_prompt=True,
                                    err=True))
    else:
        raise InputError("PSKC files holding secrets are encrypted: give --export-password-file or "
                         "--export-key-file, or --no-encrypt to write the secrets in clear")
    if len(password) < 8:
        raise InputError("the PSKC password must be at least 8 characters")
    return password


def plan_exports(specs: Sequence[str], password_file: str | None, key_file: str | None = None) -> list[ExportTarget]:
    """An ExportTarget for each --export FORMAT:FILE (the flow checks each before any token is touched)."""
    plan = []
    for spec in specs:
        fmt, _, path = spec.partition(":")
        if fmt not in FORMATS or not path:
            raise InputError(f"--export wants FORMAT:FILE with FORMAT one of {', '.join(FORMATS)}, not {spec!r}")
        plan.append(ExportTarget(fmt, path, export_protection(fmt, password_file, key_file)))
    return plan
