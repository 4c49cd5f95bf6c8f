"""Step 3, the token: family, model, serial, clock and offset, what it holds, and whether the seed fits."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QPushButton

from otpburn.gui.common import StatusLabel, StepBox
from otpburn.gui.profile_grid import ProfileGrid

if TYPE_CHECKING:
    from otpburn.otp import OtpParams
    from otpburn.provisioning.burn.checks import Check
    from otpburn.tokens.base import TokenInfo
    from otpburn.tokens.molto2 import Profile


class TokenPanel(StepBox):
    def __init__(self) -> None:
        super().__init__(3, QCoreApplication.translate("TokenPanel", "Token"))
        form = QFormLayout()
        self.fields = {name: QLabel("–") for name in ("Token", "Serial", "Clock", "Holds")}
        shown = {"Token": self.tr("Token"), "Serial": self.tr("Serial"), "Clock": self.tr("Clock"),
                 "Holds": self.tr("Holds")}
        for name, label in self.fields.items():
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)  # what the token says, never rendered as HTML
            form.addRow(shown[name], label)
        self.body.addLayout(form)
        self.status = StatusLabel(self.tr("Connect to see the token."))
        self.body.addWidget(self.status)
        # For a token otpburn does not know: a read-only report to share (otpburn probe).
        self.report_button = QPushButton(self.tr("Save a report…"))
        self.report_button.setToolTip(self.tr("Reads only — no authentication, no write — and keeps the answers in "
                                              "a file with no secret in it, to share so support can be written"))
        self.report_button.setVisible(False)
        self.body.addWidget(self.report_button)
        self.profiles = ProfileGrid()  # shown for multi-profile tokens only
        self.profiles.setVisible(False)
        self.body.addWidget(self.profiles)
        self.info: TokenInfo | None = None

    def show_info(self, info: TokenInfo | None, reader: str = "", profiles: list[Profile] | None = None) -> None:
        self.info = info
        self.report_button.setVisible(False)
        self.profiles.setVisible(profiles is not None)
        if profiles is not None:
            self.profiles.show_profiles(profiles)
        if info is None:
            for label in self.fields.values():
                label.setText("–")
            return
        caps = info.capabilities
        self.fields["Token"].setText(f"{info.model} ({info.family})" + ("" if caps.writable else
                                                                         " — not a known programmable model"))
        self.fields["Serial"].setText(info.serial)
        if info.clock is not None:
            when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(info.clock))
            offset = round(info.clock_offset or 0.0)  # whole seconds, never "-0 s"
            shown = self.tr("{0:+d} s").format(offset) if offset else self.tr("0 s")
            self.fields["Clock"].setText(self.tr("{0}, {1} from this PC").format(when, shown))
        else:
            self.fields["Clock"].setText(self.tr("not readable (the token computes codes on request)"))
        periods = ", ".join(f"{p} s" for p in sorted(caps.periods)) if caps.periods else self.tr("any period")
        wipe = self.tr("; its clock write erases the seed") if caps.time_write_wipes_seed else ""
        algorithms = "/".join(sorted(a.value for a in caps.algorithms))
        self.fields["Holds"].setText(self.tr("{0}, {1} digits, {2}{3}").format(
            algorithms, "/".join(map(str, sorted(caps.digits))), periods, wipe))

    def check(self, params: OtpParams | None) -> list[Check]:
        """The preflight verdicts for the current seed on this token, shown in the status line."""
        from otpburn.gui.wording import check_text
        from otpburn.provisioning.burn.checks import token_checks, worst

        if self.info is None:
            return []
        if params is None:
            self.status.show_status(self.tr("Connected. Now give the seed (step 1)."), "info")
            return []
        checks = token_checks(self.info, params, sync_clock=False)
        self.status.show_status("\n".join(check_text(check) for check in checks), worst(checks).value)
        return checks
