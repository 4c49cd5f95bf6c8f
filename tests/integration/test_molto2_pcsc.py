"""A Token2 Molto2 through pyscard -> pcscd -> vpcd -> the emulated device, on a reader named like the real one's.

The CLI runs as a separate process, as a user would run it; codes are compared with RFC 6238
written out in the test (tests/support/otp_reference.py).
"""

import hashlib
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from otpburn.otp import encode_base32
from otpburn.tokens import molto2
from tests.support.migration_payloads import _entry, export_link
from tests.support.terminal import run_in_terminal

from .conftest import MOLTO2_READER, reference_totp, wait_for_step_start

SECRETS = [b"first account secret", b"second account seed!", b"third one, 20 bytes"]


def run(*args, timeout=60):
    return subprocess.run([sys.executable, "-m", "otpburn", *args], capture_output=True, text=True,
                          env=dict(os.environ), timeout=timeout, stdin=subprocess.DEVNULL)


def auth_commands(card):
    """EXTERNAL AUTHENTICATE commands the device received."""
    return card.memory.auth_attempts


@pytest.fixture
def google_export(tmp_path):
    path = tmp_path / "google-export.txt"
    path.write_text(export_link(_entry(SECRETS[0], "alice@example.com", "GitHub"),
                                _entry(SECRETS[1], "alice", "Mastodon"),
                                _entry(SECRETS[2], "Example Bank:alice", "Example Bank")) + "\n")
    return str(path)


def test_fill_three_accounts_from_a_google_export_list_them_delete_one(place_molto2, google_export):
    token = place_molto2()
    card = token.card
    result = run("fill", google_export, "--reader", MOLTO2_READER, "--default-customer-key", "--json")
    assert result.returncode == 0, result.stderr
    burned = json.loads(result.stdout)["burned"]
    assert [(b["profile"], b["title"]) for b in burned] == [(0, "GitHub"), (1, "Mastodon"), (2, "Example Bank")]
    assert auth_commands(card) == 1  # one authentication for the whole file

    listed = json.loads(run("profiles", "--json").stdout)  # no --reader: the one Molto2, beside the other readers
    assert (listed["used"], listed["next_free"], listed["count"], listed["reader"]) == (3, 3, 100, MOLTO2_READER)
    assert [(p["profile"], p["title"], p["digits"], p["period"]) for p in listed["profiles"]] == [
        (0, "GitHub", 6, 30), (1, "Mastodon", 6, 30), (2, "Example Bank", 6, 30)]

    wait_for_step_start()
    now = time.time()
    for number, secret in enumerate(SECRETS):
        assert card.profile_code(number, now) == reference_totp(secret, now)

    deleted = run("delete", "--profile", "1", "--reader", MOLTO2_READER, "--yes")
    assert deleted.returncode == 0, deleted.stderr
    assert "Erased the seed of profile 1 ('Mastodon')" in deleted.stdout
    listed = json.loads(run("profiles", "--reader", MOLTO2_READER, "--json", "--all").stdout)
    assert [p["occupied"] for p in listed["profiles"][:4]] == [True, False, True, False]
    assert listed["profiles"][1]["title"] == "Mastodon"  # the device keeps a deleted profile's title
    assert auth_commands(card) == 1  # the delete asked for no key

    again = run("fill", google_export, "--reader", MOLTO2_READER, "--default-customer-key", "--account", "Mastodon")
    assert again.returncode == 0, again.stderr
    assert "profile  1" in again.stdout  # the freed profile is the first free one again


def test_burn_a_sha256_8_digit_60_second_profile(place_molto2, tmp_path):
    token = place_molto2()
    secret = b"a 32-byte SHA-256 seed for molto"
    uri = tmp_path / "uri.txt"
    uri.write_text(f"otpauth://totp/Vault:ops?secret={encode_base32(secret)}&issuer=Vault&algorithm=SHA256"
                   "&digits=8&period=60")
    key_file = tmp_path / "customer.key"
    key_file.write_text("544F4B454E324D4F4C544F312D4B4559\n")  # the factory key in the vendor tool's hex form
    result = run("burn", "--reader", MOLTO2_READER, "--uri-file", str(uri), "--profile", "next-free",
                 "--title", "Vault ops", "--customer-key-file", str(key_file), "--sync-clock", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["profile"], report["title"]) == (0, "Vault ops")
    wait_for_step_start(60)
    now = time.time()
    assert token.card.profile_code(0, now) == reference_totp(secret, now, 60, hashlib.sha256, 8)
    assert len(report["codes"]["current"]) == 8 and report["token"]["family"] == "molto2"


