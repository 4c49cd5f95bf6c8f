"""Scanning the screen on a real (headless) Wayland desktop: sway, its wallpaper showing the 2FA page, and
xdg-desktop-portal's Screenshot portal with the wlroots back end. `scan --screen` and the window's Scan
take the screenshot through the portal; a portal that answers no is final; without a portal, grim."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.conftest import skip_unless_required
from tests.support.wayland import WaylandDesktop

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "2fa-setup-screenshot.png"
ACCOUNT = "alex.morgan@example.com"

WINDOW_SCAN = """
import sys
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication
from otpburn.gui.window import MainWindow

app = QApplication(sys.argv)
window = MainWindow(QSettings(sys.argv[1], QSettings.Format.IniFormat))
window.show()
window.seed.seed_changed.connect(lambda params: (print("seed", params.account, flush=True), app.quit()))
window.seed.status.changed.connect(lambda: window.seed.status.kind == "stop" and (print("stop",
                                   window.seed.status.text(), flush=True), app.quit()))
QTimer.singleShot(0, window.seed.scan_button.click)
app.exec()
"""


@pytest.fixture(scope="module")
def desktop():
    missing = WaylandDesktop.missing()
    if missing:
        skip_unless_required(f"no headless Wayland desktop here (missing: {', '.join(missing)})")
    # Not under pytest's temporary folder: that is private to root, and the desktop's user must read it.
    root = Path(tempfile.mkdtemp(prefix="otpburn-wayland-"))
    root.chmod(0o755)
    source = root / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".venv*", ".git", "build", "dist", "__pycache__",
                                                                 ".mypy_cache", ".ruff_cache", ".pytest_cache"))
    desk = WaylandDesktop(root / "desktop", source, extras="gui").prepare()
    desk.wallpaper = desk.root / "page.png"
    shutil.copy(EXAMPLE, desk.wallpaper)
    desk.wallpaper.chmod(0o644)
    yield desk
    shutil.rmtree(root, ignore_errors=True)


def _one_line(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("otpburn:")]


def test_scan_screen_through_the_portal(desktop):
    # No grim on otpburn's own PATH: the picture can only come from the portal.
    result = desktop.run([desktop.otpburn, "scan", "--screen", "--json"], desktop.wallpaper, path="/nonexistent")
    assert result.returncode == 0, result.stdout + result.stderr + result.session_log[-2000:]
    found = json.loads(result.stdout)
    assert [seed["account"] for seed in found["seeds"]] == [ACCOUNT]
    # The portal's file shows the seed: it was read and deleted.
    assert not Path("/tmp/out.png").exists()


def test_a_portal_that_answers_no_is_final(desktop):
    # The portal answers (here its back end fails: no grim on *its* PATH); grim is on otpburn's PATH, unused.
    result = desktop.run([desktop.otpburn, "scan", "--screen"], desktop.wallpaper, portal="refusing",
                         path="/usr/bin:/bin")
    assert result.returncode == 1, result.stdout + result.stderr
    lines = _one_line(result.stderr)
    assert len(lines) == 1 and "screenshot portal refused" in lines[0] and "--image or --clipboard" in lines[0]
    assert "Traceback" not in result.stderr and ACCOUNT not in result.stdout


def test_without_a_portal_grim_takes_the_screenshot(desktop):
    result = desktop.run([desktop.otpburn, "scan", "--screen", "--json"], desktop.wallpaper, portal="none")
    assert result.returncode == 0, result.stdout + result.stderr
    assert [seed["account"] for seed in json.loads(result.stdout)["seeds"]] == [ACCOUNT]


def test_window_scan_on_wayland(desktop):
    settings = desktop.root / "window.ini"
    result = desktop.run([desktop.python, "-c", WINDOW_SCAN, str(settings)], desktop.wallpaper,
                         path="/nonexistent", env={"QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stdout + result.stderr + result.session_log[-2000:]
    assert f"seed {ACCOUNT}" in result.stdout, result.stdout + result.stderr[-2000:]
