"""The main window: the six steps as cards, all visible, wired together; each card shows its state and one
action at a time is the highlighted one."""

from __future__ import annotations

import platform
import sys
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSettings, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QResizeEvent, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QMainWindow, QScrollArea, QVBoxLayout, QWidget

from otpburn import __version__
from otpburn.errors import OtpburnError, Remedy
from otpburn.gui import worker
from otpburn.gui.burn_panel import BurnPanel
from otpburn.gui.common import StepBox, StepState, mark_primary, show_error
from otpburn.gui.enroll_panel import EnrollPanel
from otpburn.gui.reader_panel import ReaderPanel
from otpburn.gui.seed_panel import SeedPanel
from otpburn.gui.test_panel import TestPanel
from otpburn.gui.token_panel import TokenPanel
from otpburn.gui.worker import Report, TaskFailure
from otpburn.untrusted import ascii_number

if TYPE_CHECKING:
    from otpburn.otp import OtpParams
    from otpburn.provisioning.burn.checks import Check
    from otpburn.provisioning.burn.steps import BurnReport
    from otpburn.tokens.base import TokenInfo
    from otpburn.tokens.molto2 import Profile


Identified = tuple["TokenInfo", str, "list[Profile] | None"]  # the token, its reader's name, a Molto2's profiles


def identify(spec: str, report: Report | None = None) -> Identified:
    """The token on reader `spec`, identified with reads only (off the UI thread); a Molto2's profiles too."""
    from otpburn.provisioning.access.session import token_session
    from otpburn.tokens.molto2 import Molto2Session

    with token_session(spec, holder="gui") as token:
        profiles = token.session.profiles() if isinstance(token.session, Molto2Session) else None
        return token.info, token.reader.name, profiles


def probe_to_file(spec: str, path: str) -> None:
    """The read-only probe (off the UI thread) and its report file."""
    from otpburn.provisioning.access.session import probe_reader
    from otpburn.provisioning.records.probe_reports import write_report

    write_report(probe_reader(spec, holder="gui"), path, force=True)


PROJECT_URL = "https://pypi.org/project/otpburn/"
# Below this width (in logical pixels: 200 % on a 1920-pixel screen is 960) the cards stand in one column.
TWO_COLUMNS_FROM = 1000


def guide_path() -> Path | None:
    """The desktop guide beside a source checkout, or inside the desktop bundle (which carries docs/)."""
    bundled = getattr(sys, "_MEIPASS", None)  # set by the PyInstaller bundle
    guide = (Path(bundled) if bundled else Path(__file__).resolve().parents[3]) / "docs" / "desktop.md"
    return guide if guide.is_file() else None