def test_a_wrong_key_is_tried_once_and_the_attempts_left_are_said(place_molto2, tmp_path, google_export):
    token = place_molto2()
    key_file = tmp_path / "wrong.key"
    key_file.write_text("not-the-customer-key")
    result = run("fill", google_export, "--reader", MOLTO2_READER, "--customer-key-file", str(key_file))
    assert result.returncode == 1
    assert "refused the customer key: 9 attempts remain before it locks for good" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert auth_commands(token.card) == 1 and not any(p.seed for p in token.card.memory.profiles)


def test_a_second_run_in_the_same_process_refuses_to_authenticate(place_molto2):
    from otpburn.provisioning.access.session import token_session
    from otpburn.provisioning.burn.molto2 import authenticate

    token = place_molto2()
    with token_session(MOLTO2_READER) as on_reader, pytest.raises(molto2.WrongCustomerKeyError):
        authenticate(on_reader.session, b"wrong key")
    with token_session(MOLTO2_READER) as on_reader, pytest.raises(molto2.AlreadyRefusedError):
        authenticate(on_reader.session, molto2.FACTORY_CUSTOMER_KEY)
    assert auth_commands(token.card) == 1


def test_one_attempt_left_needs_consent_across_runs(place_molto2, tmp_path, google_export):
    token = place_molto2(attempts_left=2)
    wrong = tmp_path / "wrong.key"
    wrong.write_text("wrong")
    assert "1 attempt remains" in run("fill", google_export, "--reader", MOLTO2_READER, "--customer-key-file",
                                      str(wrong)).stderr
    refused = run("fill", google_export, "--reader", MOLTO2_READER, "--default-customer-key")
    assert refused.returncode == 1 and "one authentication attempt left" in refused.stderr
    assert "--i-understand-last-attempt" in refused.stderr
    assert auth_commands(token.card) == 1
    accepted = run("fill", google_export, "--reader", MOLTO2_READER, "--default-customer-key",
                   "--i-understand-last-attempt")
    assert accepted.returncode == 0, accepted.stderr
    assert token.card.memory.attempts_left == 10


def test_a_locked_device_is_reported_as_locked(place_molto2, google_export):
    token = place_molto2(attempts_left=0)
    result = run("fill", google_export, "--reader", MOLTO2_READER, "--default-customer-key")
    assert result.returncode == 1 and "is locked after too many wrong customer keys" in result.stderr
    assert "factory reset" in result.stderr
    assert not any(p.seed for p in token.card.memory.profiles)


def test_the_key_change_completes_only_after_the_button_press(place_molto2):
    token = place_molto2()
    card = token.card

    def press_then_enter():
        assert card.memory.pending == {"op": "key", "key": molto2.sm4_key(b"NEW-KEY-2026").hex()}
        assert card.memory.key == molto2.sm4_key(molto2.FACTORY_CUSTOMER_KEY).hex()  # not before the press
        card.press_button()
        return ""

    status, shown = run_in_terminal(["change-key", "--reader", MOLTO2_READER], [
        ("current customer key", lambda: ""),  # Enter: the factory key, as the prompt offers
        ("New customer key", lambda: "NEW-KEY-2026"),
        ("Repeat for confirmation", lambda: "NEW-KEY-2026"),
        ("Then press Enter here", press_then_enter),
    ])
    assert status == 0, shown
    assert "Press ▲ on the token" in shown and "now uses the new customer key" in shown
    assert card.memory.key == molto2.sm4_key(b"NEW-KEY-2026").hex()
    assert "NEW-KEY-2026" not in json.dumps(card.memory.log)


def test_a_key_change_not_confirmed_on_the_token_keeps_the_old_key(place_molto2):
    card = place_molto2().card
    status, shown = run_in_terminal(["change-key", "--reader", MOLTO2_READER], [
        ("current customer key", lambda: ""),
        ("New customer key", lambda: "NEW-KEY-2026"),
        ("Repeat for confirmation", lambda: "NEW-KEY-2026"),
        ("Then press Enter here", lambda: ""),  # ▲ never pressed
    ])
    assert status == 4, shown
    assert "still has the old one (was ▲ pressed?)" in shown
    assert card.memory.key == molto2.sm4_key(molto2.FACTORY_CUSTOMER_KEY).hex()


