"""The window's long run: typing 50 links, a scan, a burn and an hour of ticks in one process.

Run in a subprocess (tests/support/gui_soak.py) because the failure it guards against is an interpreter
abort. The PySide6 range in pyproject.toml rests on this test: the second test installs PySide6 6.12.0
beside the environment's own and shows that the soak run catches its reference-count bug on Python 3.11.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SOAK = Path(__file__).parents[1] / "support" / "gui_soak.py"


def run_soak(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess, list[dict]]:
    done = subprocess.run([sys.executable, str(SOAK), *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})})
    phases = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return done, phases


def test_the_window_lives_through_typing_scanning_burning_and_an_hour_of_ticks():
    done, phases = run_soak()
    assert done.returncode == 0, done.stderr[-2000:]
    assert [phase["phase"] for phase in phases] == ["opened", "typed", "scanned", "burned", "ticked", "closed"]
    counts = {phase["phase"]: phase["none_refs"] for phase in phases}
    # None's count grows as objects that hold None are made; a binding that drops references makes it fall
    # by one per call (thousands over an hour of ticks). It never falls below where it started, phase by phase.
    assert counts["typed"] >= counts["opened"]
    assert counts["ticked"] >= counts["burned"], counts  # 3,600 ticks, ~18,000 calls into Qt
    assert counts["closed"] >= counts["opened"]


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12: no count to fall")
def test_the_soak_run_catches_pyside6_6_12_0_on_python_3_11(tmp_path):
    target = tmp_path / "pyside6-6.12.0"
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                              "--no-deps", "--target", str(target), "PySide6-Essentials==6.12.0", "shiboken6==6.12.0"],
                             capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stderr[-2000:]
    done, phases = run_soak("--links", "50", "--ticks", "3600", env={"PYTHONPATH": str(target)})
    assert "none_dealloc" in done.stderr and done.returncode != 0, (done.returncode, phases)
    assert phases[0]["phase"] == "opened" and len(phases) < 6  # it died on the way
