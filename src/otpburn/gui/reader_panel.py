"""Step 2, the reader: a list that follows readers being plugged in and out, and Connect."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton

from otpburn.gui import worker
from otpburn.gui.common import StatusLabel, StepBox, show_error
from otpburn.gui.worker import Report, TaskFailure

VIRTUAL = "virtual"
VIRTUAL_LABEL = "Virtual token (try otpburn without hardware)"
VIRTUAL_MOLTO2 = "virtual-molto2"
VIRTUAL_MOLTO2_LABEL = "Virtual Molto2 (100 profiles, without hardware)"
REFRESH_MS = 2000
SERVICE_STOPPED = "service stopped"  # list_readers' problem when PC/SC is installed but its service is not running


def list_readers(report: Report | None = None) -> tuple[list[tuple[str, bool]], str | None]:
    """([(name, token present)], problem) — problem says why there are no PC/SC readers (SERVICE_STOPPED when
    the service is installed but not running)."""
    from otpburn.errors import OtpburnError
    from otpburn.transport.errors import NoServiceError

    try:
        from otpburn.provisioning.access.readers import list_pcsc_readers

        return [(r.name, r.card_present) for r in list_pcsc_readers()], None
    except NoServiceError:
        return [], SERVICE_STOPPED
    except OtpburnError as exc:
        return [], str(exc)


class ReaderPanel(StepBox):
    connect_requested = Signal(str)  # reader spec
    help_requested = Signal()  # "how to set up a reader": the window's help

    def __init__(self) -> None:
        super().__init__(2, QCoreApplication.translate("ReaderPanel", "Reader"))
        row = QHBoxLayout()
        self.readers = QComboBox()
        self.readers.setAccessibleName(self.tr("Reader"))
        self.readers.setMinimumWidth(320)
        row.addWidget(self.readers, 1)
        self.connect_button = QPushButton(self.tr("&Connect"))
        row.addWidget(self.connect_button)
        self.body.addLayout(row)
        self.status = StatusLabel(self.tr("Looking for readers…"))
        self.body.addWidget(self.status)
        # When PC/SC is missing or stopped: the fix is in the help, not an install command in the card.
        self.setup_link = QLabel(self.tr("<a href='#help'>How to set up a reader</a>"))
        self.setup_link.setTextFormat(Qt.TextFormat.RichText)
        self.setup_link.setWordWrap(True)  # counted in the card's height for its width, as the status line is
        self.setup_link.setVisible(False)
        self.setup_link.linkActivated.connect(lambda _link: self.help_requested.emit())
        self.body.addWidget(self.setup_link)
        self._known: list[tuple[str, bool]] | None = None
        self._busy = False
        self.preferred: str | None = None
        self.connect_button.clicked.connect(self._connect)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.refresh)

    def start_watching(self) -> None:
        """List the readers now and follow them being plugged in (the window calls this once it is shown)."""
        if not self.timer.isActive():
            self.timer.start(REFRESH_MS)
            self.refresh()

    def selected_spec(self) -> str:
        return self.readers.currentData() or VIRTUAL

    def refresh(self) -> None:
        if self._busy:
            return
        self._busy = True
        worker.start(list_readers, self._listed, self._list_failed)

    def _list_failed(self, exc: TaskFailure) -> None:
        self._busy = False
        show_error(self.status, exc)

    def _listed(self, result: tuple[list[tuple[str, bool]], str | None]) -> None:
        self._busy = False
        readers, problem = result
        if readers == self._known and self.readers.count():
            return
        self._known = readers
        current = self.readers.currentData() or self.preferred
        self.readers.blockSignals(True)
        self.readers.clear()
        for name, present in readers:
            self.readers.addItem(self.tr("{0}  ({1})").format(name, 'token present' if present else 'empty'), name)
        self.readers.addItem(VIRTUAL_LABEL, VIRTUAL)
        self.readers.addItem(VIRTUAL_MOLTO2_LABEL, VIRTUAL_MOLTO2)
        index = self.readers.findData(current) if current else -1
        if index < 0 and readers:
            with_token = [i for i, (_, present) in enumerate(readers) if present]
            index = with_token[0] if with_token else 0
        self.readers.setCurrentIndex(max(index, 0))
        self.readers.blockSignals(False)
        self.setup_link.setVisible(bool(problem))
        if problem == SERVICE_STOPPED:
            self.status.show_status(self.tr("The smart-card service (PC/SC) is not running. The virtual tokens "
                                            "work without it."), "warn")
            self.status.setToolTip(self.tr("On Linux: sudo systemctl start pcscd"))
        elif problem:
            self.status.show_status(self.tr("Readers cannot be used here yet (PC/SC is not set up). The virtual "
                                            "tokens work without a reader."), "warn")
            self.status.setToolTip(problem)  # the details, for whoever sets it up
        elif not readers:
            self.status.show_status(self.tr("No reader connected: plug in an NFC reader, or use the virtual "
                                            "token."), "warn")
        else:
            found = (self.tr("1 reader found.") if len(readers) == 1
                     else self.tr("{0} readers found.").format(len(readers)))
            self.status.show_status(found + " " + self.tr("Switch the token on, place it on the reader, then Connect."),
                                    "ok")

    def _connect(self) -> None:
        self.connect_requested.emit(self.selected_spec())
