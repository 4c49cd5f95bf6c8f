"""`otpburn probe` and the window's "Save a report" through pyscard -> pcscd -> vpcd, on a token otpburn does
not know: an emulated card that answers none of the Token2 dialect (as a token of another make would)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before pytest-qt makes the application

import pytest  # noqa: E402

from otpburn.emulator.faults import Fault, FaultPlan  # noqa: E402
from otpburn.emulator.stack import READER_NAME  # noqa: E402
from otpburn.emulator.token2 import Token2Emulator, Token2Memory  # noqa: E402

pytestmark = pytest.mark.pcsc


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "otpburn", *args], capture_output=True, text=True,
                          env=dict(os.environ), timeout=60, stdin=subprocess.DEVNULL)


def unknown_card() -> Token2Emulator:
    """A card that refuses GET INFO (6D00, instruction not supported) and has no OATH applet."""
    return Token2Emulator(Token2Memory(serial="8659622000321"),
                          faults=FaultPlan([Fault("status", 0x41, sw=0x6D00, times=None)]))


def test_an_unknown_token_is_named_with_the_report_that_helps(place_card, tmp_path):
    card = unknown_card()
    place_card(card)
    info = run("info", "--reader", READER_NAME)
    assert info.returncode == 1
    assert "is not a token otpburn knows" in info.stderr
    assert "'otpburn probe --output report.json' makes a read-only report (no secrets) to share" in info.stderr
    report_file = tmp_path / "report.json"
    probed = run("probe", "--reader", READER_NAME, "--output", str(report_file))
    assert probed.returncode == 0, probed.stderr
    assert "So: it answered" in probed.stdout
    report = json.loads(report_file.read_text())
    exchanges = {e["command_name"]: e for e in report["exchanges"]}
    assert exchanges["GET INFO"]["sw"] == "6D00" and exchanges["GET INFO"]["command"] == "80410000020211"
    assert report["atr"] and report["reader"] == READER_NAME and report["token2_serial"] is None
    assert card.memory.auth_attempts == 0
    assert set(card.memory.log) <= {"select"}  # the GET INFO was refused before it reached the card's handler


def test_the_window_offers_a_report_for_an_unknown_token(qtbot, place_card, tmp_path):
    from PySide6.QtCore import QSettings

    from otpburn.gui.window import MainWindow
    from tests.gui.conftest import connect

    window = MainWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    place_card(unknown_card())
    connect(qtbot, window, READER_NAME)
    assert window.token.status.kind == "stop"
    assert "Save a report (reads only, no secrets) in the Token card" in window.token.status.text()
    assert window.token.report_button.isVisible()
    path = tmp_path / "token-report.json"
    window.save_report(str(path))
    qtbot.waitUntil(lambda: window.token.status.kind == "ok", timeout=15_000)
    assert window.token.status.text().startswith(f"Report saved to {path}. It holds no secret")
    assert json.loads(path.read_text())["exchanges"][1]["sw"] == "6D00"
    window.close()
