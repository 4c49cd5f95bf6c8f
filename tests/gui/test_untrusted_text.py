"""Text a token or a server supplies is shown as plain, printable text in the window (never as HTML)."""

from PySide6.QtCore import Qt

from otpburn.gui.common import StatusLabel
from otpburn.gui.profile_grid import ProfileGrid
from otpburn.otp import Algorithm
from otpburn.tokens.molto2 import Profile

TITLE = "<img src=x>\x1b[2J\u202e"


def test_a_hostile_title_is_plain_text_in_the_grid(qtbot):
    grid = ProfileGrid()
    qtbot.addWidget(grid)
    grid.show_profiles([Profile(0, True, TITLE, Algorithm.SHA1, 30, 6), Profile(1, False, "", None, 30, 6)])
    item = grid.table.item(0, 0)
    assert item.text() == "● 0\n<img src=x> [2J"
    assert "<img" not in item.toolTip() and "&lt;img src=x&gt;" in item.toolTip()


def test_status_lines_are_plain_text_without_controls(qtbot):
    label = StatusLabel()
    qtbot.addWidget(label)
    label.show_status(f"profile 4 ({TITLE}) already holds a seed\nsecond line", "stop")
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert label.text() == "profile 4 (<img src=x> [2J ) already holds a seed\nsecond line"
