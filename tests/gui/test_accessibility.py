"""What a screen reader hears and what low vision sees: every control named on its own, and status colours
with at least 4.5:1 contrast (WCAG AA) in both themes."""

import pytest
from PySide6.QtGui import QAccessible, QColor
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QGroupBox,
    QLineEdit,
    QProgressBar,
)

from otpburn.gui.common import ACCENT, ACCENT_FILL, STATUS_COLOURS, STATUS_COLOURS_DARK

from .conftest import themed

CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QAbstractItemView, QProgressBar)


def _own_controls(window):
    """The controls a user reaches: Qt's inner parts (a spin box's editor, a table's headers, popups) are left out."""
    for kind in CONTROLS:
        for control in window.findChildren(kind):
            parent = control.parentWidget()
            if control.objectName().startswith("qt_") or isinstance(parent, (QAbstractSpinBox, QAbstractItemView)):
                continue
            if isinstance(control, QAbstractItemView) and not control.accessibleName():
                if type(parent).__name__ in ("QFrame", "QComboBoxPrivateContainer") or control.window() is not window:
                    continue  # a combo box's popup list
            yield control


@pytest.mark.parametrize("reader", ["virtual", "virtual-molto2"])
def test_every_control_has_a_name_of_its_own(qtbot, window, reader):
    from .conftest import connect

    connect(qtbot, window, reader)  # the Molto2's grid and options are shown only once one is connected
    titles = {box.title() for box in window.findChildren(QGroupBox)}
    unnamed = []
    for control in _own_controls(window):
        interface = QAccessible.queryAccessibleInterface(control)
        name = interface.text(QAccessible.Text.Name) if interface else ""
        if not name.strip() or name in titles:
            unnamed.append(f"{type(control).__name__} named {name!r}")
    assert not unnamed, unnamed


def _luminance(colour: QColor) -> float:
    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(colour.redF()) + 0.7152 * linear(colour.greenF()) + 0.0722 * linear(colour.blueF())


def contrast(one: QColor, other: QColor) -> float:
    high, low = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_status_colours_meet_wcag_aa_in_both_themes(qtbot, theme):
    with themed(theme) as app:
        background = app.palette().window().color()
        colours = STATUS_COLOURS_DARK if theme == "dark" else STATUS_COLOURS
        for kind, colour in colours.items():
            if colour:
                ratio = contrast(QColor(colour), background)
                assert ratio >= 4.5, f"{theme} {kind} {colour} on {background.name()}: {ratio:.2f}:1"
        assert contrast(app.palette().windowText().color(), background) >= 7  # body text: AAA
        # A ready step's title, and the white label of the highlighted action on its fill.
        assert contrast(QColor(ACCENT[theme]), background) >= 4.5
        assert contrast(QColor("#ffffff"), QColor(ACCENT_FILL[theme])) >= 4.5
