"""The report file of a read-only probe (tokens.probe): what a user shares so support for a token otpburn
does not know can be written. JSON, 0600 like every file otpburn writes; it holds no secret."""

from __future__ import annotations

import json
import platform
from datetime import UTC, datetime

from otpburn import __version__
from otpburn.files import write_private
from otpburn.tokens.probe import ProbeReport
from otpburn.untrusted import tame


def report_json(report: ProbeReport) -> bytes:
    document = {
        "otpburn": __version__,
        "made": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "system": f"{platform.system()} {platform.release()}",
        "reader": tame(report.reader, 200),
        "atr": report.atr.hex().upper(),
        "sent": "reads and SELECTs only: no authentication, no challenge, no write",
        "exchanges": [{"command_name": e.name, "command": e.command.hex().upper(), "answer": e.answer.hex().upper(),
                       "sw": f"{e.sw:04X}" if e.sw is not None else None,
                       **({"failure": tame(e.failure, 200)} if e.failure else {})} for e in report.exchanges],
        "token2_serial": report.token2_serial or None,
        "oath_applet": report.oath_applet,
        "molto2": report.molto2,
    }
    return (json.dumps(document, indent=2) + "\n").encode("utf-8")


def write_report(report: ProbeReport, path: str, *, force: bool = False) -> None:
    write_private(path, report_json(report), force=force)