class MainWindow(QMainWindow):
    opened = Signal()  # the window has painted once; what it does next starts now
    def __init__(self, settings: QSettings | None = None) -> None:
        super().__init__()
        self._opened = False  # what the open window does first (readers, registrar file) waits for its first paint
        self.setWindowTitle(self.tr("otpburn {0} — burn a 2FA seed into a hardware token").format(__version__))
        self.settings = settings or QSettings("otpburn", "otpburn")
        self.seed = SeedPanel()
        self.reader = ReaderPanel()
        self.token = TokenPanel()
        self.burn = BurnPanel()
        self.test = TestPanel()
        self.enroll = EnrollPanel()
        self.token.report_button.clicked.connect(self._ask_report_file)
        self.spec: str | None = None
        self.unknown_spec: str | None = None  # the reader of a token otpburn does not know (for its report)
        self.checks: list[Check] = []

        self.steps = (self.seed, self.reader, self.token, self.burn, self.test, self.enroll)
        # The cards' heights again once the event loop has laid out what changed. A timer the window owns, not
        # QTimer.singleShot: it dies with the window, so it never calls into cards already deleted.
        self._refit = QTimer(self)
        self._refit.setSingleShot(True)
        self._refit.setInterval(0)
        self._refit.timeout.connect(self._fit_content_height)
        # Two columns of cards, each as tall as its content (no stretched, empty halves): getting the seed and
        # the token on the left, burning, testing and enrolling on the right. One column when narrow.
        content = QWidget()
        self.columns = QHBoxLayout(content)
        self.left, self.right = QVBoxLayout(), QVBoxLayout()
        for column in (self.left, self.right):
            self.columns.addLayout(column, 1)
        self.one_column: bool | None = None
        self._arrange(one_column=False)
        scroll = QScrollArea()
        scroll.setWidget(content)
        scroll.setWidgetResizable(True)
        self.setCentralWidget(scroll)
        self._fit_to_screen()

        self._menus()
        self.seed.seed_changed.connect(self._seed_changed)
        self.seed.capture_requested.connect(self._capture)
        self.reader.connect_requested.connect(self.connect_token)
        self.reader.help_requested.connect(self.open_help)
        self.token.profiles.chosen.connect(lambda profile: self.burn.show_profile(profile, True))
        self.burn.burned.connect(self._burned)
        self.burn.burned.connect(self.test.show_burn)
        self.test.checked.connect(self.burn.show_check)
        self.burn.burned.connect(self.enroll.show_burn)
        # Every status line, seed and result moves the flow on: states and the highlighted action follow.
        for panel in self.steps:
            panel.status.changed.connect(self.update_flow)
        self.seed.seed_changed.connect(self.update_flow)
        self.burn.burned.connect(self.update_flow)
        self.test.checked.connect(self.update_flow)
        self.reader.readers.currentIndexChanged.connect(self._reader_changed)
        self.test.next_button.clicked.connect(self.clear)
        for signal in (self.enroll.target.currentIndexChanged, self.enroll.user.textChanged,
                       self.enroll.code.textChanged, self.enroll.computed.toggled, self.burn.upn.textChanged,
                       self.burn.export_format.currentIndexChanged, self.burn.replace_profile.toggled):
            signal.connect(self.update_flow)  # they enable or disable the step's action
        self._restore()
        self.update_flow()

    # --- layout ------------------------------------------------------------------------
    def _arrange(self, one_column: bool) -> None:
        if one_column == self.one_column:
            return
        self.one_column = one_column
        for column in (self.left, self.right):
            while column.count():
                column.takeAt(0)
        halves = (self.steps, ()) if one_column else (self.steps[:3], self.steps[3:])
        for column, cards in zip((self.left, self.right), halves, strict=True):
            for card in cards:
                column.addWidget(card)
            column.addStretch(1)
        self.columns.setStretch(1, 0 if one_column else 1)  # one column: the cards take the whole width

    def _fit_to_screen(self) -> None:
        """A size that fits the screen it opens on (1280×720 at 100 %, 1920×1080 at 200 %) and uses a larger one's
        room (a Molto2's grid and every card open without scrolling on 1920×1080); the cards scroll beyond."""
        screen = self.screen().availableGeometry() if self.screen() else None
        width, height = 1400, 1040
        if screen is not None:
            width, height = min(width, screen.width() - 40), min(height, screen.height() - 40)
        self.resize(max(width, 480), max(height, 400))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange(one_column=self.width() < TWO_COLUMNS_FROM)
        self._refit.start()  # once the cards have their new widths

    def _fit_content_height(self) -> None:
        """Each card at least as tall as its text needs at its present width: a scroll area sizes its content by
        minimum sizes, which do not count the extra lines of wrapped text, and would squeeze the cards."""
        for card in self.steps:
            if card.width() > 0:
                card.setMinimumHeight(card.heightForWidth(card.width()))

    # --- the flow: each step's state, and the one action to take next ------------------
    def step_states(self) -> dict[StepBox, StepState]:
        seed, reader, token, burn, test, enroll = self.steps
        connected = self.spec is not None and self.token.info is not None
        burned = self.test.burned is not None and self.test.burned.params == self.seed.params
        stops = any(check.verdict == "stop" for check in self.checks)

        def by_status(panel: StepBox, otherwise: StepState) -> StepState:
            return StepState.ATTENTION if panel.status.kind == "stop" else otherwise

        return {
            seed: StepState.DONE if self.seed.params is not None else by_status(seed, StepState.READY),
            reader: (StepState.WORKING if not self.reader.connect_button.isEnabled() else StepState.DONE if connected
                     else by_status(reader, StepState.READY if self.reader.readers.count() else StepState.WAITING)),
            token: (StepState.ATTENTION if connected and stops else StepState.DONE if connected
                    else by_status(token, StepState.WAITING)),
            burn: (StepState.WORKING if self.burn.busy else StepState.DONE if burned
                   else by_status(burn, StepState.READY if self.burn.burn_button.isEnabled() else StepState.WAITING)),
            test: (StepState.WAITING if self.seed.params is None or not burned and self.test.matched is None
                   else StepState.DONE if self.test.matched else StepState.ATTENTION if self.test.matched is False
                   else StepState.READY),
            enroll: (StepState.WORKING if self.enroll.busy else StepState.DONE if self.enroll.enrolled is not None
                     and self.enroll.status.kind == "ok" else by_status(enroll, StepState.READY
                                                                         if self.enroll.enroll_button.isEnabled()
                                                                         else StepState.WAITING)),
        }

    def update_flow(self, *_changed: object) -> None:
        self._fit_content_height()  # a status line may have grown by a line
        self._refit.start()  # and once a widget just shown or hidden is laid out
        states = self.step_states()
        for panel, state in states.items():
            panel.set_state(state)
        # The next action: the first step not done that has one to take.
        actions = [(self.seed, self.seed.scan_button), (self.reader, self.reader.connect_button),
                   (self.burn, self.burn.burn_button), (self.test, self.test.check_button),
                   (self.enroll, self.enroll.enroll_button)]
        primary = next((button for panel, button in actions
                        if states[panel] in (StepState.READY, StepState.ATTENTION) and button.isEnabled()), None)
        finished = states[self.test] is StepState.DONE and states[self.burn] is StepState.DONE
        self.test.next_button.setVisible(finished)
        if finished and (primary is None or primary is self.test.check_button):
            primary = self.test.next_button
        for button in [button for _, button in actions] + [self.test.next_button]:
            mark_primary(button, button is primary)

    def event(self, event: QEvent) -> bool:
        if not self._opened and event.type() in (QEvent.Type.Paint, QEvent.Type.UpdateRequest):
            self._opened = True
            QTimer.singleShot(0, self, self._after_first_paint)  # cancelled if the window goes first
        return super().event(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._opened:  # a platform that paints late (or never, minimised): do not wait for ever
            QTimer.singleShot(250, self, self._after_first_paint)

    def _after_first_paint(self) -> None:
        if self.reader.timer.isActive():
            return
        self._opened = True
        self.reader.start_watching()
        self.enroll.load_targets()
        self.opened.emit()

    def _menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        self.clear_action = QAction(self.tr("&Clear for the next token"), self)
        self.clear_action.setShortcut(QKeySequence("Ctrl+N"))
        self.clear_action.setStatusTip(self.tr("Forget the seed shown here (the window keeps no secret), ready for "
                                               "the next"))
        self.clear_action.triggered.connect(self.clear)
        file_menu.addAction(self.clear_action)
        file_menu.addSeparator()
        quit_action = QAction(self.tr("&Quit"), self)
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        help_action = QAction(self.tr("otpburn &help"), self)
        help_action.setShortcut(QKeySequence.StandardKey.HelpContents)
        help_action.triggered.connect(self.open_help)
        help_menu.addAction(help_action)
        about_action = QAction(self.tr("&About otpburn"), self)
        about_action.triggered.connect(self.about)
        help_menu.addAction(about_action)

    def clear(self) -> None:
        """Clear / next token: the seed, the token and everything derived from them leave the window; the reader
        stays."""
        self.seed.clear()
        self.test.clear()
        self.enroll.clear()
        self.burn.clear_steps()
        self.burn.status.show_status(self.tr("Give a seed for the next token."))
        self.forget_token(self.tr("Place the next token on the reader and connect."))

    def forget_token(self, status: str) -> None:
        """The token card back to its start: another token, or another reader, comes next."""
        self.spec = None
        self.unknown_spec = None
        self.token.show_info(None)
        self.token.status.show_status(status)
        self.test.show_token(False)
        self._refresh()

    def _reader_changed(self) -> None:
        if self.spec is not None and self.reader.selected_spec() != self.spec:
            self.forget_token(self.tr("Connect to see the token."))
        self.update_flow()

    def help_text(self) -> str:
        """The help the window carries itself: it needs no browser and no file."""
        return self.tr(
            "<p><b>Burn a seed into a token, in six steps.</b></p><ol>"
            "<li><b>Seed</b>: scan the screens for the 2FA QR code, open or drop an image, paste a link or a "
            "secret, open a seed file, or make a random seed.</li>"
            "<li><b>Reader</b>: choose the NFC reader (or a virtual token to try things) and connect.</li>"
            "<li><b>Token</b>: switch the token on and keep it still on the reader; the card shows its model, "
            "serial, clock and whether the seed fits.</li>"
            "<li><b>Burn</b>: checks first, then the burn and a read-back. Nothing is written until every "
            "check passed.</li>"
            "<li><b>Test</b>: compare the codes with the token's display, or type the token's code: a mismatch "
            "is explained (clock, hash, time step, digits).</li>"
            "<li><b>Enroll</b>: register the token in the identity system named in the registrar file.</li></ol>"
            "<p><b>When something is wrong</b>: no reader — install and start the PC/SC service (Linux: "
            "<tt>sudo apt install pcscd</tt>), or try a virtual token; no token — switch it on, it sleeps after a "
            "while; a refused key — stop and check the key: otpburn never tries twice, and tokens lock after "
            "failed attempts; codes one step off — burn again with the clock synchronised.</p>"
            "<p>File → Clear for the next token (Ctrl+N) removes the seed from the window.</p>")

    def open_help(self) -> None:
        """Help that always opens: the window's own page, with the full guide (the local copy beside a source
        checkout or inside the desktop bundle, else the project page) one button away."""
        from PySide6.QtWidgets import QMessageBox  # here and in about(): PySide's types cost time before first paint

        box = QMessageBox(QMessageBox.Icon.NoIcon, self.tr("otpburn help"), self.help_text(),
                          QMessageBox.StandardButton.Close, self)
        self.guide_button = box.addButton(self.tr("Open the full guide"), QMessageBox.ButtonRole.HelpRole)
        box.buttonClicked.connect(lambda button: self.open_guide() if button is self.guide_button else None)
        self.help_box = box
        box.open()

    def open_guide(self) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices
        from PySide6.QtWidgets import QMessageBox

        guide = guide_path()
        url = QUrl.fromLocalFile(str(guide)) if guide is not None else QUrl(PROJECT_URL)
        if not QDesktopServices.openUrl(url):
            QMessageBox.information(self, self.tr("otpburn help"), self.tr(
                "No program here opens {0}. The guide is the file docs/desktop.md of otpburn's source, also at "
                "{1}.").format(url.toString(), PROJECT_URL))

    def about_text(self) -> str:
        from PySide6 import __version__ as pyside_version
        from PySide6.QtCore import qVersion

        try:
            pcsc = f"pyscard {version('pyscard')}"
        except Exception:  # noqa: BLE001 (not installed: the virtual token still works)
            pcsc = "pyscard not installed (the virtual tokens work without it)"
        return (f"<b>otpburn {__version__}</b><br>Burn a 2FA seed into a hardware OTP token, and prove it.<br><br>"
                f"Licence: MIT<br>Python {platform.python_version()}, Qt {qVersion()}, PySide6 {pyside_version}<br>"
                f"PC/SC: {pcsc}")

    def about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.about(self, self.tr("About otpburn"), self.about_text())

    # --- flow ------------------------------------------------------------------------
    def _seed_changed(self, params: OtpParams | None) -> None:
        self.test.show_seed(params)
        self._refresh()

    def connect_token(self, spec: str) -> None:
        self.spec = None
        self.token.show_info(None)
        self.test.show_token(False)
        self.token.status.show_status(self.tr("Connecting… (the token must be switched on and on the reader)"))
        self.reader.connect_button.setEnabled(False)
        self.update_flow()
        worker.start(lambda report: identify(spec, report), lambda result: self._connected(spec, result),
                     lambda failure: self._connect_failed(failure, spec))

    def _connected(self, spec: str, result: Identified) -> None:
        info, reader_name, profiles = result
        self.reader.connect_button.setEnabled(True)
        self.spec = spec
        self.token.show_info(info, reader_name, profiles)
        self.test.show_token(True)
        self.burn.show_profile(self.token.profiles.selected if profiles is not None else None, profiles is not None)
        self.settings.setValue("reader", spec)
        self._refresh()

    def _burned(self, report: BurnReport, display: str | None) -> None:
        if report.profile is not None:  # the read-back confirmed it: the grid shows it, and the next free is chosen
            self.token.profiles.mark_burned(report.profile, report.title or "", report.params)

    def _connect_failed(self, exc: TaskFailure, spec: str | None = None) -> None:
        self.reader.connect_button.setEnabled(True)
        self.token.show_info(None)
        show_error(self.token.status, exc)
        unknown = isinstance(exc.error, OtpburnError) and exc.error.remedy is Remedy.PROBE_REPORT
        self.unknown_spec = spec if unknown else None
        self.token.report_button.setVisible(unknown)
        self._refresh()

    def _ask_report_file(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save a report of the token"),
                                              str(Path.home() / "otpburn-token-report.json"),
                                              self.tr("Reports (*.json)"))
        if path:
            self.save_report(path)

    def save_report(self, path: str) -> None:
        """The read-only probe of the unknown token, written to `path` (the file dialog asked about replacing)."""
        spec = self.unknown_spec
        if spec is None:
            return
        self.token.report_button.setEnabled(False)
        self.token.status.show_status(self.tr("Reading the token (reads only)…"))
        worker.start(lambda report: probe_to_file(spec, path), lambda done: self._report_saved(path),
                     self._report_failed)

    def _report_saved(self, path: str) -> None:
        self.token.report_button.setEnabled(True)
        self.token.status.show_status(self.tr("Report saved to {0}. It holds no secret: share it so that support "
                                              "for this token can be written.").format(path), "ok")

    def _report_failed(self, exc: TaskFailure) -> None:
        self.token.report_button.setEnabled(True)
        show_error(self.token.status, exc)

    def _refresh(self) -> None:
        self.checks = self.token.check(self.seed.params) if self.token.info else []
        self.burn.update_state(self.spec, self.seed.params, self.token.info, self.checks)
        self.update_flow()

    def _capture(self, hide: bool) -> None:
        """Get out of the way while the screen is captured, and come back after."""
        if hide:
            self.showMinimized()
        else:
            self.showNormal()
            self.raise_()
            self.activateWindow()

    # --- remembered options (never a secret) -----------------------------------------
    def _text_setting(self, key: str) -> str:
        """A text value of the settings file. Written by hand with a comma and no quotes, it comes back from
        QSettings as a list of its parts (trimmed): joined again, as it was most likely written."""
        value = self.settings.value(key, "")
        return ", ".join(map(str, value)) if isinstance(value, list) else str(value or "")

    def _restore(self) -> None:
        self.reader.preferred = self._text_setting("reader") or None
        self.burn.sync_clock.setChecked(bool(self.settings.value("sync_clock", False, type=bool)))
        # The settings file is the user's to edit: a value that is not one of the choices leaves the default.
        timeout = ascii_number(str(self.settings.value("display_timeout", "")), 9)
        index = -1 if timeout is None else self.burn.display_timeout.findData(timeout)
        if index >= 0:
            self.burn.display_timeout.setCurrentIndex(index)
        index = self.burn.export_format.findData(self.settings.value("export_format", "none"))
        self.burn.export_format.setCurrentIndex(max(index, 0))
        folder = self._text_setting("export_folder")
        if folder:
            self.burn.export_folder.setText(folder)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.settings.setValue("sync_clock", self.burn.sync_clock.isChecked())
        self.settings.setValue("display_timeout", self.burn.display_timeout.currentData())
        self.settings.setValue("export_format", self.burn.export_format.currentData())
        self.settings.setValue("export_folder", self.burn.export_folder.text())
        self.reader.timer.stop()
        self.test.timer.stop()
        worker.wait_all(3000)
        super().closeEvent(event)
