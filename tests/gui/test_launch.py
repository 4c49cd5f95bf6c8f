"""Before Qt is loaded, the launcher says in one line why the window cannot open here: no display, or the
system libraries Qt's X11 plugin needs (Qt itself would abort with exit 134 and "Reinstalling the application
may fix this problem")."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from pathlib import Path

import pytest

from otpburn.gui.platform_check import DesktopProblemKind, desktop_problem
from tests.conftest import skip_unless_required

QT_ABORT = "Reinstalling the application"


def launch(env: dict[str, str], *prefix: str, entry: str = "otpburn-gui") -> subprocess.CompletedProcess[str]:
    program = [str(Path(sys.executable).with_name(entry))] if entry == "otpburn-gui" else \
        [sys.executable, "-m", "otpburn", "gui"]
    return subprocess.run([*prefix, *program], env=env, capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)


def without_display() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}


@pytest.mark.parametrize("entry", ["otpburn-gui", "otpburn gui"])
def test_no_display_is_one_line_before_qt(entry):
    result = launch(without_display(), entry=entry)
    assert result.returncode == 1
    program = entry.split()[0]
    assert result.stderr == f"{program}: no display: run it from a desktop session (neither DISPLAY nor " \
                            "WAYLAND_DISPLAY is set)\n"
    assert QT_ABORT not in result.stderr + result.stdout


def library_file(name: str) -> str:
    """Where the dynamic loader finds `name` on this machine (from this process's own mappings)."""
    ctypes.CDLL(name)
    for line in Path("/proc/self/maps").read_text().splitlines():
        if f"/{name}" in line or f"/{name}." in line:
            return line.split()[-1]
    raise AssertionError(f"{name} is not mapped")


def test_a_missing_xcb_cursor_library_names_the_packages_before_qt():
    if os.geteuid() != 0:
        skip_unless_required("hiding a system library needs a private mount namespace (root)")
    hidden = library_file("libxcb-cursor.so.0")
    # The library file is replaced by an empty one in a mount namespace of this command only: dlopen fails
    # as it does on a system without the package.
    script = f'mount --bind /dev/null "{hidden}" && exec "$@"'
    env = {**without_display(), "DISPLAY": ":97"}
    result = launch(env, "unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh")
    assert result.returncode == 1, result.stderr
    assert result.stderr == "otpburn-gui: Qt's X11 support needs libraries this system lacks (libxcb-cursor.so.0): " \
                            "on Debian or Ubuntu sudo apt install libxcb-cursor0; on Fedora sudo dnf install " \
                            "xcb-util-cursor\n"
    assert QT_ABORT not in result.stderr + result.stdout


def test_the_check_follows_the_platform_qt_would_choose():
    assert desktop_problem({}, "linux").kind is DesktopProblemKind.NO_DISPLAY
    assert desktop_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert desktop_problem({}, "win32") is None and desktop_problem({}, "darwin") is None
    assert desktop_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux") is None  # Qt's Wayland plugin, not xcb
    assert desktop_problem({"DISPLAY": ":0"}, "linux") is None  # every X11 library is installed here


def test_doctor_checks_what_the_window_needs():
    env = {**without_display(), "OTPBURN_NTP_SERVERS": "127.0.0.1:9"}
    result = subprocess.run([sys.executable, "-m", "otpburn", "doctor"], env=env, capture_output=True, text=True,
                            timeout=60, stdin=subprocess.DEVNULL)
    assert "  ! desktop app: no display: run it from a desktop session (neither DISPLAY nor WAYLAND_DISPLAY is " \
           "set)" in result.stdout.splitlines()
    shown = subprocess.run([sys.executable, "-m", "otpburn", "doctor"], capture_output=True, text=True, timeout=60,
                           env={**env, "QT_QPA_PLATFORM": "offscreen"}, stdin=subprocess.DEVNULL)
    assert any(line.startswith("  ✓ desktop app: PySide6 ") and line.endswith("; the window can open here")
               for line in shown.stdout.splitlines()), shown.stdout


def test_a_double_click_opens_one_window(tmp_path):
    """Two starts at once (a double click: neither has painted yet): whichever takes the guard first (before its
    window is shown) opens the window; the other waits for its socket, asks it forward and exits."""
    import time

    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(runtime)}
    program = [str(Path(sys.executable).with_name("otpburn-gui"))]
    starts = [subprocess.Popen(program, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               stdin=subprocess.DEVNULL) for _ in range(2)]
    try:
        for _ in range(600):  # up to a minute: one of them must be done
            ended = [start for start in starts if start.poll() is not None]
            if ended:
                break
            time.sleep(0.1)
        assert len(ended) == 1, "both starts kept running: two windows" if not ended else "both ended"
        assert ended[0].returncode == 0
        time.sleep(0.5)
        assert [start.poll() for start in starts if start is not ended[0]] == [None]  # one window, still open
        assert (runtime / "otpburn" / "gui.socket").exists()
    finally:
        for start in starts:
            start.terminate()
            start.wait(timeout=30)
