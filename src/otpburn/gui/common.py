"""Small pieces shared by the panels: status lines, plain-words errors, a step box."""

from __future__ import annotations

import html
from enum import StrEnum

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QGroupBox, QLabel, QPushButton, QVBoxLayout, QWidget

from otpburn.errors import OtpburnError
from otpburn.gui.translation import QT_TRANSLATE_NOOP, remedy_text
from otpburn.gui.worker import TaskFailure

__all__ = ["QT_TRANSLATE_NOOP", "remedy_text"]  # where the panels have always found them


# At least 4.5:1 against the theme's window colour (WCAG AA for text; tests/gui/test_accessibility.py).
STATUS_COLOURS = {"ok": "#116329", "warn": "#7d4e00", "stop": "#a40e26", "info": ""}
STATUS_COLOURS_DARK = {"ok": "#3fb950", "warn": "#d29922", "stop": "#ff7b72", "info": ""}
# The accent of a step that is ready or working: as text on the window, at least 4.5:1 ...
ACCENT = {"light": "#0b5cd5", "dark": "#58a6ff"}
# ... and as the fill of the one action to take next, under white text, at least 4.5:1 (both measured in
# tests/gui/test_accessibility.py).
ACCENT_FILL = {"light": "#0b5cd5", "dark": "#1f6feb"}


def plain_error(exc: BaseException) -> str:
    """What to tell the user about an exception: our own messages in the window's words, bugs in one line."""
    if isinstance(exc, OtpburnError):
        from otpburn.gui.wording import error_text  # with the first error: it brings the burn's data types

        text = error_text(exc) or exc.worded(remedy_text)
        return text[:1].upper() + text[1:]
    return QCoreApplication.translate("Errors", "Something went wrong ({0}: {1}).").format(type(exc).__name__, exc)


def show_error(label: StatusLabel, failure: BaseException | TaskFailure) -> None:
    """The plain sentence in the label; for unexpected errors the details on hover (never a secret)."""
    exc = failure.error if isinstance(failure, TaskFailure) else failure
    details = failure.details if isinstance(failure, TaskFailure) and not isinstance(exc, OtpburnError) else ""
    label.show_status(plain_error(exc), "stop")
    label.setToolTip(html.escape(details))  # Qt renders a tool tip that looks like HTML as HTML


def is_dark(widget: QWidget) -> bool:
    return bool(widget.palette().window().color().lightness() < 128)


class StatusLabel(QLabel):
    """A word-wrapped line whose colour says ok / warn / stop."""

    changed = Signal()

    def __init__(self, text: str = "") -> None:
        super().__init__(text)
        self.setWordWrap(True)
        # Plain text: a status may quote a token, a server or a file, and Qt would render what looks like HTML.
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.kind = "info"

    def show_status(self, text: str, kind: str = "info") -> None:
        from otpburn.untrusted import tame_lines

        self.kind = kind
        colour = (STATUS_COLOURS_DARK if is_dark(self) else STATUS_COLOURS).get(kind, "")
        self.setStyleSheet(f"color: {colour};" if colour else "")
        self.setText(tame_lines(text))
        self.changed.emit()


class StepState(StrEnum):
    WAITING = "waiting"  # for an earlier step
    READY = "ready"  # its action can be taken now
    WORKING = "working"
    DONE = "done"
    ATTENTION = "needs attention"


# Mark and colour (status kind) of each state in a step's title and border, and its words as shown.
STATE_LOOK = {StepState.WAITING: ("○", ""), StepState.READY: ("●", "accent"), StepState.WORKING: ("…", "accent"),
              StepState.DONE: ("✓", "ok"), StepState.ATTENTION: ("!", "stop")}
STATE_WORDS = {StepState.WAITING: QT_TRANSLATE_NOOP("StepBox", "waiting"),
               StepState.READY: QT_TRANSLATE_NOOP("StepBox", "ready"),
               StepState.WORKING: QT_TRANSLATE_NOOP("StepBox", "working"),
               StepState.DONE: QT_TRANSLATE_NOOP("StepBox", "done"),
               StepState.ATTENTION: QT_TRANSLATE_NOOP("StepBox", "needs attention")}


class StepBox(QGroupBox):
    """One step of the flow as a card: numbered, with its state in the title and the colour of its border.

    The border and title are painted here, not by a style sheet: a sheet on a card restyles every control inside
    it, which was a third of the window's build before its first paint."""

    status: StatusLabel  # the card's status line: each panel makes it where its layout wants it

    def __init__(self, number: int, title: str) -> None:
        """`title` as shown: the panels pass it translated."""
        super().__init__(f"{number}. {title}")
        self.number, self.name = number, title
        self.body = QVBoxLayout(self)
        self.setObjectName(f"step{number}")  # a stable name for UI-automation tools
        self.state: StepState | None = None
        self.set_state(StepState.WAITING)

    def set_state(self, state: StepState) -> None:
        if state == self.state:
            return
        self.state = state
        mark = STATE_LOOK[state][0]
        words = self.tr(STATE_WORDS[state])
        self.setTitle(f"{self.number}. {self.name}   {mark} {words}")
        self.setAccessibleDescription(self.tr("Step {0}, {1}: {2}").format(self.number, self.name, words))
        self.update()

    def edge_colour(self) -> str:
        """The state's colour for border and title in the present theme; "" for the theme's own (a thin border)."""
        kind = STATE_LOOK[self.state][1] if self.state else ""
        theme = "dark" if is_dark(self) else "light"
        if kind == "accent":
            return ACCENT[theme]
        return (STATUS_COLOURS_DARK if theme == "dark" else STATUS_COLOURS).get(kind, "")

    def paintEvent(self, event: QPaintEvent) -> None:
        edge = self.edge_colour()
        bold = QFont(self.font())
        bold.setBold(True)
        metrics = QFontMetrics(bold)
        # Where Fusion puts a group box's title and frame: the title one line high at the top, the frame from its
        # bottom. Measured here with the bold font: the style would size the title for the normal one.
        top = metrics.height() + 2
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        width = 2 if edge else 1
        painter.setPen(QPen(QColor(edge) if edge else self.palette().mid().color(), width))
        half = width / 2
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(half, top + half, -half, -half), 6, 6)
        # The title interrupts the top border, in bold, in the state's colour.
        title = QRectF(0, 1, metrics.horizontalAdvance(self.title()) + 12, top + 1)
        painter.fillRect(title, self.palette().window())
        painter.setFont(bold)
        painter.setPen(QColor(edge) if edge else self.palette().windowText().color())
        painter.drawText(QPointF(title.left() + 6, 1 + metrics.ascent()), self.title())
        painter.end()


def mark_primary(button: QPushButton, primary: bool) -> None:
    """The one action to take next: filled with the accent colour, and the default button (Enter)."""
    button.setDefault(primary)
    if not primary:
        button.setStyleSheet("")
        return
    accent = ACCENT_FILL["dark" if is_dark(button) else "light"]
    button.setStyleSheet(f"QPushButton {{ background: {accent}; color: #ffffff; font-weight: bold; border: 1px solid "
                         f"{accent}; border-radius: 4px; padding: 4px 14px; }} QPushButton:disabled {{ background: "
                         f"palette(button); color: palette(mid); border-color: palette(mid); }}")
