"""Step 5, the test: previous/current/next codes with a countdown, and the typed-code check."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QLineEdit, QProgressBar, QPushButton

from otpburn.gui.common import StatusLabel, StepBox

if TYPE_CHECKING:
    from otpburn.otp import OtpParams
    from otpburn.provisioning.burn.steps import BurnReport


class TestPanel(StepBox):
    __test__ = False  # not a pytest test class, despite the name
    checked = Signal(bool)  # a typed code was checked: does it match?

    def __init__(self) -> None:
        super().__init__(5, QCoreApplication.translate("TestPanel", "Test"))
        grid = QGridLayout()
        self.labels = {}
        big = QFont()
        big.setPointSize(big.pointSize() + 6)
        big.setBold(True)
        for column, name in enumerate(("previous", "current", "next")):
            grid.addWidget(QLabel(name.capitalize()), 0, column)
            label = QLabel(self.tr("––––––"))
            label.setFont(big)
            label.setMinimumHeight(label.fontMetrics().height())  # a squeezed card must not clip the codes
            label.setAccessibleName(self.tr("{0} code").format(name))
            self.labels[name] = label
            grid.addWidget(label, 1, column)
        self.body.addLayout(grid)
        countdown_row = QHBoxLayout()
        countdown_label = self.countdown_label = QLabel(self.tr("Current code for"))
        self.countdown = QProgressBar()
        countdown_label.setBuddy(self.countdown)
        self.countdown.setAccessibleName(self.tr("Seconds left for the current code"))
        self.countdown.setTextVisible(True)
        self.countdown.setFormat(self.tr("%v s more"))
        countdown_row.addWidget(countdown_label)
        countdown_row.addWidget(self.countdown, 1)
        self.body.addLayout(countdown_row)
        row = QHBoxLayout()
        self.typed = QLineEdit()
        self.typed.setAccessibleName(self.tr("Code the token shows"))
        self.typed.setAccessibleDescription(self.tr("Type the token's code and press Check: a mismatch is diagnosed"))
        self.typed.setPlaceholderText(self.tr("Type the code the token shows"))
        self.typed.setMaxLength(10)
        self.check_button = QPushButton(self.tr("C&heck"))
        row.addWidget(self.typed, 1)
        row.addWidget(self.check_button)
        self.body.addLayout(row)
        self.status = StatusLabel(self.tr("After the burn, switch the token off and on and compare its code."))
        self.body.addWidget(self.status)
        # The end of one token's job: one click to the next (the seed goes, the reader stays).
        self.next_button = QPushButton(self.tr("Done — &next token"))
        self.next_button.setVisible(False)
        self.body.addWidget(self.next_button)
        self.token_present = False  # codes are shown once there is a token to compare them with
        self.params: OtpParams | None = None
        self.burned: BurnReport | None = None  # the report of the burn this test follows, if any
        self.matched: bool | None = None  # the last typed-code check, for this seed
        self.verified_by_token = False  # the token itself computed the right code at the burn (OATH)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.tick)
        self.timer.start(1000)
        self.check_button.clicked.connect(self.check)
        self.typed.returnPressed.connect(self.check)

    def show_seed(self, params: OtpParams | None) -> None:
        if params != self.params:
            self.matched = None
        self.params = params
        self.tick()

    def show_token(self, present: bool) -> None:
        self.token_present = present
        self.tick()

    def clear(self) -> None:
        self.params, self.burned, self.matched, self.verified_by_token = None, None, None, False
        self.typed.clear()
        for label in self.labels.values():
            label.setText(self.tr("––––––"))
        self.countdown.setValue(0)
        self.status.show_status(self.tr("After the burn, switch the token off and on and compare its code."))

    def show_burn(self, report: BurnReport, display: str | None) -> None:
        self.burned = report
        self.show_seed(report.params)
        self.matched = True if report.verification is not None else None
        self.verified_by_token = report.verification is not None
        if report.verification is not None:
            self.status.show_status(self.tr("Verified automatically: the token computed {0}, the code this seed gives "
                                            "now.").format(report.verification.token_code), "ok")
        elif display is not None:
            from otpburn.otp import code_window

            codes = code_window(report.params)
            ok = display in (codes.previous, codes.current, codes.next)
            self.matched = ok
            text = (self.tr("The virtual token shows {0}: it matches.") if ok
                    else self.tr("The virtual token shows {0}: it does NOT match."))
            self.status.show_status(text.format(display), "ok" if ok else "stop")
        else:
            self.status.show_status(self.tr("Switch the token off and on, then type the code it shows."), "info")
        if self.matched is not None:  # checked already (by the token, or on the virtual display): the step row too
            self.checked.emit(self.matched)

    def tick(self) -> None:
        from otpburn.otp import OtpType, code_window  # the OTP code loads with the first seed, not with the window

        shown = self.params is not None and (self.token_present or self.burned is not None)
        self.countdown.setVisible(shown)  # a bar counting nothing down says nothing
        self.countdown_label.setVisible(shown)
        if self.params is None or not shown:
            for label in self.labels.values():
                label.setText(self.tr("––––––"))
                label.setAccessibleDescription("")
            self.countdown.setValue(0)
            return
        window = code_window(self.params, time.time())
        for name in ("previous", "current", "next"):
            code = getattr(window, name) or "–"
            if self.labels[name].text() != code:  # screen readers hear the digits, once per code
                self.labels[name].setText(code)
                self.labels[name].setAccessibleDescription(" ".join(code))
        if self.params.type is OtpType.TOTP:
            self.countdown.setRange(0, window.period)
            self.countdown.setValue(window.seconds_left)
        else:
            self.countdown.setRange(0, 1)
            self.countdown.setValue(0)

    def check(self) -> None:
        from otpburn.errors import InputError
        from otpburn.gui.wording import cause_text, fix_text
        from otpburn.provisioning.verification import check_typed_code

        if self.params is None:
            self.status.show_status(self.tr("Give a seed first (step 1)."), "warn")
            return
        # The burn's token, when this seed is the one burned: the check goes into the audit log with it.
        burned = self.burned if self.burned is not None and self.burned.params == self.params else None
        try:
            result = check_typed_code(self.params, self.typed.text(), token=burned.info if burned else None,
                                      profile=burned.profile if burned else None, front_end="gui")
        except InputError as exc:
            self.status.show_status(exc.message, "warn")
            return
        if result.matches:
            self.status.show_status(self.tr("✓ The token shows the right code."), "ok")
        elif self.verified_by_token and burned is not None:
            # The token computed the right code itself at the burn: a typed mismatch is a misread, not a fault.
            self.status.show_status(self.tr("That code does not match, but the token itself computed the right one "
                                            "when it was burned: check you typed this token's current code."), "warn")
            return
        else:
            fix = fix_text(result, self.params)
            self.status.show_status(self.tr("✗ Mismatch: {0}.{1}").format(
                cause_text(result, self.params), self.tr(" Fix: {0}.").format(fix) if fix else ""), "stop")
        self.matched = result.matches
        self.checked.emit(result.matches)
