"""The whole flow in the window against the built-in virtual token (offscreen)."""

import json
import os
from pathlib import Path

import pytest

from otpburn.otp import code_window, encode_base32
from otpburn.provisioning.burn.steps import Step

from .conftest import burn, connect

EXAMPLE = "examples/2fa-setup-screenshot.png"
SECRET = b"otpburn example seed"


def seed_from_image(qtbot, window):
    with qtbot.waitSignal(window.seed.seed_changed, timeout=15_000):
        window.seed.load_image(EXAMPLE)
    assert window.seed.params.secret == SECRET


def test_image_connect_burn_and_typed_codes(qtbot, window):
    seed_from_image(qtbot, window)
    assert window.seed.issuer.text() == "Atlassian" and window.seed.account.text() == "alex.morgan@example.com"
    assert "20 bytes" in window.seed.secret_view.text() and "N52H" not in window.seed.secret_view.text()
    assert window.seed.thumbnail.pixmap() is not None and not window.seed.thumbnail.pixmap().isNull()
    window.seed.show_button.click()
    assert window.seed.secret_view.text().startswith("N52H AYTV")
    window.seed.show_button.click()

    connect(qtbot, window)
    assert window.token.fields["Serial"].text() == "8659622000001"
    assert "OTPC-P2-i" in window.token.fields["Token"].text()
    assert "seed fits the token" in window.token.status.text()

    report, display = burn(qtbot, window)
    # one identification, the clock watched to keep the token's time, one authentication, two writes, a read-back
    assert report.done == [Step.IDENTIFY, Step.PREFLIGHT, Step.READ_CLOCK, Step.AUTHENTICATE, Step.CONFIG, Step.SEED,
                           Step.READ_BACK]
    assert all(label.text().startswith("✓") for step, label in window.burn.steps.items()
               if step != "verify" and not label.isHidden())
    assert window.burn.steps[Step.TITLE].isHidden() and window.token.profiles.isHidden()  # single-profile token
    assert "virtual token shows" in window.test.status.text() and "it matches" in window.test.status.text()

    window.test.typed.setText(display)
    window.test.check_button.click()
    assert "right code" in window.test.status.text()
    assert window.burn.steps[Step.VERIFY].text() == "✓ verify"
    from otpburn.provisioning.records import audit

    entry = audit.read_entries()[-1]
    assert (entry["operation"], entry["result"], entry["serial"], entry["front_end"]) == (
        "verify", "match", "8659622000001", "gui")
    assert SECRET.hex() not in json.dumps(entry)
    window.test.typed.setText("000000" if display != "000000" else "111111")
    window.test.check_button.click()
    assert "Mismatch" in window.test.status.text() and window.test.status.kind == "stop"
    window.test.tick()  # the labels follow a 1 s timer; refresh them before comparing
    assert window.test.labels["current"].text() == code_window(report.params).current


def test_burn_with_clock_sync_shows_the_wipe_note(qtbot, window):
    seed_from_image(qtbot, window)
    connect(qtbot, window)
    window.burn.sync_clock.setChecked(True)
    assert "erases its seed" in window.burn.wipe_note.text()
    report, display = burn(qtbot, window)
    assert report.clock_written is not None
    memory = json.loads(open(os.environ["OTPBURN_VIRTUAL_TOKEN"]).read())
    assert memory["seed"] == SECRET.hex()


def test_paste_text_and_non_seed(qtbot, window):
    from PySide6.QtGui import QGuiApplication

    QGuiApplication.clipboard().setText("phonefactor://activate_account?code=123456789&url=https://x/activatev2/y")
    window.seed.paste_button.click()
    assert "different authenticator app" in window.seed.status.text() and window.seed.params is None
    QGuiApplication.clipboard().setText(f"otpauth://totp/Paste:me?secret={encode_base32(SECRET)}&period=60")
    window.seed.paste_button.click()
    assert window.seed.params.issuer == "Paste" and window.seed.period.value() == 60