def test_sync_clock_sets_the_profile_clocks_from_the_pc(place_molto2, google_export):
    card = place_molto2().card
    assert run("fill", google_export, "--reader", MOLTO2_READER, "--default-customer-key").returncode == 0
    for slot in card.memory.profiles[:3]:
        slot.clock_offset = 95.0  # a profile clock a few steps ahead: wrong codes
    result = run("sync-clock", "--reader", MOLTO2_READER, "--default-customer-key", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["profiles"] == [0, 1, 2]
    wait_for_step_start()
    now = time.time()
    assert [card.profile_code(n, now) for n in range(3)] == [reference_totp(s, now) for s in SECRETS]
    empty = run("sync-clock", "--reader", MOLTO2_READER, "--profile", "7", "--default-customer-key")
    assert empty.returncode == 0 and "Set the clock of 1 profile (7)" in empty.stdout


def test_factory_reset_after_the_button(place_molto2, google_export):
    card = place_molto2().card
    assert run("fill", google_export, "--reader", MOLTO2_READER, "--default-customer-key").returncode == 0
    process = subprocess.Popen([sys.executable, "-m", "otpburn", "factory-reset", "--reader", MOLTO2_READER, "--yes"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    for _ in range(400):  # until the device waits for its button (bounded in looks, not seconds)
        if card.memory.pending:
            break
        time.sleep(0.05)
    assert card.memory.pending == {"op": "reset"} and any(p.seed for p in card.memory.profiles)
    card.press_button()
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "3 profiles erased" in out and "Press ▲ on the token" in err
    assert not any(p.seed for p in card.memory.profiles)


def test_ctrl_c_after_the_old_seed_is_erased_says_the_profile_is_empty_and_is_audited(place_molto2, tmp_path):
    """Ctrl+C while a replacing burn runs: the old seed is already gone, so the user is told the profile holds no
    seed now, and the cancelled burn is in the audit log with its step and the token's state."""
    from otpburn.emulator.faults import Fault
    from otpburn.emulator.molto2 import ProfileMemory

    profiles = [ProfileMemory(), ProfileMemory(title="Old", seed=(b"old seed for profile1").hex())]
    slow_settings = Fault("delay", molto2.INS_CONFIG, delay=3.0)
    token = place_molto2(profiles=profiles, faults=[slow_settings])
    uri = tmp_path / "uri.txt"
    uri.write_text(f"otpauth://totp/New:amy?secret={encode_base32(b'new seed for profile1')}&issuer=New")
    process = subprocess.Popen(
        [sys.executable, "-m", "otpburn", "burn", "--reader", MOLTO2_READER, "--profile", "1", "--force", "--yes",
         "--default-customer-key", "--uri-file", str(uri)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, env=dict(os.environ),
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    shown = []
    for line in process.stdout:  # the steps as they finish
        shown.append(line)
        if "old seed erased" in line:
            # Ctrl+C once the settings write is on its way (the device holds its answer for 3 s): inside that
            # step, whatever the machine's load, not in the moment between two steps.
            for _ in range(30_000):  # a wait on the condition (bounded only against a hang), not a time budget
                if slow_settings.times == 0:
                    break
                time.sleep(0.001)
            else:
                pytest.fail("the settings write never reached the device")
            process.send_signal(signal.SIGINT)
            break
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, "".join(shown) + out + err
    assert err.strip().splitlines() == [
        "otpburn: burn stopped at 'write settings': cancelled (Ctrl+C). The profile holds no seed now (an old one "
        "was erased first): burn again."]
    assert token.card.memory.profiles[1].seed is None
    entries = [json.loads(line) for line in open(os.environ["OTPBURN_AUDIT_LOG"])]
    cancelled = [e for e in entries if e["operation"] == "burn" and e.get("serial") == token.card.memory.serial][-2:]
    assert [e["result"] for e in cancelled] == ["started", "cancelled"]
    assert (cancelled[1]["step"], cancelled[1]["state"]) == ("write settings", "profile empty")
