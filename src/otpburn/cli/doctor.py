"""`otpburn doctor`: is everything in place to burn a token (and to open the window)? Each check with a
verdict."""

from __future__ import annotations

import glob
import os
import sys
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

import click

from otpburn import __version__
from otpburn.cli.common import emit_json
from otpburn.cli.options import json_option
from otpburn.cli.tokens import offset_text
from otpburn.cli.wording import REMEDIES, describe, mark, pc_clock_text
from otpburn.errors import OtpburnError, Remedy
from otpburn.gui.launch import problem_text
from otpburn.gui.platform_check import desktop_problem
from otpburn.installation import install_command
from otpburn.provisioning.burn.checks import Verdict
from otpburn.provisioning.burn.pc_clock import check_pc_clock
from otpburn.provisioning.records.audit import log_path
from otpburn.tokens.detect import UnknownTokenError, open_session
from otpburn.transport.channel import Channel
from otpburn.transport.pcsc import PcscBackend


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report: what was looked at, the verdict, what was found (worded here)."""

    name: str
    verdict: str  # "ok", "warn", "stop"
    message: str
    remedy: Remedy | None = None

    def line(self) -> str:
        extra = REMEDIES.get(self.remedy) if self.remedy else None
        return f"  {mark(Verdict(self.verdict))} {self.name}: {self.message}" + (f"; {extra}" if extra else "")

    def as_dict(self) -> dict[str, str]:
        return {"check": self.name, "verdict": self.verdict, "message": self.message}


def pc_clock_check(servers: list[str] | None) -> Check:
    result = check_pc_clock(servers)
    return Check("PC clock", result.verdict, pc_clock_text(result))

HID_GLOBAL = "076b"  # USB vendor id of HID Global (OMNIKEY readers)


def _keyboard_wedge_omnikey(reader_names: list[str]) -> Check | None:
    """An OMNIKEY on USB that PC/SC does not list is usually in keyboard-wedge mode."""
    found = []
    for vendor_file in glob.glob("/sys/bus/usb/devices/*/idVendor"):
        try:
            if open(vendor_file).read().strip() != HID_GLOBAL:
                continue
            folder = os.path.dirname(vendor_file)
            product = open(os.path.join(folder, "product")).read().strip() if os.path.exists(
                os.path.join(folder, "product")) else "OMNIKEY reader"
            found.append(product)
        except OSError:
            continue
    if found and not any("omnikey" in name.lower() for name in reader_names):
        return Check("OMNIKEY mode", "warn", f"{found[0]} is plugged in but PC/SC does not list it: it is probably in "
                                             "keyboard-wedge mode; switch it to CCID/PC-SC mode (5427 CK: in its "
                                             "built-in web page)")
    return None


def desktop_check() -> Check:
    """What the window needs here (PySide6, a display, Qt's X11 libraries): a warning, as the CLI works without."""
    problem = desktop_problem()
    if problem is not None:
        return Check("desktop app", "warn", problem_text(problem))
    try:
        pyside = f"PySide6 {version('PySide6-Essentials')}"
    except PackageNotFoundError:
        pyside = "PySide6"
    return Check("desktop app", "ok", f"{pyside}; the window can open here")


def run_checks(ntp_servers: list[str] | None) -> list[Check]:
    checks = [Check("python", "ok", f"Python {sys.version.split()[0]} on {sys.platform}"), desktop_check()]
    try:
        import smartcard  # noqa: F401
    except ImportError:
        checks.append(Check("pyscard", "stop", f"PC/SC support is not installed: {install_command('pcsc')}"))
        checks.append(pc_clock_check(ntp_servers))
        return checks

    try:
        backend = PcscBackend()
    except OtpburnError as exc:
        checks.append(Check("PC/SC service", "stop", describe(exc)))
        checks.append(pc_clock_check(ntp_servers))
        return checks
    with backend:
        checks.append(Check("PC/SC service", "ok", "running"))
        readers = backend.list_readers()
        wedge = _keyboard_wedge_omnikey([r.name for r in readers])
        if wedge:
            checks.append(wedge)
        if not readers:
            checks.append(Check("readers", "stop", "no reader connected: plug in an NFC reader (or use "
                                                   "--reader virtual to try otpburn)"))
        for reader in readers:
            if not reader.card_present:
                checks.append(Check(f"reader {reader.name}", "ok", "connected, no token on it"))
                continue
            if reader.in_use:
                checks.append(Check(f"reader {reader.name}", "warn", "its token is held by another program"))
                continue
            try:
                connection = backend.connect(reader.name)
                try:
                    info = open_session(Channel(connection)).info  # reads only: no authentication
                finally:
                    connection.disconnect()
                offset = f", clock {offset_text(info)}" if info.clock_offset is not None else ""
                verdict = "ok" if info.capabilities.writable else "warn"
                checks.append(Check(f"reader {reader.name}", verdict,
                                    f"{info.family} token {info.model}, serial {info.serial}{offset}"))
            except UnknownTokenError as exc:
                checks.append(Check(f"reader {reader.name}", "warn", describe(exc)))
            except OtpburnError as exc:
                checks.append(Check(f"reader {reader.name}", "warn", describe(exc)))
    checks.append(pc_clock_check(ntp_servers))
    return checks


@click.command()
@click.option("--ntp-server", "ntp_servers", multiple=True, metavar="HOST[:PORT]", help="Time server to check against.")
@json_option
def doctor(ntp_servers: tuple[str, ...], as_json: bool) -> int:
    """Check the PC/SC service, readers, tokens and the PC's clock."""
    checks = run_checks(list(ntp_servers) if ntp_servers else None)
    if as_json:
        emit_json([check.as_dict() for check in checks])
    else:
        click.echo(f"otpburn {__version__}; audit log {log_path()}")
        for check in checks:
            click.echo(check.line())
    return 1 if any(check.verdict == "stop" for check in checks) else 0
