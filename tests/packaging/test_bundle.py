"""The self-contained desktop bundle (PyInstaller, scripts/build_bundle.py), built here and run on its own:
the CLI's version and a burn of the example into the virtual token, and the window on an Xvfb screen."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from otpburn import __version__
from tests.conftest import skip_unless_required
from tests.support.xvfb import Xvfb

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "2fa-setup-screenshot.png"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        skip_unless_required("PyInstaller is not installed (pip install '.[dist]')")
    out = tmp_path_factory.mktemp("bundle")
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_bundle.py"), "--dist", str(out / "dist"),
                             "--work", str(out / "work"), "--no-check"], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    folder = out / "dist" / "otpburn"
    assert (folder / "otpburn").is_file() and (folder / "otpburn-gui").is_file()
    return folder


def _alone(tmp_path: Path) -> dict[str, str]:
    """The bundle's environment: nothing of this interpreter or source tree, a private home and state."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTHON", "OTPBURN_", "VIRTUAL_ENV", "QT_"))}
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env.update(HOME=str(tmp_path), XDG_RUNTIME_DIR=str(runtime), PATH="/usr/sbin:/usr/bin:/sbin:/bin",
               OTPBURN_VIRTUAL_TOKEN=str(tmp_path / "virtual-token.json"),
               OTPBURN_AUDIT_LOG=str(tmp_path / "audit.jsonl"), OTPBURN_LOCK_FILE=str(tmp_path / "reader.lock"),
               OTPBURN_NTP_SERVERS="")
    return env


def test_bundled_cli_version_and_burn(bundle, tmp_path):
    env = _alone(tmp_path)
    version = subprocess.run([bundle / "otpburn", "--version"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.strip() == f"otpburn, version {__version__}"

    burn = subprocess.run([bundle / "otpburn", "burn", "--reader", "virtual", "--image", str(EXAMPLE)],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert burn.returncode == 0, burn.stdout + burn.stderr
    assert "✓ read back" in burn.stdout and ": matches." in burn.stdout
    assert (tmp_path / "virtual-token.json").is_file()  # the bundle used the state it was given
    # The lazily loaded commands and the seed-file readers are in the bundle too.
    parsed = subprocess.run([bundle / "otpburn", "parse", "--json"], input=(ROOT / "examples" /
                            "atlassian-account.txt").read_text(), capture_output=True, text=True, env=env)
    assert parsed.returncode == 0 and '"issuer": "Atlassian"' in parsed.stdout


def test_bundled_window_on_a_screen(bundle, tmp_path):
    if not shutil.which("Xvfb"):
        skip_unless_required("Xvfb is not installed")
    import mss
    import mss.tools

    screen = Xvfb(1280, 800).start()
    env = {**_alone(tmp_path), "DISPLAY": screen.display, "XDG_SESSION_TYPE": "x11", "QT_QPA_PLATFORM": "xcb"}
    window = subprocess.Popen([bundle / "otpburn-gui", "--theme", "light"], env=env, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        socket = tmp_path / "runtime" / "otpburn" / "gui.socket"
        for _ in range(600):  # the window listens for second starts once it is built
            if socket.exists() or window.poll() is not None:
                break
            time.sleep(0.1)
        assert window.poll() is None, window.stdout.read().decode() if window.stdout else ""
        assert socket.exists()
        # A second start from the bundle finds the first window and brings it forward.
        second = subprocess.run([bundle / "otpburn", "gui"], env=env, cwd=tmp_path, capture_output=True, timeout=60)
        assert second.returncode == 0, second.stderr
        assert window.poll() is None
        # The guard listens only after the first paint, so the window has painted; a capture that catches a
        # repaint after the raise is taken again (a wait on what the screen shows, not on the clock).
        factory = getattr(mss, "MSS", None) or mss.mss  # mss 10 renamed the entry point
        with factory(display=screen.display.encode()) as capture:
            for _ in range(100):
                shot = capture.grab(capture.monitors[1])
                pixels = shot.rgb
                lit = sum(1 for index in range(0, len(pixels), 3 * 97) if pixels[index:index + 3] != b"\0\0\0")
                if lit > len(pixels) // (3 * 97) // 3:  # a third of the screen or more
                    break
                time.sleep(0.05)
            mss.tools.to_png(shot.rgb, shot.size, output=str(tmp_path / "bundle-window.png"))
        assert lit > len(pixels) // (3 * 97) // 3, "the window did not paint"
        assert len({pixels[index:index + 3] for index in range(0, len(pixels), 3 * 13)}) > 20
    finally:
        window.terminate()
        try:
            window.wait(10)
        except subprocess.TimeoutExpired:
            window.kill()
        screen.stop()
