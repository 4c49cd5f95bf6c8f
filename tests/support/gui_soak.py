"""A long run of the window in one process: typing, scanning, burning, then an hour of ticks.

Run as a script (`python tests/support/gui_soak.py [--ticks N] [--links N]`) by tests/gui/test_soak.py,
so that an interpreter abort (a binding that drops a reference it does not own) ends this process, not
the test run. Prints one JSON line per phase: {"phase": ..., "none_refs": sys.getrefcount(None)}.

On Python 3.11, None is an ordinary object: a binding that gives back None one reference short makes its
count fall with every call until the interpreter aborts ("none_dealloc"). On 3.12+ None is immortal and
its count never moves, so the abort cannot happen there.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "2fa-setup-screenshot.png")


def report(phase: str, **extra: object) -> None:
    print(json.dumps({"phase": phase, "none_refs": sys.getrefcount(None), **extra}), flush=True)


def wait_until(app, condition, what: str, limit: float = 30.0) -> None:
    """Process events until `condition()` holds; `limit` seconds is a generous guard against a hang."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"soak: gave up waiting for {what}")
        app.processEvents()
        time.sleep(0.005)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--links", type=int, default=50, help="otpauth links typed into the seed field")
    parser.add_argument("--ticks", type=int, default=3600, help="once-a-second ticks of the Test card")
    arguments = parser.parse_args()

    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from otpburn.gui.window import MainWindow

    app = QApplication([])
    folder = tempfile.TemporaryDirectory(prefix="otpburn-soak-")
    settings = QSettings(os.path.join(folder.name, "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    window.show()
    app.processEvents()
    report("opened")

    for number in range(arguments.links):
        window.seed.manual.clear()
        link = f"otpauth://totp/Soak:user{number}@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Soak&period=30"
        QTest.keyClicks(window.seed.manual, link)
        QTest.keyClick(window.seed.manual, Qt.Key.Key_Return)
        app.processEvents()
    report("typed", links=arguments.links)

    window.seed.manual.clear()
    window.seed.load_image(EXAMPLE)
    wait_until(app, lambda: window.seed.params is not None and window.seed.params.issuer == "Atlassian",
               "the example's seed")
    report("scanned")

    readers = window.reader.readers
    wait_until(app, lambda: readers.findData("virtual") >= 0, "the virtual reader")
    readers.setCurrentIndex(readers.findData("virtual"))
    window.reader.connect_button.click()
    wait_until(app, lambda: window.token.info is not None, "the virtual token")
    burned: list[object] = []
    window.burn.burned.connect(lambda *args: burned.append(args))
    window.burn.burn_button.click()
    wait_until(app, lambda: bool(burned), "the burn")
    report("burned")

    # An hour of the Test card's once-a-second tick, without waiting an hour for it.
    for second in range(arguments.ticks):
        window.test.tick()
        if second % 60 == 0:
            app.processEvents()
    report("ticked", ticks=arguments.ticks)
    window.close()
    app.processEvents()
    report("closed")
    folder.cleanup()


if __name__ == "__main__":
    main()
