"""README command 1 (`bash scripts/demo.sh`) on a machine like a fresh Debian/Ubuntu: the system's own
python3 (PEP 668 "externally managed"), no pyenv, no virtual environment active, an empty home and pip
cache. It must make its virtual environment, install otpburn, burn the example into the virtual token
and show the verification, in one command."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import skip_unless_required

ROOT = Path(__file__).resolve().parents[2]
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def _source_tree(target: Path) -> None:
    """What a fresh clone holds: the tracked files (and new ones not ignored), nothing built."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


@pytest.fixture(scope="module")
def system_python() -> str:
    python = shutil.which("python3", path=SYSTEM_PATH)
    if python is None:
        skip_unless_required("no system python3 outside pyenv on this machine")
    return python


def test_readme_command_1_with_the_system_python(tmp_path, system_python):
    clone, home = tmp_path / "otpburn", tmp_path / "home"
    clone.mkdir()
    home.mkdir()
    _source_tree(clone)
    # Only the machine's own settings pass: no pyenv, no VIRTUAL_ENV, no PYTHONPATH, none of the tests' state
    # variables; pip keeps its network settings (certificates, timeouts), not a cache.
    env = {key: value for key, value in os.environ.items()
           if key.startswith("PIP_") and key != "PIP_CACHE_DIR" or key in ("LANG", "LC_ALL", "TZ", "http_proxy",
                                                                          "https_proxy", "no_proxy")}
    env.update(PATH=SYSTEM_PATH, HOME=str(home), TERM="dumb")
    version = subprocess.run([system_python, "--version"], capture_output=True, text=True, env=env).stdout.strip()

    result = subprocess.run(["bash", "scripts/demo.sh"], cwd=clone, env=env, capture_output=True, text=True,
                            timeout=900)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{version}:\n{output[-4000:]}"

    config = (clone / ".venv" / "pyvenv.cfg").read_text()
    assert f"home = {Path(system_python).parent}" in config  # the system interpreter, not a pyenv one
    assert "include-system-site-packages = false" in config
    # The burn and its verification, as the README describes them.
    assert "✓ read back" in output and "Burned in" in output
    assert "The virtual token shows" in output and ": matches." in output
    assert "Traceback" not in output
    # The virtual token lives in the user's state folder of the empty home.
    assert list(home.glob(".local/state/otpburn/**/*.json")), sorted(p.name for p in home.rglob("*"))[:50]

    # The README's desktop line in the same clone: the window's extra goes into the same environment, the
    # burn runs again, then the window starts — here without a display, so it says so in one line, before
    # Qt is loaded (with a desktop session it opens).
    desktop = subprocess.run(["bash", "scripts/demo.sh", "--gui"], cwd=clone, env=env, capture_output=True,
                             text=True, timeout=900)
    assert desktop.returncode == 1, desktop.stdout[-2000:] + desktop.stderr[-2000:]
    assert ": matches." in desktop.stdout
    assert desktop.stderr.strip().splitlines()[-1] == ("otpburn-gui: no display: run it from a desktop session "
                                                       "(neither DISPLAY nor WAYLAND_DISPLAY is set)")
    assert "Reinstalling the application" not in desktop.stderr and "Traceback" not in desktop.stderr
    assert (clone / ".venv" / "bin" / "otpburn-gui").exists()
