"""Screenshots of the desktop app at each step, for docs/screenshots (offscreen Qt).

Run from the repository root: python scripts/gui_screenshots.py [--screen 1280x720] [--scale 2]
The window opens on an offscreen screen of that size (in device pixels) at the size it picks for it.
Uses the built-in virtual token and a private state folder; nothing of yours is touched.
"""

import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
state = Path(tempfile.mkdtemp(prefix="otpburn-shots-"))
os.environ.update({"QT_QPA_PLATFORM": "offscreen", "OTPBURN_VIRTUAL_TOKEN": str(state / "token.json"),
                   "OTPBURN_VIRTUAL_MOLTO2": str(state / "molto2.json"),
                   "OTPBURN_ATTEMPTS_FILE": str(state / "attempts.json"),
                   "OTPBURN_AUDIT_LOG": str(state / "audit.jsonl"), "OTPBURN_LOCK_FILE": str(state / "lock"),
                   "PCSCLITE_CSOCK_NAME": str(state / "no-pcscd")})
screen = sys.argv[sys.argv.index("--screen") + 1] if "--screen" in sys.argv else "1280x720"
scale = float(sys.argv[sys.argv.index("--scale") + 1]) if "--scale" in sys.argv else 1.0
width, height = (int(number) for number in screen.split("x"))
(state / "screen.json").write_text(json.dumps({"screens": [{"name": "screen", "x": 0, "y": 0, "width": width,
                                                               "height": height, "logicalDpi": 96, "dpr": 1}]}))
os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={state / 'screen.json'}"
if scale != 1:
    os.environ["QT_SCALE_FACTOR"] = str(scale)
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))  # the Graph contract server of the tests stands in for Entra ID in step 6

from PySide6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from tests.support.graph_contract import GraphContractServer  # noqa: E402

from otpburn.gui.app import apply_theme  # noqa: E402
from otpburn.gui.window import MainWindow  # noqa: E402


def wait(signal=None, condition=None, ms=15000):
    loop = QEventLoop()
    if signal is not None:
        signal.connect(lambda *args: loop.quit())
    if condition is not None:
        timer = QTimer()
        timer.timeout.connect(lambda: condition() and loop.quit())
        timer.start(50)
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def shot(widget, name):
    QApplication.processEvents()
    widget.grab().save(str(OUT / f"{name}.png"))
    print(f"wrote docs/screenshots/{name}.png")


def main() -> None:
    suffix = f"-{int(scale * 100)}" if scale != 1 else ""
    app = QApplication(sys.argv)
    OUT.mkdir(parents=True, exist_ok=True)
    for theme in ("light", "dark"):
        # Every step in every variant: light and dark at 100 % (1280×720), light at 200 % (1920×1080).
        tag = suffix or ("" if theme == "light" else "-dark")
        apply_theme(app, theme)
        window = MainWindow(QSettings(str(state / f"{theme}.ini"), QSettings.Format.IniFormat))
        window.show()  # at the size it picks for the screen it is on
        (state / theme).mkdir(exist_ok=True)
        entra = GraphContractServer(state / theme).__enter__()  # a registrar file of its own per window
        entra.directory.add_user("amy@contoso.onmicrosoft.com", "Amy Masters")
        window.enroll.registrar_file = str(entra.registrar_file())
        window.enroll.load_targets()
        wait(condition=lambda window=window: window.reader.readers.count() > 0, ms=5000)
        shot(window, f"0-start{tag}")
        window.seed.load_image(str(ROOT / "examples" / "2fa-setup-screenshot.png"))
        wait(window.seed.seed_changed)
        window.reader.readers.setCurrentIndex(window.reader.readers.findData("virtual"))
        window.connect_token("virtual")
        wait(condition=lambda window=window: window.token.info is not None)
        shot(window.seed, f"1-seed{tag}")
        shot(window.reader, f"2-reader{tag}")
        shot(window.token, f"3-token{tag}")
        window.burn.sync_clock.setChecked(True)
        window.burn.burn_button.click()
        wait(window.burn.burned)
        shot(window, f"window-{theme}{suffix}")
        shot(window.burn, f"4-burn{tag}")
        window.test.typed.setText("123456")  # a wrong code: the failure and its diagnosis
        window.test.check_button.click()
        shot(window.test, f"5-test{tag}")
        window.enroll.user.setText("amy@contoso.onmicrosoft.com")
        window.enroll.enroll_button.click()
        wait(condition=lambda window=window: window.enroll.status.kind != "info", ms=20000)
        shot(window.enroll, f"6-enroll{tag}")
        entra.__exit__(None, None, None)
        if theme == "light" and not suffix:
            molto2_shots(window)
        window.close()
        if suffix:
            break


def molto2_shots(window) -> None:
    """The virtual Molto2: three profiles burned with titles, the grid on the next free one."""
    from PySide6.QtWidgets import QInputDialog

    QInputDialog.getText = staticmethod(lambda *args: ("", True))  # the dialog's "empty: the factory key"
    window.reader.readers.setCurrentIndex(window.reader.readers.findData("virtual-molto2"))
    window.connect_token("virtual-molto2")
    wait(condition=lambda: window.token.info is not None and not window.token.profiles.isHidden())
    for title in ("Atlassian", "GitHub", "Bank"):
        window.burn.profile_title.setText(title)
        window.burn.burn_button.click()
        wait(window.burn.burned)
    window.burn.profile_title.setText("")
    shot(window.token, "3-token-molto2")
    shot(window, "window-molto2")


if __name__ == "__main__":
    main()
