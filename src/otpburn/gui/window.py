"""The main window: the six steps, all visible, wired together."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSettings, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QGridLayout, QMainWindow, QMessageBox, QScrollArea, QWidget

from otpburn import __version__
from otpburn.gui import worker
from otpburn.gui.burn_panel import BurnPanel
from otpburn.gui.common import show_error
from otpburn.gui.enroll_panel import EnrollPanel
from otpburn.gui.reader_panel import ReaderPanel
from otpburn.gui.seed_panel import SeedPanel
from otpburn.gui.test_panel import TestPanel
from otpburn.gui.token_panel import TokenPanel

if TYPE_CHECKING:
    from otpburn.tokens.base import TokenInfo


def identify(spec: str, report: Callable[[str], None] | None = None) -> tuple[TokenInfo, str, list | None]:
    """The token on reader `spec`, identified with reads only (off the UI thread); a Molto2's profiles too."""
    from otpburn.provisioning.session import token_session
    from otpburn.tokens.molto2 import Molto2Session

    with token_session(spec, holder="gui") as token:
        profiles = token.session.profiles() if isinstance(token.session, Molto2Session) else None
        return token.info, token.reader.name, profiles


PROJECT_URL = "https://pypi.org/project/otpburn/"


class MainWindow(QMainWindow):
    opened = Signal()  # the window has painted once; what it does next starts now
    def __init__(self, settings: QSettings | None = None) -> None:
        super().__init__()
        self._opened = False  # what the open window does first (readers, registrar file) waits for its first paint
        self.setWindowTitle(f"otpburn {__version__} — burn a 2FA seed into a hardware token")
        self.settings = settings or QSettings("otpburn", "otpburn")
        self.seed = SeedPanel()
        self.reader = ReaderPanel()
        self.token = TokenPanel()
        self.burn = BurnPanel()
        self.test = TestPanel()
        self.enroll = EnrollPanel()
        self.spec: str | None = None
        self.checks: list = []

        for panel in (self.seed, self.reader, self.token, self.burn, self.test, self.enroll):
            panel.body.addStretch(1)  # keep each step's content together at its top
        content = QWidget()
        grid = QGridLayout(content)
        grid.addWidget(self.seed, 0, 0, 2, 1)
        grid.addWidget(self.reader, 0, 1)
        grid.addWidget(self.token, 1, 1)
        grid.addWidget(self.burn, 2, 0)
        grid.addWidget(self.test, 2, 1)
        grid.addWidget(self.enroll, 3, 0, 1, 2)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        scroll = QScrollArea()
        scroll.setWidget(content)
        scroll.setWidgetResizable(True)
        self.setCentralWidget(scroll)
        self.resize(1180, 760)

        self._menus()
        self.seed.seed_changed.connect(self._seed_changed)
        self.seed.capture_requested.connect(self._capture)
        self.reader.connect_requested.connect(self.connect_token)
        self.token.profiles.chosen.connect(lambda profile: self.burn.show_profile(profile, True))
        self.burn.burned.connect(self._burned)
        self.burn.burned.connect(self.test.show_burn)
        self.test.checked.connect(self.burn.show_check)
        self.burn.burned.connect(self.enroll.show_burn)
        self._restore()

    def event(self, event: QEvent) -> bool:
        if not self._opened and event.type() in (QEvent.Type.Paint, QEvent.Type.UpdateRequest):
            self._opened = True
            QTimer.singleShot(0, self._after_first_paint)
        return super().event(event)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._opened:  # a platform that paints late (or never, minimised): do not wait for ever
            QTimer.singleShot(250, self._after_first_paint)

    def _after_first_paint(self) -> None:
        if self.reader.timer.isActive():
            return
        self._opened = True
        self.reader.start_watching()
        self.enroll.load_targets()
        self.opened.emit()

    def _menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.clear_action = QAction("&Clear for the next token", self)
        self.clear_action.setShortcut(QKeySequence("Ctrl+N"))
        self.clear_action.setStatusTip("Forget the seed shown here (the window keeps no secret), ready for the next")
        self.clear_action.triggered.connect(self.clear)
        file_menu.addAction(self.clear_action)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        help_menu = self.menuBar().addMenu("&Help")
        help_action = QAction("otpburn &help", self)
        help_action.setShortcut(QKeySequence.StandardKey.HelpContents)
        help_action.triggered.connect(self.open_help)
        help_menu.addAction(help_action)
        about_action = QAction("&About otpburn", self)
        about_action.triggered.connect(self.about)
        help_menu.addAction(about_action)

    def clear(self) -> None:
        """Clear / next token: the seed and everything derived from it leave the window; the reader stays."""
        self.seed.clear()
        self.test.clear()
        self.burn.clear_steps()
        self.burn.status.show_status("Give a seed for the next token.")

    def open_help(self) -> bool:
        """The README's desktop-app section: the local copy (beside a source checkout, or inside the desktop
        bundle), else the project page."""
        bundled = getattr(sys, "_MEIPASS", None)  # set by the PyInstaller bundle, which carries the README
        readme = Path(bundled) / "README.md" if bundled else Path(__file__).resolve().parents[3] / "README.md"
        url = QUrl.fromLocalFile(str(readme)) if readme.is_file() else QUrl(PROJECT_URL)
        url.setFragment("the-desktop-app")
        return QDesktopServices.openUrl(url)

    def about_text(self) -> str:
        import platform

        from PySide6 import __version__ as pyside_version
        from PySide6.QtCore import qVersion

        try:
            from importlib.metadata import version

            pcsc = f"pyscard {version('pyscard')}"
        except Exception:  # noqa: BLE001 (not installed: the virtual token still works)
            pcsc = "pyscard not installed (the virtual tokens work without it)"
        return (f"<b>otpburn {__version__}</b><br>Burn a 2FA seed into a hardware OTP token, and prove it.<br><br>"
                f"Licence: MIT<br>Python {platform.python_version()}, Qt {qVersion()}, PySide6 {pyside_version}<br>"
                f"PC/SC: {pcsc}")

    def about(self) -> None:
        QMessageBox.about(self, "About otpburn", self.about_text())

    # --- flow ------------------------------------------------------------------------
    def _seed_changed(self, params) -> None:
        self.test.show_seed(params)
        self._refresh()

    def connect_token(self, spec: str) -> None:
        self.spec = None
        self.token.show_info(None)
        self.token.status.show_status("Connecting… (the token must be switched on and on the reader)")
        self.reader.connect_button.setEnabled(False)
        worker.start(lambda report: identify(spec, report), lambda result: self._connected(spec, result),
                     self._connect_failed)

    def _connected(self, spec: str, result) -> None:
        info, reader_name, profiles = result
        self.reader.connect_button.setEnabled(True)
        self.spec = spec
        self.token.show_info(info, reader_name, profiles)
        self.burn.show_profile(self.token.profiles.selected if profiles is not None else None, profiles is not None)
        self.settings.setValue("reader", spec)
        self._refresh()

    def _burned(self, report, display) -> None:
        if report.profile is not None:  # the read-back confirmed it: the grid shows it, and the next free is chosen
            self.token.profiles.mark_burned(report.profile, report.title or "", report.params)

    def _connect_failed(self, exc) -> None:
        self.reader.connect_button.setEnabled(True)
        self.token.show_info(None)
        show_error(self.token.status, exc)
        self._refresh()

    def _refresh(self) -> None:
        self.checks = self.token.check(self.seed.params) if self.token.info else []
        self.burn.update_state(self.spec, self.seed.params, self.token.info, self.checks)

    def _capture(self, hide: bool) -> None:
        """Get out of the way while the screen is captured, and come back after."""
        if hide:
            self.showMinimized()
        else:
            self.showNormal()
            self.raise_()
            self.activateWindow()

    # --- remembered options (never a secret) -----------------------------------------
    def _restore(self) -> None:
        self.reader.preferred = str(self.settings.value("reader", "")) or None
        self.burn.sync_clock.setChecked(bool(self.settings.value("sync_clock", False, type=bool)))
        index = self.burn.display_timeout.findData(int(str(self.settings.value("display_timeout", 30))))
        self.burn.display_timeout.setCurrentIndex(max(index, 0))
        index = self.burn.export_format.findData(self.settings.value("export_format", "none"))
        self.burn.export_format.setCurrentIndex(max(index, 0))
        folder = self.settings.value("export_folder", None)
        if folder:
            self.burn.export_folder.setText(str(folder))

    def closeEvent(self, event) -> None:
        self.settings.setValue("sync_clock", self.burn.sync_clock.isChecked())
        self.settings.setValue("display_timeout", self.burn.display_timeout.currentData())
        self.settings.setValue("export_format", self.burn.export_format.currentData())
        self.settings.setValue("export_folder", self.burn.export_folder.text())
        self.reader.timer.stop()
        self.test.timer.stop()
        worker.wait_all(3000)
        super().closeEvent(event)
