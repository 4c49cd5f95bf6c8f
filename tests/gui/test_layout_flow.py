"""The window as a guided flow: cards that say their state, one highlighted action at a time, a size that
fits the screen (1280×720 at 100 %, 1920×1080 at 200 %), and check boxes that show in the dark theme."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from PySide6.QtWidgets import QCheckBox, QWidget

from otpburn.gui.common import ACCENT, STATUS_COLOURS, StepState

from .conftest import burn, connect, themed
from .test_accessibility import contrast

PROBE = """
import json, sys
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from otpburn.gui.window import MainWindow
app = QApplication(sys.argv)
window = MainWindow(QSettings(sys.argv[1], QSettings.Format.IniFormat))
window.show()
app.processEvents()
screen = window.screen().availableGeometry()
frame = window.frameGeometry()
scroll = window.centralWidget()
print(json.dumps({"screen": [screen.width(), screen.height()], "window": [frame.width(), frame.height()],
                  "one_column": window.one_column, "horizontal_scroll": scroll.horizontalScrollBar().isVisible(),
                  "left": window.left.count() - 1, "right": window.right.count() - 1}))
"""


@pytest.mark.parametrize("screen, scale, one_column", [("1280x720", 1, False), ("1920x1080", 2, True),
                                                       ("1366x768", 1, False), ("1024x600", 1, True)])
def test_the_window_fits_the_screen_it_opens_on(tmp_path, screen, scale, one_column):
    width, height = (int(number) for number in screen.split("x"))
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{"name": "s", "x": 0, "y": 0, "width": width, "height": height,
                                                "logicalDpi": 96, "dpr": 1}]}))
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}", "QT_SCALE_FACTOR": str(scale),
           "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path / "settings.ini")], capture_output=True,
                            text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown["window"][0] <= shown["screen"][0] and shown["window"][1] <= shown["screen"][1], shown
    assert shown["one_column"] is one_column
    assert shown["horizontal_scroll"] is False  # narrow screens scroll down, never sideways
    assert (shown["left"], shown["right"]) == ((6, 0) if one_column else (3, 3))


def _states(window):
    return [panel.state for panel in window.steps]


def _primary(window):
    return [button.text() for button in window.findChildren(QWidget) if getattr(button, "isDefault", None)
            and button.isDefault()]


def _border_colour(card) -> str:
    """The colour of the card's left border as painted, halfway down."""
    image = card.grab().toImage()
    row = image.height() // 2
    for x in range(8):
        colour = image.pixelColor(x, row)
        if colour != card.palette().window().color():
            return colour.name()
    return ""


def test_each_step_shows_its_state_and_one_action_is_highlighted(qtbot, window):
    S = StepState
    qtbot.waitUntil(lambda: window.reader.readers.count() > 0, timeout=10_000)
    assert _states(window)[0] == S.READY and _states(window)[2:] == [S.WAITING] * 4
    assert _primary(window) == ["Scan &screen"]
    assert "ready" in window.seed.title() and "waiting" in window.burn.title()
    assert _border_colour(window.seed) == ACCENT["light"]

    with qtbot.waitSignal(window.seed.seed_changed, timeout=15_000):
        window.seed.load_image("examples/2fa-setup-screenshot.png")
    assert _states(window)[:2] == [S.DONE, S.READY] and _primary(window) == ["&Connect"]

    connect(qtbot, window)
    assert _states(window)[:4] == [S.DONE, S.DONE, S.DONE, S.READY] and _primary(window) == ["&Burn"]

    burn(qtbot, window)
    # The virtual token's display matched: tested. No registrar file: nothing to enroll, so the next action is
    # the next token.
    assert _states(window) == [S.DONE, S.DONE, S.DONE, S.DONE, S.DONE, S.WAITING]
    assert _primary(window) == ["Done — &next token"] and window.test.next_button.isVisible()

    window.test.typed.setText("000000" if window.test.labels["current"].text() != "000000" else "111111")
    window.test.check_button.click()
    assert window.test.state == S.ATTENTION and "needs attention" in window.test.title()
    assert _primary(window) == ["C&heck"]
    assert window.test.accessibleDescription() == "Step 5, Test: needs attention"
    assert _border_colour(window.test) == STATUS_COLOURS["stop"] and _border_colour(window.seed) == STATUS_COLOURS["ok"]

    window.clear()  # File → Clear for next token
    assert _states(window)[0] == S.READY and window.burn.state == S.WAITING and window.test.state == S.WAITING
    # The old token's card is not left "done": the next token is connected afresh, on the same reader.
    assert window.token.state == S.WAITING and window.token.info is None and window.spec is None
    assert window.reader.selected_spec() == "virtual" and not window.test.next_button.isVisible()
    assert window.test.labels["current"].text() == "––––––"  # no codes without a token


def test_done_next_token_clears_the_seed_and_keeps_the_reader(qtbot, window):
    with qtbot.waitSignal(window.seed.seed_changed, timeout=15_000):
        window.seed.load_image("examples/2fa-setup-screenshot.png")
    assert window.test.labels["current"].text() == "––––––"  # a seed, but no token yet: no codes ticking
    connect(qtbot, window)
    assert window.test.labels["current"].text().isdigit()
    burn(qtbot, window)
    window.test.next_button.click()
    assert window.seed.params is None and window.seed.manual.text() == ""
    assert window.reader.selected_spec() == "virtual" and window.token.info is None
    assert _primary(window) == ["Scan &screen"]
    connect(qtbot, window)  # the same reader, one click
    assert window.token.info is not None


def test_dark_theme_check_boxes_stand_out(qtbot):
    with themed("dark") as app:
        box = QCheckBox("an option")
        qtbot.addWidget(box)
        box.show()
        image = box.grab().toImage()
        background = app.palette().window().color()
        indicator = box.style().subElementRect(box.style().SubElement.SE_CheckBoxIndicator, _option(box), box)
        best = max(contrast(image.pixelColor(x, y), background)
                   for x in range(indicator.left(), indicator.right() + 1)
                   for y in range(indicator.top(), indicator.bottom() + 1))
        assert best >= 3.0, f"the unchecked box reaches only {best:.2f}:1 against the window"  # WCAG 1.4.11


def _option(box):
    from PySide6.QtWidgets import QStyleOptionButton

    option = QStyleOptionButton()
    box.initStyleOption(option)
    return option


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_focus_is_a_two_pixel_ring_in_the_highlight_colour(qtbot, theme):
    from PySide6.QtWidgets import QLineEdit, QPushButton, QVBoxLayout, QWidget

    with themed(theme) as app:
        holder = QWidget()
        layout = QVBoxLayout(holder)
        button, field = QPushButton("Burn"), QLineEdit()
        layout.addWidget(button)
        layout.addWidget(field)
        qtbot.addWidget(holder)
        holder.show()
        highlight = app.palette().highlight().color()
        for widget in (button, field):
            widget.setFocus()
            qtbot.waitUntil(widget.hasFocus)
            image = widget.grab().toImage()
            middle = image.height() // 2
            edge = [image.pixelColor(x, middle) for x in range(3)]  # the ring, from the left edge inwards
            close = [c for c in edge if abs(c.red() - highlight.red()) + abs(c.green() - highlight.green())
                     + abs(c.blue() - highlight.blue()) < 60]
            assert len(close) >= 2, (type(widget).__name__, [c.name() for c in edge], highlight.name())
