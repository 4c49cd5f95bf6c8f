"""What the commands that write exports share: FORMAT:FILE targets and the PSKC password."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from otpburn.cli.common import read_text_file
from otpburn.errors import InputError
from otpburn.provisioning.records.exports import FORMATS, ExportTarget, export_format


def export_password(fmt: str, password_file: str | None, no_encrypt: bool = False) -> str | None:
    """The password of an encrypted format: from a file or a hidden prompt; None for other formats, or when
    --no-encrypt was asked for."""
    if not export_format(fmt).encrypted or no_encrypt:
        return None
    if password_file:
        password = read_text_file(password_file).rstrip("\r\n")
    elif sys.stdin.isatty():
        password = str(click.prompt("Password for the PSKC file", hide_input=True, confirmation_prompt=True,
                                    err=True))
    else:
        raise InputError("PSKC files holding secrets are encrypted: give --export-password-file, "
                         "or --no-encrypt to write the secrets in clear")
    if len(password) < 8:
        raise InputError("the PSKC password must be at least 8 characters")
    return password


def plan_exports(specs: Sequence[str], password_file: str | None) -> list[ExportTarget]:
    """An ExportTarget for each --export FORMAT:FILE (the flow checks each before any token is touched)."""
    plan = []
    for spec in specs:
        fmt, _, path = spec.partition(":")
        if fmt not in FORMATS or not path:
            raise InputError(f"--export wants FORMAT:FILE with FORMAT one of {', '.join(FORMATS)}, not {spec!r}")
        plan.append(ExportTarget(fmt, path, export_password(fmt, password_file)))
    return plan
