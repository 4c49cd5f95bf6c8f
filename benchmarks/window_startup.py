"""Start-up of the desktop app against a bare PySide6 window, measured in the same run.

Each run is a new process, timed from its start until its first window has painted (the process reports
the moment on the system-wide monotonic clock, then ends at once):
- baseline: a bare QMainWindow;
- empty shell: otpburn's window with nothing in its cards (style, system colour scheme, menu, scroll area,
  six titled cards), for what PySide charges before any content;
- otpburn-gui: the desktop app's entry point (the one-instance check, the whole window);
- otpburn gui: the same window through the command line (click first).
All use the same driver (QApplication made first, a filter on the shown window that notes its first paint),
so the ratio is what otpburn adds; otpburn starts as a user starts it, with the system's theme. The work an
open window does next (listing readers, reading the registrar file, the second-window guard) is not in it:
it starts after the first paint on purpose.

Usage: QT_QPA_PLATFORM=offscreen python benchmarks/window_startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import Timing, print_table  # noqa: E402


def time_first_paint(label: str, argv: list[str], runs: int, env: dict[str, str]) -> Timing:
    """From the start of the process to its first paint (after one warm-up run), and its peak RSS."""
    samples, peak = [], 0
    for index in range(runs + 1):
        started = time.monotonic()
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env={**os.environ, **env})
        output = process.stdout.read() if process.stdout else b""
        _, status, usage = os.wait4(process.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0 or not output.strip():
            raise SystemExit(f"{label}: exit status {os.waitstatus_to_exitcode(status)}, no first paint")
        if index:
            samples.append(float(output.split()[-1]) - started)
            peak = max(peak, usage.ru_maxrss)
    return Timing(label, samples, peak)

DRIVER = """
import os, sys, time
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow

class QuitOnFirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            os.write(1, f"{time.monotonic()}\\n".encode())
            os._exit(0)
        return False

# The filter watches the shown window only: one on the whole application would run Python for every event of
# every widget being built, a cost proportional to the widget count that a real start does not pay.
spy = QuitOnFirstPaint()
show = QMainWindow.show
def show_watched(window):
    window.installEventFilter(spy)
    show(window)
QMainWindow.show = show_watched

app = QApplication(sys.argv)
if sys.argv[1] == "bare":
    window = QMainWindow()
    window.resize(1180, 760)
    window.show()
    app.exec()
elif sys.argv[1] == "shell":
    # otpburn's window with nothing in its cards: Fusion, the system colour scheme read, a menu, a scroll area
    # and six titled group boxes in two columns. What any content costs comes on top of this.
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QScrollArea, QStyleFactory, QVBoxLayout, QWidget
    app.styleHints().colorScheme() == Qt.ColorScheme.Dark  # as otpburn reads the system's theme
    app.setStyle(QStyleFactory.create("Fusion"))
    app.setPalette(app.style().standardPalette())
    window = QMainWindow()
    window.resize(1240, 820)
    for menu, actions in (("&File", ("&Clear", "&Quit")), ("&Help", ("&Help", "&About"))):
        added = window.menuBar().addMenu(menu)
        for action in actions:
            added.addAction(action)
    content = QWidget()
    columns = QHBoxLayout(content)
    left, right = QVBoxLayout(), QVBoxLayout()
    columns.addLayout(left)
    columns.addLayout(right)
    for number in range(1, 7):
        card = QGroupBox(f"{number}. Step")
        QVBoxLayout(card)
        (left if number <= 3 else right).addWidget(card)
    scroll = QScrollArea()
    scroll.setWidget(content)
    scroll.setWidgetResizable(True)
    window.setCentralWidget(scroll)
    window.show()
    app.exec()
elif sys.argv[1] == "otpburn-gui":
    from otpburn.gui.launch import main
    sys.argv[1:] = []
    main()
else:
    from otpburn.cli.main import main
    main(["gui"])
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        runtime = Path(home) / "runtime"
        runtime.mkdir(mode=0o700)
        env = {"QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"), "HOME": home,
               "XDG_RUNTIME_DIR": str(runtime), "XDG_CONFIG_HOME": str(Path(home) / "config"),
               "OTPBURN_REGISTRAR_FILE": str(Path(home) / "registrars.toml"),
               # As installed: byte code cached (pip compiles at install; the warm-up run writes it here).
               "PYTHONDONTWRITEBYTECODE": ""}
        driver = [sys.executable, "-c", DRIVER]
        baseline = time_first_paint("bare PySide6 window (baseline)", [*driver, "bare"], args.runs, env=env)
        rows = [baseline,
                time_first_paint("empty shell of the window, first paint", [*driver, "shell"], args.runs, env=env),
                time_first_paint("otpburn-gui, first paint", [*driver, "otpburn-gui"], args.runs, env=env),
                time_first_paint("otpburn gui (through the CLI), first paint", [*driver, "otpburn"], args.runs,
                                 env=env)]
    print(f"window start-up, {args.runs} runs each, platform {env['QT_QPA_PLATFORM']} "
          "(peak = max resident set size of the process)")
    print_table(rows, baseline, "peak RSS KiB")


if __name__ == "__main__":
    main()
