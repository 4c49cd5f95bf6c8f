"""Every remedy an error can carry is worded by both front ends (an unworded one would vanish)."""

import pytest

from otpburn.cli.wording import REMEDIES as CLI_WORDS
from otpburn.errors import Remedy

gui_common = pytest.importorskip("otpburn.gui.translation", reason="PySide6 is part of the test extras")


@pytest.mark.parametrize("remedy", list(Remedy))
def test_each_remedy_has_words_in_the_cli_and_the_window(remedy):
    assert CLI_WORDS.get(remedy), f"the CLI has no words for {remedy}"
    assert gui_common.REMEDIES.get(remedy), f"the window has no words for {remedy}"
    assert "--" not in gui_common.REMEDIES[remedy], "the window names controls, not command-line flags"
