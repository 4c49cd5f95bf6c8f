"""Step 6, Enroll: register the burned token in the identity system and activate it with its code."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from otpburn.gui import worker
from otpburn.gui.common import StatusLabel, StepBox, show_error
from otpburn.gui.worker import TaskFailure
from otpburn.untrusted import ascii_digits

if TYPE_CHECKING:
    from otpburn.provisioning.burn.steps import BurnReport
    from otpburn.provisioning.enrollment import Enrolled
    from otpburn.registrars.settings import RegistrarSettings


def run_enroll(settings: RegistrarSettings, secret: str | None, report: BurnReport, display: str | None, user: str,
               code: str, computed: bool, notify: Callable[[object], None]) -> Enrolled:
    """Sign in, register and activate off the UI thread; `notify` shows sign-in instructions (device code).

    The code is chosen as every front end chooses it (`activation_code`): the token's own (computed, or shown by
    the virtual token), else the one typed off the token, else — when asked for — the seed's.
    """
    from otpburn.provisioning.enrollment import activation_code, enroll, prepare
    from otpburn.registrars.base import Enrollment
    from otpburn.registrars.factory import open_registrar

    params, info = report.params, report.info
    registrar = open_registrar(settings, (lambda prompt: secret) if secret is not None else None, notify)
    try:
        prepare(registrar, params, user)
        computed_by_token = report.verification.token_code if report.verification is not None else None
        source = activation_code(params, computed=computed_by_token, shown=display, typed=code or None,
                                 from_seed=computed)
        return enroll(registrar, Enrollment(info.serial, params, user, info.capabilities.manufacturer, info.model),
                      source, front_end="gui")
    finally:
        registrar.close()


class EnrollPanel(StepBox):
    def __init__(self) -> None:
        super().__init__(6, QCoreApplication.translate("EnrollPanel", "Enroll"))
        form = QFormLayout()
        row = QHBoxLayout()
        self.target = QComboBox()
        self.target.setAccessibleName(self.tr("Identity system"))
        self.target.setAccessibleDescription(self.tr("Where the burned token is registered: a section of the "
                                                     "registrar file"))
        self.file_button = QPushButton(self.tr("Registrar &file…"))
        self.file_button.setAccessibleName(self.tr("Choose the registrar file"))
        row.addWidget(self.target, 1)
        row.addWidget(self.file_button)
        form.addRow(self.tr("Identity system"), row)
        self.user = QLineEdit()
        self.user.setPlaceholderText(self.tr("name@contoso.com (Entra ID) or name@realm (privacyIDEA)"))
        self.user.setAccessibleName(self.tr("User"))
        self.user.setAccessibleDescription(self.tr("Who the token is for"))
        form.addRow(self.tr("User"), self.user)
        self.code = QLineEdit()
        self.code.setMaxLength(10)
        self.code.setPlaceholderText(self.tr("the code the token shows now"))
        self.code.setAccessibleName(self.tr("Activation code"))
        self.code.setAccessibleDescription(self.tr("The code the token shows now; it proves token and server agree"))
        form.addRow(self.tr("Code"), self.code)
        self._code_expiry = QTimer(self)
        self._code_expiry.setSingleShot(True)
        self._code_expiry.timeout.connect(self._code_expired)
        # The form stays folded until a burn succeeded: before that there is nothing to enroll.
        self.form_widget = QWidget()
        self.form_widget.setLayout(form)
        form.setContentsMargins(0, 0, 0, 0)
        self.body.addWidget(self.form_widget)
        self.computed = QCheckBox(self.tr("Activate with the code computed from the seed (proves less)"))
        self.computed.setAccessibleDescription(self.tr("For tokens whose code cannot be read: it proves the server "
                                                       "holds the "
                                               "seed, not that the token shows the same code"))
        self.body.addWidget(self.computed)
        self.enroll_button = QPushButton(self.tr("&Enroll"))
        self.enroll_button.setAccessibleName(self.tr("Enroll the token"))
        self.body.addWidget(self.enroll_button)
        self.status = StatusLabel(self.tr("Burn a token first; then register it here."))
        self.status.setAccessibleName(self.tr("Enroll status"))
        self.body.addWidget(self.status)
        self.registrar_file: str | None = None
        self.report: BurnReport | None = None
        self.enrolled: Enrolled | None = None
        self.busy = False  # a registration is running
        self.target.addItem(self.tr("reading the registrar file…"), None)  # load_targets(), once the window is shown
        self.file_button.clicked.connect(self._choose_file)
        self.enroll_button.clicked.connect(self.start)
        for signal in (self.target.currentIndexChanged, self.user.textChanged, self.code.textChanged,
                       self.computed.toggled):
            signal.connect(self._update)
        self._update()

    def load_targets(self) -> None:
        from otpburn.registrars.base import SYSTEM_NAMES
        from otpburn.registrars.settings import section_names

        self.target.clear()
        sections = section_names(self.registrar_file)
        for name, system in sections:
            self.target.addItem(self.tr("{0} ({1})").format(name, SYSTEM_NAMES[system]), name)
        if not sections:
            self.target.addItem(self.tr("no registrar file: choose one"), None)

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Registrar file"), "", self.tr("Registrar files "
                                                                                           "(*.toml);;All files (*)"))
        if path:
            self.registrar_file = path
            self.load_targets()
            self._update()

    def show_burn(self, report: BurnReport, display: str | None) -> None:
        """A token was burned: offer it for enrolment, with the code the token gave where it gave one."""
        self.report, self.enrolled = report, None
        given = report.verification.token_code if report.verification is not None else display
        self.code.setText(given or "")
        self._code_expiry.stop()
        if given and report.params.type.value == "totp":
            # The token's code is good for its time step (and the server's one step of slack): then it is
            # cleared, so an activation never goes out with a stale code.
            step = report.params.period
            self._code_expiry.start(int((step - time.time() % step + step) * 1000))
        self.status.show_status(self.tr("Token {0} is burned: choose where to register it and press "
                                        "Enroll.").format(report.info.serial), "info")
        self._update()

    def _code_expired(self) -> None:
        if self.enrolled is None and self.code.text():
            self.code.clear()
            self.code.setPlaceholderText(self.tr("the code the token shows now (the one from the burn has expired)"))

    def clear(self) -> None:
        """The next token: nothing burned to enroll yet (the identity system and user stay chosen)."""
        self.report, self.enrolled = None, None
        self._code_expiry.stop()
        self.code.clear()
        self.status.show_status(self.tr("Burn a token first; then register it here."))
        self._update()

    def _update(self) -> None:
        burned = self.report is not None
        for widget in (self.form_widget, self.computed, self.enroll_button):
            widget.setVisible(burned)
        typed = self.code.text().strip()
        ready = (self.report is not None and self.target.currentData() is not None and self.enrolled is None
                 and (self.computed.isChecked() or ascii_digits(typed)))
        self.enroll_button.setEnabled(ready)
        self.code.setEnabled(not self.computed.isChecked())

    def start(self) -> None:
        from otpburn.errors import OtpburnError
        from otpburn.registrars.settings import load_settings, needs_prompt

        if self.report is None:
            return
        try:
            settings = load_settings(self.target.currentData(), self.registrar_file)
        except OtpburnError as exc:
            show_error(self.status, exc)
            return
        secret = None
        if needs_prompt(settings):
            from PySide6.QtWidgets import QInputDialog

            secret, ok = QInputDialog.getText(self, self.tr("Sign in"), self.tr("Password or secret for "
                                                                                "[{0}]").format(settings.name),
                                              QLineEdit.EchoMode.Password)
            if not ok:
                return
        burned = self.report
        user, code, computed = self.user.text().strip(), self.code.text().strip(), self.computed.isChecked()
        self.busy = True
        self.enroll_button.setEnabled(False)
        self.status.show_status(self.tr("Registering {0}…").format(burned.info.serial), "info")
        # The code field holds the token's own code where it gave one (shown on burn), or what the user typed.
        worker.start(lambda notify: run_enroll(settings, secret, burned, None, user, code, computed, notify),
                     self._done, self._failed, lambda text: self.status.show_status(str(text), "info"))

    def _done(self, enrolled: Enrolled) -> None:
        from otpburn.registrars.base import SYSTEM_NAMES

        self.busy = False
        self.enrolled = enrolled
        registration = enrolled.registration
        system = SYSTEM_NAMES[registration.system]
        whom = self.tr(" for {0}").format(registration.user.name) if registration.user else ""
        if registration.activated:
            self.status.show_status(self.tr("✓ {0} is registered in {1}{2} and active.").format(
                registration.serial, system, whom), "ok")
        elif registration.done:  # a system without an activation step (Duo)
            self.status.show_status(self.tr("✓ {0} is registered in {1}{2}; it works at the next sign-in.").format(
                registration.serial, system, whom), "ok")
        else:
            self.status.show_status(self.tr("{0} is registered in {1}{2} but not activated.").format(
                registration.serial, system, whom), "warn")
        self._update()

    def _failed(self, failure: TaskFailure) -> None:
        self.busy = False
        show_error(self.status, failure)
        self._update()
