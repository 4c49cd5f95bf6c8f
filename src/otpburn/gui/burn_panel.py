"""Step 4, the burn: options, the Burn button, progress per step, and what to do when the token moves."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from otpburn.gui import worker
from otpburn.gui.common import QT_TRANSLATE_NOOP, STATUS_COLOURS, STATUS_COLOURS_DARK, StatusLabel, StepBox, show_error
from otpburn.gui.worker import TaskFailure

if TYPE_CHECKING:
    from otpburn.otp import OtpParams
    from otpburn.provisioning.burn.checks import Check
    from otpburn.provisioning.burn.flow import BurnOutcome
    from otpburn.provisioning.burn.steps import BurnOptions
    from otpburn.provisioning.records.exports import ExportTarget
    from otpburn.tokens.base import TokenInfo
    from otpburn.tokens.detect import Credentials
    from otpburn.tokens.molto2 import Profile

# The burn's steps as the burn names them (the values of provisioning.burn.steps.Step, a StrEnum whose members
# equal these strings) and the short word shown for each. Text here, so that the window opens without
# loading the burn code; a test checks that every name is a step of the burn and that the words are
# gui/wording.py's. QT_TRANSLATE_NOOP marks the words for Qt's translation tools.
STEP_LABELS = [("authenticate", QT_TRANSLATE_NOOP("Wording", "authenticate")),
               ("erase profile", QT_TRANSLATE_NOOP("Wording", "erase")),
               ("write settings", QT_TRANSLATE_NOOP("Wording", "settings")),
               ("write title", QT_TRANSLATE_NOOP("Wording", "title")),
               ("write seed", QT_TRANSLATE_NOOP("Wording", "seed")),
               ("read back", QT_TRANSLATE_NOOP("Wording", "read back")),
               ("verify", QT_TRANSLATE_NOOP("Wording", "verify"))]
MULTI_PROFILE_STEPS = ("erase profile", "write title")
# The window's names of the export formats of provisioning.records.exports.FORMATS (a test keeps them equal).
EXPORT_FORMATS = [("none", QT_TRANSLATE_NOOP("BurnPanel", "Do not export")),
                  ("entra", QT_TRANSLATE_NOOP("BurnPanel", "Microsoft Entra ID CSV")),
                  ("vendor-csv", QT_TRANSLATE_NOOP("BurnPanel", "Vendor CSV")),
                  ("privacyidea", QT_TRANSLATE_NOOP("BurnPanel", "privacyIDEA / LinOTP CSV")),
                  ("duo", QT_TRANSLATE_NOOP("BurnPanel", "Duo hardware tokens CSV")),
                  ("dualshield", QT_TRANSLATE_NOOP("BurnPanel", "DualShield token file (XML)")),
                  ("pskc", QT_TRANSLATE_NOOP("BurnPanel", "PSKC (encrypted)")),
                  ("otpauth", QT_TRANSLATE_NOOP("BurnPanel", "otpauth link")),
                  ("qr", QT_TRANSLATE_NOOP("BurnPanel", "QR code PNG"))]
DISPLAY_TIMEOUTS = (15, 30, 60, 120)  # otpburn.tokens.base.DISPLAY_TIMEOUTS, kept here for the start-up (tested)


def key_refusal(error: Exception) -> tuple[str, int] | None:
    """(serial, attempts left) when a burn stopped because a Molto2 refused the customer key."""
    from otpburn.provisioning.burn.steps import BurnFailedError
    from otpburn.tokens.molto2 import AlreadyRefusedError, WrongCustomerKeyError

    cause = error.cause if isinstance(error, BurnFailedError) else error
    if isinstance(cause, WrongCustomerKeyError | AlreadyRefusedError):
        return cause.serial, cause.remaining
    return None


def run_burn(spec: str, params: OtpParams, options: BurnOptions, credentials: Credentials,
             exports: list[ExportTarget], upn: str, report: Callable[[object], None],
             resume_timeout: float = 30.0) -> BurnOutcome:
    """The whole burn through the one burn flow, off the UI thread; `report` sends the flow's events."""
    from otpburn.provisioning.access.session import token_session
    from otpburn.provisioning.burn.flow import BurnFlow, FlowSettings

    flow = BurnFlow(FlowSettings(front_end="gui", exports=exports, upn=upn, resume_timeout=resume_timeout), report)
    flow.check_before_token([params], sync_clock=options.sync_clock)
    with token_session(spec, holder="gui", credentials=credentials) as token:
        return flow.run(token, params, options)


