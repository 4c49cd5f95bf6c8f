"""The window against emulated tokens through pyscard -> pcscd -> vpcd (offscreen Qt)."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

pytest.importorskip("pytestqt")

from otpburn.emulator.faults import Fault, FaultPlan  # noqa: E402
from otpburn.emulator.stack import READER_NAME  # noqa: E402
from otpburn.emulator.token2 import Token2Emulator, Token2Memory  # noqa: E402
from otpburn.emulator.ykoath import YkoathEmulator  # noqa: E402
from otpburn.otp import OtpParams  # noqa: E402
from tests.gui.conftest import burn, connect, window  # noqa: E402,F401

SECRET = b"gui through pcscd!!!"


def give_seed(window):  # noqa: F811
    window.seed._offer([OtpParams(secret=SECRET, issuer="Acme", account="bob")], [], "test seed")


def test_connect_and_burn_through_pcscd(qtbot, window, place_card):  # noqa: F811
    card = Token2Emulator(Token2Memory(serial="8659632000777", clock_offset=-50))
    place_card(card)
    give_seed(window)
    connect(qtbot, window, READER_NAME)
    assert window.token.fields["Serial"].text() == "8659632000777"
    assert any(f"{o} s from this PC" in window.token.fields["Clock"].text() for o in (-51, -50, -49))
    assert window.token.status.kind == "warn" and "Sync token clock" in window.token.status.text()
    assert "--" not in window.token.status.text()  # the window names its own controls, not CLI flags
    window.burn.sync_clock.setChecked(True)
    report, display = burn(qtbot, window)
    assert display is None and card.memory.seed == SECRET.hex()
    assert abs(card.clock() - __import__("time").time()) < 2
    window.test.typed.setText(card.display_code())
    window.test.check_button.click()
    assert "right code" in window.test.status.text()


def test_link_loss_during_the_burn_is_survived(qtbot, window, place_card):  # noqa: F811
    card = Token2Emulator(Token2Memory(serial="8659622000778"), faults=FaultPlan([Fault("drop-after", 0xC5)]))
    place_card(card, reinsert_after=1.0)
    give_seed(window)
    connect(qtbot, window, READER_NAME)
    seen = []
    qtbot.waitUntil(lambda: window.burn.burn_button.isEnabled())
    window.burn.burn_button.click()
    qtbot.waitUntil(lambda: seen.append(window.burn.status.text()) or "resumed" in window.burn.status.text(),
                    timeout=20_000)
    assert any("Keep it still on the reader" in text for text in seen)
    assert card.memory.seed == SECRET.hex()
    assert "resumed" in window.burn.status.text()


def test_oath_token_is_verified_automatically(qtbot, window, place_card):  # noqa: F811
    card = YkoathEmulator()
    place_card(card)
    give_seed(window)
    connect(qtbot, window, READER_NAME)
    assert "OATH applet" in window.token.fields["Token"].text()
    report, _ = burn(qtbot, window)
    assert "Verified automatically" in window.test.status.text()
    assert report.verification.matches and report.verification.host_code == report.verification.token_code


def test_reader_unplugged(qtbot, window, place_card, pcscd_stack):  # noqa: F811
    place_card(Token2Emulator(Token2Memory(serial="8659622000779")))
    give_seed(window)
    connect(qtbot, window, READER_NAME)
    pcscd_stack.stop()  # the reader (and the whole PC/SC service) disappears
    try:
        qtbot.waitUntil(lambda: window.reader.readers.findData(READER_NAME) < 0, timeout=10_000)
        assert "not running" in window.reader.status.text()
        window.burn.burn_button.click()
        qtbot.waitUntil(lambda: window.burn.status.kind == "stop", timeout=10_000)
        assert "not running" in window.burn.status.text() or "not available" in window.burn.status.text()
    finally:
        pcscd_stack.start()
