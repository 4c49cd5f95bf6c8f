"""YKOATH through pyscard -> pcscd -> vpcd -> the emulated applet, in both directions:
otpburn's driver against our emulator, and yubikit (yubikey-manager, a client we did not
write) against the same emulator."""

import json
import os
import subprocess
import sys
import time

import pytest

from otpburn.emulator.stack import READER_NAME
from otpburn.emulator.ykoath import OathState, YkoathEmulator
from otpburn.otp import Algorithm, encode_base32, totp

from .conftest import wait_for_step_start

yubikit_oath = pytest.importorskip("yubikit.oath", reason="yubikey-manager is part of the test extras")

SECRET = b"otpburn oath secret!"
URI = f"otpauth://totp/Acme:bob@example.com?secret={encode_base32(SECRET)}&issuer=Acme"


def run(*args, stdin=None, timeout=60):
    return subprocess.run([sys.executable, "-m", "otpburn", *args], capture_output=True, text=True,
                          env=dict(os.environ), timeout=timeout, input=stdin if stdin is not None else "")


def yubikit_session():
    from smartcard.System import readers
    from ykman.pcsc import ScardSmartCardConnection

    reader = next(r for r in readers() if str(r) == READER_NAME)
    connection = ScardSmartCardConnection(reader.createConnection())
    return yubikit_oath.OathSession(connection), connection


@pytest.fixture
def uri_file(tmp_path):
    path = tmp_path / "uri.txt"
    path.write_text(URI)
    return str(path)


def test_burn_list_calculate_delete_with_otpburn(place_card, uri_file):
    card = YkoathEmulator()
    place_card(card)
    result = run("burn", "--reader", READER_NAME, "--uri-file", uri_file, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["credential"] == "Acme:bob@example.com"
    assert report["verification"]["matches"] is True and report["token"]["family"] == "ykoath"

    again = run("burn", "--reader", READER_NAME, "--uri-file", uri_file)
    assert again.returncode == 2 and "--force" in again.stderr

    wait_for_step_start()
    listed = json.loads(run("accounts", "--reader", READER_NAME, "--json").stdout)
    assert listed == [{"name": "Acme:bob@example.com", "issuer": "Acme", "account": "bob@example.com", "type": "totp",
                       "algorithm": "SHA1", "period": 30, "code": totp(SECRET, time.time())}]

    assert run("delete", "Acme:bob@example.com", "--reader", READER_NAME).returncode == 2  # no terminal to confirm
    assert run("delete", "Acme:bob@example.com", "--reader", READER_NAME, "--yes").returncode == 0
    assert card.state.credentials == {}


def test_yubikit_reads_what_otpburn_burned(place_card, uri_file, tmp_path):
    card = YkoathEmulator()
    place_card(card)
    sha512 = tmp_path / "sha512.txt"
    sha512.write_text(f"otpauth://totp/Big:carol?secret={encode_base32(bytes(range(70)))}&algorithm=SHA512&digits=8"
                      "&period=60")
    assert run("burn", "--reader", READER_NAME, "--uri-file", uri_file).returncode == 0
    assert run("burn", "--reader", READER_NAME, "--uri-file", str(sha512)).returncode == 0

    wait_for_step_start()
    session, connection = yubikit_session()
    try:
        credentials = {c.id.decode(): c for c in session.list_credentials()}
        assert set(credentials) == {"Acme:bob@example.com", "60/Big:carol"}
        assert credentials["60/Big:carol"].period == 60 and credentials["60/Big:carol"].issuer == "Big"
        now = time.time()
        code = session.calculate_code(credentials["Acme:bob@example.com"], int(now))
        assert code.value == totp(SECRET, now)
        code = session.calculate_code(credentials["60/Big:carol"], int(now))
        assert code.value == totp(bytes(range(70)), now, digits=8, period=60, algorithm=Algorithm.SHA512)
        assert len(session.calculate_all(int(now))) == 2
    finally:
        connection.close()


def test_yubikit_and_otpburn_with_a_password(place_card, uri_file, tmp_path):
    card = YkoathEmulator()
    place_card(card)
    session, connection = yubikit_session()
    try:
        key = session.derive_key("hunter2")
        session.set_key(key)  # yubikit protects the applet
    finally:
        connection.close()

    locked = run("burn", "--reader", READER_NAME, "--uri-file", uri_file)
    assert locked.returncode == 2 and "password protected" in locked.stderr

    wrong = tmp_path / "wrong.txt"
    wrong.write_text("nope\n")
    result = run("burn", "--reader", READER_NAME, "--uri-file", uri_file, "--password-file", str(wrong))
    assert result.returncode == 1 and "password is wrong" in result.stderr
    assert card.state.validate_attempts == 1

    right = tmp_path / "right.txt"
    right.write_text("hunter2\n")
    result = run("burn", "--reader", READER_NAME, "--uri-file", uri_file, "--password-file", str(right), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["verification"]["matches"]

    wait_for_step_start()
    session, connection = yubikit_session()
    try:
        assert session.locked
        session.validate(session.derive_key("hunter2"))
        (credential,) = session.list_credentials()
        assert session.calculate_code(credential, int(time.time())).value == totp(SECRET, time.time())
    finally:
        connection.close()


def test_info_names_the_family_and_unknown_cards_are_left_alone(place_card):
    place_card(YkoathEmulator(OathState(version=(5, 7, 1))))
    info = json.loads(run("info", "--reader", READER_NAME, "--json").stdout)
    assert info["family"] == "ykoath" and info["model"] == "OATH applet 5.7.1"
    assert info["capabilities"]["computes_codes"] is True


def test_an_unknown_card_is_named_and_left_alone(place_card):
    class Blank:
        atr = bytes.fromhex("3B8F8001804F0CA000000306030001000000006A")

        def __init__(self):
            self.commands = []

        def power_on(self):
            pass

        def power_off(self):
            pass

        def process(self, command):
            self.commands.append(command[:2].hex())
            return b"\x6d\x00"

    card = Blank()
    place_card(card)
    result = run("info", "--reader", READER_NAME)
    assert result.returncode == 1 and "not a token otpburn knows" in result.stderr and "3B 8F 80 01" in result.stderr
    assert card.commands == ["8041", "00a4"]  # GET INFO, SELECT OATH: reads only, no authentication


def test_credential_names_from_the_applet_are_shown_tamed(place_card):
    """A name another program stored (escapes that set the terminal's title and clear it) is shown as text."""
    place_card(YkoathEmulator())
    session, connection = yubikit_session()
    try:
        session.put_credential(yubikit_oath.CredentialData(
            "\x1b]0;pwned\x07\x1b[2Jmallory", yubikit_oath.OATH_TYPE.TOTP, yubikit_oath.HASH_ALGORITHM.SHA1,
            SECRET, issuer="Evil\u202e"))
    finally:
        connection.close()
    wait_for_step_start()
    listed = run("accounts", "--reader", READER_NAME)
    assert listed.returncode == 0, listed.stderr
    assert "\x1b" not in listed.stdout and "\u202e" not in listed.stdout and "]0;pwned [2Jmallory" in listed.stdout
    as_json = run("accounts", "--reader", READER_NAME, "--json")
    assert "\x1b" not in as_json.stdout and "\u202e" not in as_json.stdout
    assert json.loads(as_json.stdout)[0]["account"] == "\x1b]0;pwned\x07\x1b[2Jmallory"  # the data, escaped