class BurnPanel(StepBox):
    burned = Signal(object, object)  # BurnReport, virtual display code (or None)

    def __init__(self) -> None:
        super().__init__(4, QCoreApplication.translate("BurnPanel", "Burn"))
        form = QFormLayout()
        self.sync_clock = QCheckBox(self.tr("Sync token clock from this PC"))
        self.wipe_note = QLabel("")
        self.wipe_note.setWordWrap(True)
        self.display_timeout = QComboBox()
        for seconds in DISPLAY_TIMEOUTS:
            self.display_timeout.addItem(self.tr("{0} s").format(seconds), seconds)
        self.display_timeout.setCurrentIndex(1)
        form.addRow(self.sync_clock)
        form.addRow(self.wipe_note)
        form.addRow(self.tr("Display stays on"), self.display_timeout)
        export_row = QHBoxLayout()
        self.export_format = QComboBox()
        for key, label in EXPORT_FORMATS:
            self.export_format.addItem(self.tr(label), key)
        self.export_folder = QLineEdit(os.path.expanduser("~"))
        self.export_folder.setAccessibleName(self.tr("Export folder"))
        self.export_folder.setAccessibleDescription(self.tr("Where the exported seed data file is written"))
        self.folder_button = QPushButton(self.tr("Folder…"))
        export_row.addWidget(self.export_format)
        export_row.addWidget(self.export_folder, 1)
        export_row.addWidget(self.folder_button)
        export_widget = QWidget()
        export_widget.setLayout(export_row)
        export_row.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.tr("Export seed data"), export_widget)
        self.upn = QLineEdit()
        self.upn.setPlaceholderText(self.tr("name@company.com (for Entra ID)"))
        form.addRow(self.tr("User (UPN)"), self.upn)
        # Multi-profile tokens (Molto2): the profile's title, replacing a profile, the last attempt.
        self.profile_title = QLineEdit()
        self.profile_title.setMaxLength(12)
        self.profile_title.setPlaceholderText(self.tr("from the account (12 bytes at most)"))
        self.profile_title.setAccessibleName(self.tr("Profile title"))
        self.title_label = QLabel(self.tr("Profile &title"))
        self.title_label.setBuddy(self.profile_title)
        form.addRow(self.title_label, self.profile_title)
        self.replace_profile = QCheckBox(self.tr("Replace this profile (its seed is erased first)"))
        self.last_attempt = QCheckBox(self.tr("I understand: the last attempt (a wrong customer key then locks the "
                                              "token)"))
        form.addRow(self.replace_profile)
        form.addRow(self.last_attempt)
        self.molto2_rows = (self.title_label, self.profile_title, self.replace_profile, self.last_attempt)
        for widget in self.molto2_rows:
            widget.setVisible(False)
        self.key_source = ""  # where the last customer key came from, for the refusal dialog
        self.last_burned: OtpParams | None = None  # the seed of the last burn that succeeded here
        self.last_profile: int | None = None  # and the Molto2 profile it went into
        self.profile: Profile | None = None  # the chosen Profile of a Molto2
        self.multi_profile = False
        self.body.addLayout(form)

        row = QHBoxLayout()
        self.burn_button = QPushButton(self.tr("&Burn"))
        self.burn_button.setEnabled(False)
        self.burn_button.setMinimumWidth(120)
        row.addWidget(self.burn_button)
        self.steps = {step: QLabel(f"○ {QCoreApplication.translate('Wording', name)}") for step, name in STEP_LABELS}
        for step_label in self.steps.values():
            row.addWidget(step_label)
        for step in MULTI_PROFILE_STEPS:
            self.steps[step].setVisible(False)
        row.addStretch(1)
        self.body.addLayout(row)
        self.status = StatusLabel(self.tr("Give a seed and connect a token first."))
        self.body.addWidget(self.status)
        self.spec: str | None = None
        self.params: OtpParams | None = None
        self.info: TokenInfo | None = None
        self.busy = False  # a burn is running
        self._checks: list[Check] = []
        self.folder_button.clicked.connect(self._choose_folder)
        self.burn_button.clicked.connect(self.start_burn)
        self.sync_clock.toggled.connect(self._note_wipe)
        self.export_format.currentIndexChanged.connect(self._recheck)
        self.upn.textChanged.connect(self._recheck)

    def _recheck(self, *_changed: object) -> None:
        self.update_state(self.spec, self.params, self.info, self._checks)

    def show_profile(self, profile: Profile | None, multi_profile: bool) -> None:
        """The profile chosen in step 3 (multi-profile tokens), or none."""
        self.profile, self.multi_profile = profile, multi_profile
        for widget in self.molto2_rows:
            widget.setVisible(multi_profile)
        self.last_attempt.setVisible(multi_profile and self._one_attempt_left())
        self.replace_profile.setEnabled(bool(profile and profile.occupied))
        self.steps["write title"].setVisible(multi_profile)
        self.steps["erase profile"].setVisible(bool(multi_profile and profile and profile.occupied))
        if not (profile and profile.occupied):
            self.replace_profile.setChecked(False)
        self.update_state(self.spec, self.params, self.info, self._checks)

    def _one_attempt_left(self) -> bool:
        """Whether this device said one customer-key attempt is left (remembered by serial, no secret)."""
        from otpburn.provisioning.records import attempts

        return self.info is not None and attempts.remaining(self.info.serial) == 1

    def update_state(self, spec: str | None, params: OtpParams | None, info: TokenInfo | None,
                     checks: list[Check]) -> None:
        self.spec, self.params, self.info, self._checks = spec, params, info, checks
        self.last_attempt.setVisible(self.multi_profile and self._one_attempt_left())
        blocked = any(c.verdict == "stop" for c in checks)
        needs_profile = self.multi_profile and self.profile is None
        needs_upn = self.export_format.currentData() == "entra" and not self.upn.text().strip()
        self.upn.setPlaceholderText("name@company.com (required for the Entra ID export)" if needs_upn
                                    else "name@company.com (for Entra ID)")
        self.burn_button.setEnabled(spec is not None and params is not None and info is not None and not blocked
                                    and not needs_profile and not needs_upn)
        clock_settable = bool(info and info.capabilities.clock_settable)
        self.sync_clock.setEnabled(clock_settable)
        self.display_timeout.setEnabled(bool(info and info.capabilities.display_timeouts))
        self._note_wipe()
        if blocked:
            self.status.show_status(self.tr("This seed cannot go on this token as it is (see step 3)."), "stop")
        elif needs_upn and spec is not None and params is not None:
            self.status.show_status(self.tr("The Entra ID export needs the user's UPN (name@company.com): Entra "
                                            "assigns "
                                    "each token to a user."), "warn")
        elif self.burn_button.isEnabled() and params is not None and params == self.last_burned:
            # Burned already: not "ready" again. On a Molto2 the next free profile is chosen now; a second
            # burn would put the same seed there too, so it is said, not offered.
            if self.multi_profile and self.profile is not None and self.last_profile is not None:
                self.status.show_status(self.tr(
                    "This seed is in profile {0} now. Give the next account's seed; pressing Burn again would put "
                    "this same seed into profile {1} too.").format(self.last_profile, self.profile.number), "ok")
        elif self.burn_button.isEnabled():
            self.status.show_status(self.tr("Ready: keep the token on the reader and press Burn."), "ok")

    def _note_wipe(self) -> None:
        wipes = bool(self.info and self.info.capabilities.time_write_wipes_seed)
        self.wipe_note.setText("This model erases its seed when its clock is written; otpburn writes the seed "
                               "right after." if wipes and self.sync_clock.isChecked() else "")
        dark = self.palette().window().color().lightness() < 128
        self.wipe_note.setStyleSheet(f"color: {(STATUS_COLOURS_DARK if dark else STATUS_COLOURS)['warn']};")

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Folder for exported seed data"),
                                                  self.export_folder.text())
        if folder:
            self.export_folder.setText(folder)

    def _exports(self) -> list[ExportTarget]:
        fmt = self.export_format.currentData()
        if fmt == "none":
            return []
        from otpburn.provisioning.records.exports import FORMATS

        extension = FORMATS[fmt].extension
        serial = self.info.serial if self.info else "token"
        path = os.path.join(self.export_folder.text(), f"otpburn-{serial}-{fmt}.{extension}")
        password = None
        if fmt == "pskc":
            from PySide6.QtWidgets import QInputDialog

            password, ok = QInputDialog.getText(self, self.tr("PSKC password"), self.tr("Password to encrypt the PSKC "
                                                                                        "file "
                                                "(8 characters or more)"), QLineEdit.EchoMode.Password)
            if not ok or len(password) < 8:
                raise ValueError("a PSKC export needs a password of 8 characters or more")
        from otpburn.provisioning.records.exports import ExportTarget, Protection

        return [ExportTarget(fmt, path, Protection(password=password))]

    def start_burn(self) -> None:
        from otpburn.provisioning.burn.steps import BurnOptions, Molto2Options
        from otpburn.tokens.detect import Credentials
        from otpburn.tokens.molto2 import Molto2Credentials

        try:
            exports = self._exports()
        except ValueError as exc:
            self.status.show_status(str(exc), "stop")
            return
        molto2, given = Molto2Options(), Credentials()
        if self.multi_profile and self.profile is not None:
            key = self._ask_customer_key()
            if key is None:
                return
            molto2 = Molto2Options(profile=self.profile.number, title=self.profile_title.text().strip() or None)
            given = Credentials(molto2=Molto2Credentials(lambda: key, self.last_attempt.isChecked()))
        options = BurnOptions(sync_clock=self.sync_clock.isChecked(),
                              display_timeout=self.display_timeout.currentData(), allow_wipe=True,
                              replace=self.replace_profile.isChecked(), molto2=molto2)
        spec, params, upn = self.spec, self.params, self.upn.text().strip()
        if spec is None or params is None:  # the button is disabled until both are there
            return
        self.clear_steps()
        self.busy = True
        self.burn_button.setEnabled(False)
        self.status.show_status(self.tr("Burning… keep the token still on the reader."))
        worker.start(lambda report: run_burn(spec, params, options, given, exports, upn, report),
                     self._done, self._failed, self._message)

    def _ask_customer_key(self) -> bytes | None:
        """The Molto2's customer key from a password dialog; empty means the factory key, said so in the dialog."""
        from PySide6.QtWidgets import QInputDialog

        from otpburn.errors import InputError
        from otpburn.tokens.molto2 import FACTORY_CUSTOMER_KEY, parse_customer_key

        text, ok = QInputDialog.getText(self, self.tr("Customer key"), self.tr("The Molto2's customer key (its text "
                                                                               "or 32 hex digits).\n"
                                        "Leave empty to use the factory key TOKEN2MOLTO1-KEY."),
                                        QLineEdit.EchoMode.Password)
        if not ok:
            self.status.show_status(self.tr("Not burned: no customer key was given."), "warn")
            return None
        self.key_source = self.tr("the key typed") if text else self.tr("the factory key TOKEN2MOLTO1-KEY")
        try:
            return parse_customer_key(text) if text else FACTORY_CUSTOMER_KEY
        except InputError as exc:
            show_error(self.status, exc)
            return None

    def clear_steps(self) -> None:
        for step, label in STEP_LABELS:
            self.steps[step].setText(f"○ {QCoreApplication.translate('Wording', label)}")

    def show_check(self, matches: bool) -> None:
        """Step 5's typed-code check completes the step row: ✓ verify, or ✗ verify."""
        label = QCoreApplication.translate("Wording", dict(STEP_LABELS)["verify"])
        self.steps["verify"].setText(f"{'✓' if matches else '✗'} {label}")

    def _message(self, event: object) -> None:
        from otpburn.gui.wording import waiting_text
        from otpburn.provisioning.burn.flow import StepDone, Waiting

        if isinstance(event, StepDone):
            for step, label in STEP_LABELS:
                if step == event.step.value:
                    self.steps[step].setText(f"✓ {QCoreApplication.translate('Wording', label)}")
        elif isinstance(event, Waiting):
            self.status.show_status(waiting_text(event.left), "warn")

    def _done(self, outcome: BurnOutcome) -> None:
        from otpburn.gui.wording import export_note_text, note_text

        self.busy = False
        report, display = outcome.report, outcome.display
        self.last_burned, self.last_profile = self.params, report.profile
        self.burn_button.setEnabled(True)
        notes = " ".join(note_text(note) for note in report.notes)
        exported = " ".join(self.tr("Exported to {0}.").format(done.target.path) + "".join(
            " " + export_note_text(note) for note in done.notes) for done in outcome.exported)
        if report.verification:
            text = self.tr("Burned and verified: the token computed {0}.").format(report.verification.token_code)
        elif report.profile is not None:
            text = self.tr("Burned in {0:.0f} ms. Pick profile {1} on the token, then compare its code in step 5."
                           ).format(report.seconds * 1000, report.profile)
        else:
            text = self.tr("Burned in {0:.0f} ms. Switch the token off and on, then compare its code in step 5."
                           ).format(report.seconds * 1000)
        self.status.show_status(" ".join(part for part in (text, notes, exported) if part), "ok")
        self.burned.emit(report, display)

    def _failed(self, exc: TaskFailure) -> None:
        self.busy = False
        self.burn_button.setEnabled(True)
        show_error(self.status, exc)
        refused = key_refusal(exc.error)
        if refused is not None:
            self.offer_another_attempt(*refused)

    def offer_another_attempt(self, serial: str, remaining: int) -> None:
        """After a refused customer key: another try only if the user says so here, seeing what is at stake."""
        from PySide6.QtWidgets import QMessageBox

        if remaining <= 0:
            return
        attempts = self.tr("1 attempt remains") if remaining == 1 else self.tr("{0} attempts remain").format(
            remaining)
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Customer key refused"), self.tr(
            "The Molto2 {0} refused {1}. {2} before it locks for good (only a factory reset, which erases every "
            "profile, unlocks it).\n\notpburn never tries again by itself. Try once more with another key?").format(
            serial, self.key_source, attempts), QMessageBox.StandardButton.NoButton, self)
        self.retry_button = box.addButton(self.tr("Try once more…"), QMessageBox.ButtonRole.AcceptRole)
        not_now = box.addButton(self.tr("Not now"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(not_now)  # the safe choice is the default
        box.buttonClicked.connect(lambda button: self._another_attempt(serial, remaining)
                                  if button is self.retry_button else None)
        self.retry_box = box
        box.open()

    def _another_attempt(self, serial: str, remaining: int) -> None:
        from otpburn.tokens.molto2 import allow_one_more_attempt

        allow_one_more_attempt(serial)
        self.last_attempt.setVisible(self.multi_profile and remaining == 1)
        self.status.show_status(self.tr("You may try once more: press Burn and give the right customer key."), "warn")
