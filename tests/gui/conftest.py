import contextlib
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

pytest.importorskip("PySide6", reason="the GUI extra is part of the test extras")


@pytest.fixture
def window(qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from otpburn.gui.window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()


def choose_reader(qtbot, window, spec):
    qtbot.waitUntil(lambda: window.reader.readers.findData(spec) >= 0, timeout=10_000)
    window.reader.readers.setCurrentIndex(window.reader.readers.findData(spec))


def connect(qtbot, window, spec="virtual"):
    choose_reader(qtbot, window, spec)
    window.reader.connect_button.click()
    qtbot.waitUntil(lambda: window.token.info is not None or window.token.status.kind == "stop", timeout=15_000)


def burn(qtbot, window, timeout=20_000):
    assert window.burn.burn_button.isEnabled(), window.burn.status.text()
    with qtbot.waitSignal(window.burn.burned, timeout=timeout) as blocker:
        window.burn.burn_button.click()
    return blocker.args


@contextlib.contextmanager
def themed(theme):
    """The application in `theme` for the block; afterwards the light theme and the palette it had, so that the
    next test starts from the same look."""
    from PySide6.QtWidgets import QApplication

    from otpburn.gui.app import apply_theme

    app = QApplication.instance()
    saved = app.palette()
    try:
        apply_theme(app, theme)
        yield app
    finally:
        apply_theme(app, "light")
        app.setPalette(saved)
