"""Small pieces shared by the panels: status lines, plain-words errors, a step box."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout

from otpburn.errors import OtpburnError

STATUS_COLOURS = {"ok": "#1a7f37", "warn": "#9a6700", "stop": "#cf222e", "info": ""}
STATUS_COLOURS_DARK = {"ok": "#3fb950", "warn": "#d29922", "stop": "#ff7b72", "info": ""}


def plain_error(exc: BaseException) -> str:
    """What to tell the user about an exception: our own messages as they are, bugs in one line."""
    if isinstance(exc, OtpburnError):
        text = str(exc)
        return text[:1].upper() + text[1:]
    return f"Something went wrong ({type(exc).__name__}: {exc})."


def show_error(label: "StatusLabel", exc: BaseException) -> None:
    """The plain sentence in the label; for unexpected errors the details on hover (never a secret)."""
    details = None if isinstance(exc, OtpburnError) else getattr(exc, "gui_traceback", None)
    label.show_status(plain_error(exc), "stop")
    label.setToolTip(details or "")


class StatusLabel(QLabel):
    """A word-wrapped line whose colour says ok / warn / stop."""

    def __init__(self, text: str = "") -> None:
        super().__init__(text)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.kind = "info"

    def show_status(self, text: str, kind: str = "info") -> None:
        self.kind = kind
        dark = self.palette().window().color().lightness() < 128
        colour = (STATUS_COLOURS_DARK if dark else STATUS_COLOURS).get(kind, "")
        self.setStyleSheet(f"color: {colour};" if colour else "")
        self.setText(text)


class StepBox(QGroupBox):
    """One of the five steps, numbered, always visible."""

    def __init__(self, number: int, title: str) -> None:
        super().__init__(f"{number}. {title}")
        self.body = QVBoxLayout(self)
        self.setObjectName(f"step{number}")
