"""`otpburn probe`: a read-only look at a card otpburn does not know, and a report to share."""

from __future__ import annotations

import json

import click

from otpburn.cli.common import emit_json
from otpburn.cli.options import json_option, reader_option
from otpburn.provisioning.access.session import probe_reader
from otpburn.provisioning.records.probe_reports import report_json, write_report
from otpburn.tokens.probe import ProbeReport
from otpburn.untrusted import tame

# What the usual status words mean (ISO 7816-4), for the printed report.
STATUS_WORDS = {
    0x9000: "ok", 0x6700: "wrong length", 0x6982: "security status not satisfied",
    0x6985: "conditions of use not satisfied", 0x6A81: "function not supported", 0x6A82: "not found",
    0x6A86: "wrong parameters", 0x6B00: "wrong parameters", 0x6D00: "instruction not supported",
    0x6E00: "class not supported", 0x6F00: "no precise diagnosis",
}


def _answer(sw: int | None, answer: bytes, failure: str) -> str:
    if sw is None:
        return f"no answer ({tame(failure, 120)})"
    meaning = STATUS_WORDS.get(sw, "")
    data = f"{answer.hex(' ').upper()} " if answer else ""
    return f"{data}{sw:04X}" + (f" ({meaning})" if meaning else "")


def _verdict(report: ProbeReport) -> str:
    if report.token2_serial:
        return (f"it answers the Token2 dialect's keyless GET INFO, serial {report.token2_serial}: "
                "'otpburn info' tells whether otpburn can burn it")
    if report.molto2:
        return "a Token2 Molto2 answered its device information read: 'otpburn profiles' lists its profiles"
    if report.oath_applet:
        return "it has an OATH applet (YubiKey-style): 'otpburn accounts' lists its credentials"
    if not report.answered:
        return "it answered none of the reads: not a token otpburn knows"
    return "it answered some reads, but is not a token otpburn knows"


@click.command()
@reader_option
@click.option("--wait", type=float, default=0.0, metavar="SECONDS", help="Wait this long for a card to be placed.")
@click.option("--output", metavar="FILE", help="Write the report to this file (JSON, 0600) to share it.")
@click.option("--force", is_flag=True, help="Replace --output if it exists.")
@json_option
def probe(reader_spec: str | None, wait: float, output: str | None, force: bool, as_json: bool) -> None:
    """Look at the card on the reader with reads only, for tokens otpburn does not know.

    Sends the reader's card-UID query, the Token2 dialect's keyless GET INFO and SELECTs of well-known
    applets — never an authentication or a write — and shows every answer. The report holds no secret:
    share it so that support for the token can be written.
    """
    report = probe_reader(reader_spec, holder="probe", wait=wait)
    if output:
        write_report(report, output, force=force)
    if as_json:
        emit_json(json.loads(report_json(report)))
        return
    click.echo(f"Reader  {tame(report.reader, 120)}")
    click.echo(f"ATR     {report.atr.hex(' ').upper() or 'none'}")
    click.echo("Sent (reads and SELECTs only; no authentication, no write):")
    width = max(len(exchange.name) for exchange in report.exchanges) if report.exchanges else 0
    for exchange in report.exchanges:
        click.echo(f"  {exchange.name:<{width}}  {exchange.command.hex(' ').upper()}")
        click.echo(f"  {'':<{width}}  → {_answer(exchange.sw, exchange.answer, exchange.failure)}")
    click.echo(f"So: {_verdict(report)}.")
    if output:
        click.echo(f"Report written to {output} (readable only by you; it holds no secret: share it).")
    else:
        click.echo("Add --output FILE to save this as a report to share.")
