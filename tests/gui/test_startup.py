"""The window opens without the code it does not need yet: the burn, cryptography, the QR engine, PC/SC
and Qt's network module load after the first paint or when first used. Counted in modules, not seconds
(the timing is benchmarks/window_startup.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from otpburn.gui.burn_panel import STEP_LABELS
from otpburn.gui.seed_panel import ALGORITHMS
from otpburn.otp import Algorithm
from otpburn.provisioning.burn.steps import Step

PROBE = """
import json, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

loaded_at_paint = []

class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and watched.isWidgetType() and watched.isWindow() and not loaded_at_paint:
            loaded_at_paint.extend(sorted(sys.modules))
            watched.opened.connect(lambda: QTimer.singleShot(0, QApplication.quit))  # what follows the first paint
        return False

app = QApplication(sys.argv)
spy = FirstPaint()
app.installEventFilter(spy)
from otpburn.gui.app import main
main(theme="light")
print(json.dumps({"at_paint": loaded_at_paint, "after": sorted(sys.modules)}))
"""

HEAVY = ("otpburn.provisioning.burn.steps", "otpburn.provisioning.burn.flow", "otpburn.otp", "otpburn.sources.classify",
         "otpburn.tokens.molto2", "cryptography", "zxingcpp", "numpy", "PIL", "smartcard", "click",
         "PySide6.QtNetwork", "otpburn.registrars.settings")


def test_first_paint_comes_before_the_heavy_modules(tmp_path):
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path), "XDG_RUNTIME_DIR": str(runtime),
           "XDG_CONFIG_HOME": str(tmp_path / "config")}
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    modules = json.loads(result.stdout.strip().splitlines()[-1])
    at_paint = set(modules["at_paint"])
    assert at_paint, "the window never painted"
    assert not [name for name in HEAVY if name in at_paint]
    # ... and once the window is up, it lists readers and guards against a second window.
    after = set(modules["after"])
    assert {"PySide6.QtNetwork", "otpburn.registrars.settings"} <= after


def test_the_window_s_copies_of_names_match_the_library():
    assert ALGORITHMS == tuple(algorithm.value for algorithm in Algorithm)
    assert {name for name, _ in STEP_LABELS} <= {step.value for step in Step}


def test_otpburn_gui_entry_point_help():
    result = subprocess.run([sys.executable, "-m", "otpburn.gui.launch", "--help"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0 and "--theme" in result.stdout
    bad = subprocess.run([sys.executable, "-m", "otpburn.gui.launch", "--theme", "pink"], capture_output=True,
                         text=True, timeout=60)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr and "Traceback" not in bad.stderr