def test_paste_image(qtbot, window):
    from PySide6.QtGui import QGuiApplication, QImage

    QGuiApplication.clipboard().setImage(QImage(EXAMPLE))
    with qtbot.waitSignal(window.seed.seed_changed, timeout=15_000):
        window.seed.paste_button.click()
    assert window.seed.params.secret == SECRET


def test_random_and_manual_entry(qtbot, window):
    window.seed.random_button.click()
    assert len(window.seed.params.secret) == 20 and "random" in window.seed.status.text()
    window.seed.manual.setText(SECRET.hex())
    assert window.seed.params is None  # read at the pause, not at each keystroke
    qtbot.waitUntil(lambda: window.seed.params is not None)
    assert window.seed.encoding.text() == "hex, 20 bytes" and window.seed.params.secret == SECRET
    window.seed.manual.setText("JBSW1Y3D")
    window.seed.parse_typed()  # Enter
    assert "position 5" in window.seed.encoding.text() and window.seed.params is None
    window.seed.manual.setText("ABCDEF2345674567ABCD")
    window.seed.parse_typed()
    assert "also valid hex" in window.seed.encoding.text()


def test_a_half_typed_secret_is_never_offered_nor_burnable(qtbot, window):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    connect(qtbot, window)
    window.seed.manual.setFocus()
    for count, char in enumerate("JBSWY3DPEHPK3PX1", start=1):
        QTest.keyClick(window.seed.manual, char)
        assert window.seed.params is None and not window.burn.burn_button.isEnabled(), count
    QTest.keyClick(window.seed.manual, Qt.Key.Key_Backspace)  # 15 characters: 9 bytes, valid base32
    QTest.keyClick(window.seed.manual, Qt.Key.Key_Return)
    assert window.seed.params is None and not window.burn.burn_button.isEnabled()
    assert window.seed.encoding.text().startswith("incomplete: 9 bytes of base32 so far")
    assert window.seed.encoding.wordWrap()
    QTest.keyClick(window.seed.manual, "P")  # the 16th character: a whole secret, read at the pause
    qtbot.waitUntil(lambda: window.seed.params is not None)
    assert window.seed.params.secret == bytes.fromhex("48656c6c6f21deadbeef")
    qtbot.waitUntil(lambda: window.burn.burn_button.isEnabled())
    assert window.burn.burn_button.isDefault()
    # A wrong character: the seed goes at once, and the card says why once the typing pauses.
    QTest.keyClick(window.seed.manual, "1")
    assert window.seed.params is None and not window.burn.burn_button.isEnabled()
    window.seed.parse_typed()
    assert "position 17" in window.seed.encoding.text()
    # A long message wraps under the field: the window never scrolls sideways.
    window.seed.manual.setText("otpauth://totp/" + "x" * 300)
    window.seed.parse_typed()
    qtbot.wait(50)
    assert not window.centralWidget().horizontalScrollBar().isVisible()


def test_google_export_lets_the_user_pick(qtbot, window):
    import random

    from tests.support.qr_corpus import migration_uri

    window.seed.use_text(migration_uri(random.Random(4), accounts=3), "test")
    assert window.seed.account_choice.isVisible() and window.seed.account_choice.count() == 3
    window.seed.account_choice.setCurrentIndex(2)
    assert window.seed.params == window.seed.choices[2]


def test_seed_that_does_not_fit_blocks_the_burn(qtbot, window):
    connect(qtbot, window)
    window.seed.use_text(f"otpauth://totp/A:b?secret={encode_base32(SECRET)}&algorithm=SHA512", "test")
    assert window.token.status.kind == "stop" and "SHA512" in window.token.status.text()
    assert not window.burn.burn_button.isEnabled()


def test_every_channel_the_window_opens_is_closed(qtbot, window, monkeypatch):
    """Connect, burn (with a clock sync) and connect again: no connection to the token is left open."""
    from otpburn.provisioning.access import readers

    opened = []
    real_open = readers.open_virtual_reader

    def counted_open():
        reader, card = real_open()
        opened.append(reader)
        return reader, card

    monkeypatch.setattr(readers, "open_virtual_reader", counted_open)
    seed_from_image(qtbot, window)
    connect(qtbot, window)
    window.burn.sync_clock.setChecked(True)
    burn(qtbot, window)
    connect(qtbot, window)
    assert len(opened) == 3  # identify, burn, identify
    assert [reader.open_connections for reader in opened] == [0, 0, 0]


