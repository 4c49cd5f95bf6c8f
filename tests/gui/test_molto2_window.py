"""The window with the built-in virtual Molto2 (offscreen): the profile grid, burning a chosen and the next
free profile with a title, replacing one, and a wrong customer key."""

import pytest

from otpburn.provisioning.burn.steps import Step

from .conftest import burn, connect
from .test_window_virtual import SECRET, seed_from_image


@pytest.fixture
def customer_key(monkeypatch):
    """What the user types into the customer-key dialog (empty: the factory key, as the dialog says)."""
    typed = {"text": ""}

    def answer(parent, title, label, echo):
        assert "TOKEN2MOLTO1-KEY" in label  # the factory key is offered in words, never used silently
        return typed["text"], True

    monkeypatch.setattr("PySide6.QtWidgets.QInputDialog.getText", answer)
    return typed


def test_profile_grid_burn_next_free_and_replace(qtbot, window, customer_key):
    seed_from_image(qtbot, window)
    connect(qtbot, window, "virtual-molto2")
    grid = window.token.profiles
    assert not grid.isHidden() and grid.table.rowCount() == 20 and len(grid.profiles) == 100
    assert "0 of 100 profiles hold a seed" in grid.summary.text()
    assert grid.selected.number == 0 and not window.burn.profile_title.isHidden()

    window.burn.profile_title.setText("Atlassian")
    report, display = burn(qtbot, window)
    assert (report.profile, report.title) == (0, "Atlassian")
    assert report.done[-3:] == [Step.TITLE, Step.SEED, Step.READ_BACK]
    assert "it matches" in window.test.status.text() and display
    assert window.burn.steps["verify"].text().startswith("✓")  # the match ticks the step row too
    assert grid.selected.number == 1 and grid.profiles[0].occupied  # on to the next free one
    # Not "ready" again with the same seed: the card says where it is and what Burn would do now.
    assert window.burn.status.text() == ("This seed is in profile 0 now. Give the next account's seed; pressing "
                                         "Burn again would put this same seed into profile 1 too.")
    assert window.burn.last_attempt.isHidden()  # ten attempts left: no last-attempt box
    assert "● 0\nAtlassian" == grid.table.item(0, 0).text()

    # Choosing the occupied profile: replacing must be ticked, and the old seed goes first.
    grid.table.setCurrentCell(0, 0)
    assert "holds a seed" in grid.choice.text() and window.burn.replace_profile.isEnabled()
    window.burn.burn_button.click()
    qtbot.waitUntil(lambda: window.burn.status.kind == "stop", timeout=15_000)
    assert "already holds a seed" in window.burn.status.text() and "Replace this profile" in window.burn.status.text()
    window.burn.replace_profile.setChecked(True)
    report, _ = burn(qtbot, window)
    assert Step.ERASE in report.done and report.params.secret == SECRET


def test_a_wrong_customer_key_says_the_attempts_left(qtbot, window, customer_key):
    seed_from_image(qtbot, window)
    connect(qtbot, window, "virtual-molto2")
    customer_key["text"] = "not the key"
    window.burn.burn_button.click()
    qtbot.waitUntil(lambda: window.burn.status.kind == "stop", timeout=15_000)
    assert "9 attempts remain" in window.burn.status.text()
    # Another try only through the dialog, which says what is at stake; its default is not to.
    box = window.burn.retry_box
    qtbot.waitUntil(box.isVisible)
    assert "refused the key typed. 9 attempts remain before it locks for good" in box.text()
    assert box.defaultButton().text() == "Not now"
    box.defaultButton().click()
    window.burn.burn_button.click()  # a second try in the same run is refused without reaching the token
    qtbot.waitUntil(lambda: "already refused" in window.burn.status.text(), timeout=15_000)
    box = window.burn.retry_box
    qtbot.waitUntil(box.isVisible)
    window.burn.retry_button.click()
    assert "You may try once more" in window.burn.status.text()
    customer_key["text"] = ""  # the factory key, which the virtual Molto2 has
    burn(qtbot, window)
    assert window.burn.status.kind == "ok"