def test_remembers_options_not_secrets(qtbot, window):
    seed_from_image(qtbot, window)
    connect(qtbot, window)
    window.burn.sync_clock.setChecked(True)
    window.close()
    window.settings.sync()
    saved = open(window.settings.fileName()).read()
    assert "sync_clock=true" in saved and "reader=virtual" in saved
    assert encode_base32(SECRET) not in saved and SECRET.hex() not in saved


@pytest.mark.parametrize("timeout", ["abc", "²", "1" * 5000, "45", "60"])
def test_a_hand_edited_settings_file_still_opens_the_window(qtbot, tmp_path, timeout):
    from PySide6.QtCore import QSettings

    from otpburn.gui.window import MainWindow

    path = tmp_path / "settings.ini"
    path.write_text(f"[General]\ndisplay_timeout={timeout}\n", encoding="utf-8")
    win = MainWindow(QSettings(str(path), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    assert win.burn.display_timeout.currentData() == (60 if timeout == "60" else 30)  # else the default
    win.close()


def test_a_hand_edited_folder_or_reader_with_a_comma_is_shown_as_written(qtbot, tmp_path):
    """Unquoted, "a, b" in an INI file is a list to QSettings: the window shows the text, not a Python list."""
    from PySide6.QtCore import QSettings

    from otpburn.gui.window import MainWindow

    path = tmp_path / "settings.ini"
    path.write_text("[General]\nexport_folder=/data/Tokens, 2026\nreader=Reader A, slot 1\n", encoding="utf-8")
    win = MainWindow(QSettings(str(path), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    assert win.burn.export_folder.text() == "/data/Tokens, 2026"
    assert win.reader.preferred == "Reader A, slot 1"
    win.close()


def test_keyboard_tab_order_reaches_the_main_controls(qtbot, window):
    from PySide6.QtCore import Qt

    focusable = []
    widget = window.seed.scan_button
    widget.setFocus()
    for _ in range(60):
        focusable.append(widget)
        widget = widget.nextInFocusChain()
        while not (widget.focusPolicy() & Qt.FocusPolicy.TabFocus) or not widget.isEnabled():
            widget = widget.nextInFocusChain()
        if widget is window.seed.scan_button:
            break
    for control in (window.seed.manual, window.reader.connect_button, window.test.typed):
        assert control in focusable


def test_a_second_start_brings_the_first_window_forward(qtbot, window, monkeypatch, tmp_path):
    from otpburn.gui import app

    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    server = app.listen_for_second_starts(window)
    try:
        window.showMinimized()
        assert app.bring_forward_existing() is True
        qtbot.waitUntil(lambda: not window.isMinimized(), timeout=5000)
    finally:
        server.close()
    assert app.bring_forward_existing() is False


def test_single_instance_socket_is_private_and_only_stale_ones_are_replaced(qtbot, window, monkeypatch, tmp_path):
    import socket as sockets

    from otpburn.gui import app

    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    name = app.instance_name()
    assert name == str(tmp_path / "otpburn" / "gui.socket")
    assert (tmp_path / "otpburn").stat().st_mode & 0o077 == 0
    # A socket left by a crashed run: nobody answers, so it is replaced.
    stale = sockets.socket(sockets.AF_UNIX)
    stale.bind(name)
    stale.close()
    server = app.listen_for_second_starts(window)
    try:
        assert server.isListening()
        # A slow first window that still answers keeps its guard: a second listener does not take it.
        second = app.listen_for_second_starts(window)
        assert not second.isListening() and server.isListening()
        assert app.bring_forward_existing() is True
    finally:
        server.close()


def test_a_planted_file_is_not_trusted_as_the_first_window(monkeypatch, tmp_path):
    from otpburn.gui import app

    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    name = app.instance_name()
    open(name, "w").close()  # not a socket
    assert app.bring_forward_existing() is False


def test_seed_file_offers_its_accounts(qtbot, window, tmp_path):
    path = tmp_path / "seeds.csv"
    path.write_text(f"serial,secret\n8659622000001,{encode_base32(SECRET)}\n8659622000002,{encode_base32(b'x' * 20)}\n")
    with qtbot.waitSignal(window.seed.seed_changed, timeout=15_000):
        window.seed.load_seed_file(str(path))  # read off the UI thread
    assert window.seed.account_choice.count() == 2 and window.seed.params.secret == SECRET
    bad = tmp_path / "bad.csv"
    bad.write_text("serial,secret\n1,JBSW1\n")
    window.seed.load_seed_file(str(bad))
    qtbot.waitUntil(lambda: window.seed.status.kind == "stop", timeout=15_000)
    assert "line 2" in window.seed.status.text()


def test_an_encrypted_seed_file_asks_for_its_password_on_the_ui_thread(qtbot, window, tmp_path, monkeypatch):
    from otpburn.otp import OtpParams
    from otpburn.provisioning.records.exports import Protection, TokenRecord, export

    path = tmp_path / "seeds.pskc"
    export("pskc", [TokenRecord(OtpParams(SECRET, account="kim"), serial="8659622000001")], str(path),
           protection=Protection(password="window password"))
    asked = []

    def ask():
        from PySide6.QtCore import QThread

        asked.append(QThread.currentThread() is window.thread())
        return "window password"

    monkeypatch.setattr(window.seed, "_ask_password", ask)
    with qtbot.waitSignal(window.seed.seed_changed, timeout=15_000):
        window.seed.load_seed_file(str(path))
    assert asked == [True] and window.seed.params.secret == SECRET


def test_a_key_encrypted_pskc_asks_for_its_key_and_a_vault_for_its_password(qtbot, window, monkeypatch):
    corpus = Path(__file__).resolve().parent.parent / "data" / "seedfiles"
    asked: list[str] = []

    def ask_key():
        asked.append("key")
        return bytes.fromhex("12345678901234567890123456789012")

    def ask_password():
        asked.append("password")
        return "correct horse battery staple"

    monkeypatch.setattr(window.seed, "_ask_key", ask_key)
    monkeypatch.setattr(window.seed, "_ask_password", ask_password)
    with qtbot.waitSignal(window.seed.seed_changed, timeout=15_000):
        window.seed.load_seed_file(str(corpus / "pskc-rfc6030-figure6-preshared-key.xml"))
    assert asked == ["key"] and window.seed.params.secret == b"12345678901234567890"
    with qtbot.waitSignal(window.seed.seed_changed, timeout=15_000):
        window.seed.load_seed_file(str(corpus / "aegis-encrypted.json"))
    assert asked == ["key", "password"] and window.seed.account_choice.count() == 3
    assert "entry 4 (Steam:gamer)" in window.seed.status.text()  # what was left out is said beside the seeds


def test_an_app_export_with_encrypted_secrets_asks_for_its_password_in_the_window(qtbot, window, monkeypatch):
    """Authy's token store, as Aegis's test suite keeps it: the password is asked only once the file turns out
    to need it, and the accounts arrive with Authy's defaults noted."""
    corpus = Path(__file__).resolve().parent.parent / "data" / "seedfiles"
    asked: list[str] = []
    monkeypatch.setattr(window.seed, "_ask_password", lambda: asked.append("password") or "testtest")
    with qtbot.waitSignal(window.seed.seed_changed, timeout=15_000):
        window.seed.load_seed_file(str(corpus / "authy-encrypted-from-aegis-tests.xml"))
    assert asked == ["password"] and window.seed.account_choice.count() == 3
    assert window.seed.params.secret == bytes.fromhex("e49270f0d21f365c8408f8b475c5267c")


def test_a_keepass_database_opens_in_the_window_through_keepassxc(qtbot, window, monkeypatch, keepassxc_cli):
    """The window asks the password once the file turns out to need it; keepassxc-cli runs off the UI thread."""
    corpus = Path(__file__).resolve().parent.parent / "data" / "seedfiles"
    asked: list[str] = []
    monkeypatch.setattr(window.seed, "_ask_password",
                        lambda: asked.append("password") or "correct horse battery staple")
    with qtbot.waitSignal(window.seed.seed_changed, timeout=15_000):
        window.seed.load_seed_file(str(corpus / "keepass-kdbx4.kdbx"))
    assert asked == ["password"] and window.seed.account_choice.count() == 3
    assert window.seed.params.secret == bytes.fromhex("48656c6c6f21deadbeef") and window.seed.params.digits == 7
    assert "1 entry in the recycle bin was left out" in window.seed.status.text()


def test_a_keepass_database_with_a_key_file_asks_for_it_after_the_password(qtbot, window, monkeypatch, keepassxc_cli):
    """Nothing tells a wrong password from a missing key file: after the password, the window offers to choose
    the key file; with it, the database opens."""
    folder = Path(__file__).resolve().parent.parent / "data" / "keepass-key-file"
    asked: list[str] = []
    monkeypatch.setattr(window.seed, "_ask_password",
                        lambda: asked.append("password") or "correct horse battery staple")
    monkeypatch.setattr(window.seed, "_ask_key_file",
                        lambda: asked.append("key file") or (folder / "vault.keyx").read_bytes())
    with qtbot.waitSignal(window.seed.seed_changed, timeout=15_000):
        window.seed.load_seed_file(str(folder / "password-and-key-file.kdbx"))
    assert asked == ["password", "key file"] and window.seed.account_choice.count() == 5

    monkeypatch.setattr(window.seed, "_ask_key_file", lambda: asked.append("no key file") or None)  # cancelled
    window.seed.load_seed_file(str(folder / "password-and-key-file.kdbx"))
    qtbot.waitUntil(lambda: "KeePassXC could not open this KeePass database" in window.seed.status.text(),
                    timeout=15_000)
    assert asked[2:] == ["password", "no key file"] and "choose it when asked" in window.seed.status.text()


def test_the_entra_export_needs_a_upn_before_burn(qtbot, window):
    seed_from_image(qtbot, window)
    connect(qtbot, window)
    assert window.burn.burn_button.isEnabled()
    window.burn.export_format.setCurrentIndex(window.burn.export_format.findData("entra"))
    assert not window.burn.burn_button.isEnabled() and "needs the user's UPN" in window.burn.status.text()
    assert "required" in window.burn.upn.placeholderText()
    window.burn.upn.setText("amy@contoso.onmicrosoft.com")
    assert window.burn.burn_button.isEnabled()


def test_clear_for_the_next_token_wipes_the_seed_and_the_menu_has_help_about_quit(qtbot, window):
    from PySide6.QtGui import QKeySequence

    seed_from_image(qtbot, window)
    connect(qtbot, window)
    burn(qtbot, window)
    window.clear_action.trigger()
    assert window.seed.params is None and window.test.params is None and not window.burn.burn_button.isEnabled()
    texts = [w.text() for w in window.findChildren(type(window.seed.status)) if hasattr(w, "text")]
    texts += [window.seed.issuer.text(), window.seed.account.text(), window.seed.manual.text(),
              window.seed.secret_view.text(), window.test.labels["current"].text()]
    assert not any(encode_base32(SECRET)[:8] in text for text in texts) and window.seed.secret_view.text() == "–"
    assert window.token.info is None and window.spec is None  # the next token is another: connected afresh
    assert all(label.text().startswith("○") for label in window.burn.steps.values())
    actions = {a.text(): a for menu in window.menuBar().actions() for a in menu.menu().actions()}
    assert actions["&Quit"].shortcut() == QKeySequence("Ctrl+Q")
    assert actions["&Clear for the next token"].shortcut() == QKeySequence("Ctrl+N")
    about = window.about_text()
    assert "otpburn 0." in about and "Licence: MIT" in about and "Qt 6." in about and "pyscard" in about


def test_a_slow_seed_file_read_can_be_cancelled(qtbot, window, tmp_path, monkeypatch):
    """An encrypted seed file derives its key first (bounded, but seconds on a slow PC): the user may stop
    waiting, and what the read finds afterwards is dropped, not offered."""
    import threading

    from otpburn.otp import OtpParams
    from otpburn.sources import seedfiles
    from otpburn.sources.seedfiles.model import Rows, SeedRecord

    release = threading.Event()

    def slow_read(path, password=None, key=None):
        release.wait(10)
        return Rows([SeedRecord("", OtpParams(SECRET, account="late"), 1)])

    monkeypatch.setattr(seedfiles, "read_seed_file", slow_read)
    window.seed.load_seed_file(str(tmp_path / "vault.json"))
    assert window.seed.cancel_button.isVisible()
    window.seed.cancel_button.click()
    assert not window.seed.cancel_button.isVisible() and "Stopped waiting" in window.seed.status.text()
    release.set()
    from otpburn.gui import worker

    assert worker.wait_all()
    qtbot.wait(50)  # the dropped result's signal is delivered, and ignored
    assert window.seed.params is None and "Stopped waiting" in window.seed.status.text()


def test_the_window_burns_through_the_one_flow(qtbot, window, monkeypatch):
    """The Burn button runs the library's burn flow (the same one the CLI's burn, batch and fill run)."""
    from otpburn.provisioning.burn import flow

    front_ends = []
    real_run = flow.BurnFlow.run

    def counted(self, *args, **kwargs):
        front_ends.append(self.settings.front_end)
        return real_run(self, *args, **kwargs)

    monkeypatch.setattr(flow.BurnFlow, "run", counted)
    seed_from_image(qtbot, window)
    connect(qtbot, window)
    burn(qtbot, window)
    assert front_ends == ["gui"]
    entries = [json.loads(line) for line in open(os.environ["OTPBURN_AUDIT_LOG"])]
    burns = [(e["result"], e.get("front_end")) for e in entries if e["operation"] == "burn"][-2:]
    assert burns == [("started", "gui"), ("ok", "gui")]


def test_help_opens_without_a_browser_and_the_guide_is_the_local_copy(qtbot, window):
    from PySide6.QtCore import QObject, QUrl, Slot
    from PySide6.QtGui import QDesktopServices

    class Opened(QObject):
        """Qt's own hook for a URL scheme: what a desktop would be asked to open lands here."""

        def __init__(self) -> None:
            super().__init__()
            self.urls: list[QUrl] = []

        @Slot(QUrl)
        def open(self, url: QUrl) -> None:
            self.urls.append(url)

    opened = Opened()
    QDesktopServices.setUrlHandler("file", opened, "open")
    try:
        window.open_help()
        qtbot.waitUntil(lambda: window.help_box.isVisible())
        assert "six steps" in window.help_box.text() and "pcscd" in window.help_box.text()
        window.guide_button.click()
        qtbot.waitUntil(lambda: bool(opened.urls))
        assert opened.urls[0].toLocalFile().endswith("docs/desktop.md")
    finally:
        QDesktopServices.unsetUrlHandler("file")


def test_without_pcsc_the_reader_card_points_at_the_help_not_at_an_install_command(qtbot, window):
    window.reader._known = None
    window.reader._listed(([], "PC/SC support is not installed: /some/python -m pip install -e '/src[pcsc]'"))
    assert window.reader.status.kind == "warn" and "pip" not in window.reader.status.text()
    assert "PC/SC is not set up" in window.reader.status.text() and "pip install" in window.reader.status.toolTip()
    assert window.reader.setup_link.isVisible()
    window.reader.setup_link.linkActivated.emit("#help")
    qtbot.waitUntil(lambda: window.help_box.isVisible())
    window.help_box.close()
    window.reader._known = None
    window.reader._listed(([("ACS ACR122U 00 00", False)], None))
    assert not window.reader.setup_link.isVisible()


def test_the_window_shows_a_files_name_not_its_folders_and_never_minus_zero(qtbot, window):
    seed_from_image(qtbot, window)
    assert "Found on 2fa-setup-screenshot.png" in window.seed.status.text()
    assert os.getcwd() not in window.seed.status.text()
    connect(qtbot, window)
    clock = window.token.fields["Clock"].text()
    assert clock.endswith(" from this PC") and "-0 s" not in clock and "+0 s" not in clock
