"""Burning through pyscard -> pcscd -> vpcd -> the emulated Token2 token."""

import hashlib
import json
import os
import re
import subprocess
import sys
import time

import pytest

from otpburn.emulator.faults import Fault
from otpburn.emulator.stack import READER_NAME
from otpburn.otp import encode_base32

from .conftest import reference_totp, wait_for_step_start

SECRET = b"otpburn pcsc secret!"  # 20 bytes
URI = f"otpauth://totp/Acme:bob@example.com?secret={encode_base32(SECRET)}&issuer=Acme"


@pytest.fixture
def uri_file(tmp_path):
    path = tmp_path / "uri.txt"
    path.write_text(URI)
    return str(path)


def run(*args, env=None, timeout=60):
    return subprocess.run([sys.executable, "-m", "otpburn", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=timeout, stdin=subprocess.DEVNULL)


def test_readers_lists_the_vpcd_reader_with_a_token(place_token):
    place_token()
    result = run("readers", "--json")
    readers = json.loads(result.stdout)
    assert {"name": READER_NAME, "card_present": True, "virtual": False}.items() <= readers[0].items()
    assert [(r["index"], r["virtual"]) for r in readers[-2:]] == [("virtual", True), ("virtual-molto2", True)]
    text = run("readers").stdout.splitlines()  # the built-in readers are always listed, last
    assert text[0].startswith(f"1. {READER_NAME}") and text[-2].startswith("virtual. otpburn virtual reader")
    assert text[-1].startswith("virtual-molto2. otpburn virtual Molto2")


def test_info_reads_serial_model_and_clock(place_token):
    place_token(serial="8659632000042", clock_offset=-120.0)
    result = run("info", "--reader", READER_NAME, "--json")
    info = json.loads(result.stdout)
    assert result.returncode == 0, result.stderr
    assert (info["serial"], info["model"]) == ("8659632000042", "C302-i")
    assert -123 <= info["clock_offset"] <= -118
    assert info["capabilities"]["time_write_wipes_seed"] is False


@pytest.mark.parametrize(
    "extra,period,digest,hmac_code,step_code",
    [([], 30, hashlib.sha1, 0x01, 0x1E), (["--algorithm", "SHA256", "--period", "60"], 60, hashlib.sha256, 0x02, 0x3C)],
)
def test_burn_then_display_matches_independent_code(place_token, uri_file, extra, period, digest, hmac_code, step_code):
    token = place_token()
    result = run("burn", "--reader", READER_NAME, "--uri-file", uri_file, "--sync-clock", "--yes", "--json", *extra)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["apdus"] == 6
    memory = token.card.memory
    assert (memory.hmac, memory.step) == (hmac_code, step_code)
    wait_for_step_start(period)
    now = time.time()
    assert token.card.display_code(now) == reference_totp(SECRET, now, period, digest)


def test_restricted_model_with_clock_sync_ends_with_seed(place_token, uri_file):
    token = place_token(serial="8659622000777", clock_offset=-300.0)
    assert not token.card.keeps_seed_on_time_write
    result = run("burn", "--reader", READER_NAME, "--uri-file", uri_file, "--sync-clock", "--yes")
    assert result.returncode == 0, result.stderr
    assert "erases its seed" in result.stdout
    assert token.card.memory.seed == SECRET.hex()
    assert abs(token.card.clock() - time.time()) < 2
    assert token.card.memory.log[-3:] == ["set_config", "set_seed", "get_info"]


def test_clock_sync_on_restricted_model_needs_yes_without_a_terminal(place_token, uri_file):
    token = place_token()
    result = run("burn", "--reader", READER_NAME, "--uri-file", uri_file, "--sync-clock")
    assert result.returncode == 2 and "--yes" in result.stderr
    assert token.card.memory.auth_attempts == 0


def test_without_sync_the_token_keeps_its_clock(place_token, uri_file):
    token = place_token(serial="8659632000001", clock_offset=600.4)
    for _ in range(2):  # to the fraction of a second, burn after burn
        assert run("burn", "--reader", READER_NAME, "--uri-file", uri_file).returncode == 0
        assert abs(token.card.clock() - time.time() - 600.4) <= 0.5


def test_unknown_prefix_is_refused_before_authentication(place_token, uri_file):
    token = place_token(serial="1234567000001")
    result = run("burn", "--reader", READER_NAME, "--uri-file", uri_file)
    assert result.returncode == 2
    assert "does not match a known programmable model" in result.stderr
    assert token.card.memory.auth_attempts == 0 and token.card.memory.seed is None
    assert run("info", "--reader", READER_NAME).returncode == 0


def test_unsupported_parameters_are_refused_before_anything_is_sent(place_token, tmp_path):
    token = place_token()
    path = tmp_path / "sha512.txt"
    path.write_text(URI + "&algorithm=SHA512&digits=8")
    result = run("burn", "--reader", READER_NAME, "--uri-file", str(path))
    assert result.returncode == 2
    assert "not SHA512" in result.stderr and "not 8" in result.stderr
    assert token.card.memory.log == ["get_info"]


def test_wrong_transport_key_stops_after_one_attempt(place_token, uri_file):
    token = place_token(key="00112233445566778899AABBCCDDEEFF", lockout_after=3)
    result = run("burn", "--reader", READER_NAME, "--uri-file", uri_file)
    assert result.returncode == 1
    assert "authentication refused or token locked" in result.stderr
    assert "do not retry" in result.stderr
    assert token.card.memory.auth_attempts == 1
    assert token.card.memory.seed is None


@pytest.mark.parametrize(
    "fault,step,state",
    [
        (Fault("drop-before", 0x4B), "authenticate", "Nothing was written"),
        (Fault("drop-after", 0xCE), "authenticate", "Nothing was written"),
        # A write whose answer is lost may have happened: the state says the worse.
        (Fault("drop-before", 0xD4), "write settings", "old seed is erased"),
        (Fault("drop-after", 0xD4), "write settings", "old seed is erased"),
        (Fault("drop-before", 0xC5), "write seed", "old seed is erased"),
        (Fault("drop-after", 0xC5), "write seed", "old seed is erased"),
        (Fault("drop-before", 0x41, times=None), "identify", None),
    ],
)
def test_link_drop_names_the_step_and_the_state(place_token, uri_file, fault, step, state):
    place_token(faults=[fault], reinsert_after=5)
    result = run("burn", "--reader", READER_NAME, "--uri-file", uri_file, "--resume-timeout", "0")
    assert result.returncode == 3, result.stderr
    message = result.stderr.strip()
    assert message.count("\n") == 0 and "Traceback" not in message
    if state is None:
        assert any(s in message for s in ("left the reader", "link to the token was lost", "stopped answering"))
    else:
        assert f"burn stopped at '{step}'" in message
        assert state in message or (step == "write settings" and "settings were written" in message)


def test_no_pcscd_says_the_service_is_not_running(tmp_path):
    result = run("readers", env={"PCSCLITE_CSOCK_NAME": str(tmp_path / "no-such-socket")})
    # The built-in readers work without PC/SC: they are listed (exit 0), and the PC/SC problem is said on stderr.
    assert result.returncode == 0
    assert "PC/SC service is not running" in result.stderr and "--reader virtual" in result.stderr
    assert "virtual. otpburn virtual reader" in result.stdout and "virtual-molto2." in result.stdout
    as_json = run("info", "--json", env={"PCSCLITE_CSOCK_NAME": str(tmp_path / "no-such-socket")})
    error = json.loads(as_json.stdout)["error"]  # a script that asked for JSON gets JSON
    assert as_json.returncode == 3 and error["kind"] == "NoServiceError" and error["remedy"] == "start-pcsc"
    assert error["exit_code"] == 3 and "PC/SC service is not running" in as_json.stderr


def test_trace_never_shows_the_secret(place_token, uri_file):
    place_token()
    result = run("burn", "--reader", READER_NAME, "--uri-file", uri_file, "--sync-clock", "--yes", "--trace")
    assert result.returncode == 0, result.stderr
    trace = result.stderr
    assert "[SET SEED] 84 C5 01 00 24 <redacted 36 bytes>" in trace
    assert "[EXTERNAL AUTHENTICATE] 80 CE 00 00 10 <redacted 16 bytes>" in trace
    assert re.search(r"\[SET CONFIG\] 84 D4 00 00 [0-9A-F]{2} <redacted \d+ bytes>", trace)  # the MAC'ed body whole
    flat = trace.replace(" ", "").upper()
    for needle in (SECRET.hex().upper(), encode_base32(SECRET), SECRET.decode().upper().replace(" ", "")):
        assert needle not in flat
    for i in range(len(SECRET) - 4):  # no 5-byte run of the secret either
        assert SECRET[i:i + 5].hex().upper() not in flat


def test_emulate_command_on_the_stack(pcscd_stack, uri_file, tmp_path):
    state = tmp_path / "token.json"
    emulator = subprocess.Popen(
        ["nsenter", f"--net={pcscd_stack.netns}", sys.executable, "-m", "otpburn", "emulate", "token2",
         "--model", "miniOTP-2-i", "--state", str(state), "--show"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        from .conftest import _card_state

        assert _card_state(True, timeout=10)
        result = run("burn", "--reader", READER_NAME, "--uri-file", uri_file, "--sync-clock", "--json")
        assert result.returncode == 0, result.stderr
        memory = json.loads(state.read_text())
        assert memory["seed"] == SECRET.hex() and memory["serial"].startswith("8659600")
        assert state.stat().st_mode & 0o777 == 0o600
    finally:
        emulator.terminate()
        output = emulator.communicate(timeout=10)[0]
    from .conftest import _card_state

    _card_state(False)
    time.sleep(0.5)
    assert "seed written" in output


@pytest.mark.parametrize(
    "fault",
    [Fault("drop-before", 0x4B), Fault("drop-after", 0xCE), Fault("drop-before", 0xD4), Fault("drop-after", 0xD4),
     Fault("drop-before", 0xC5), Fault("drop-after", 0xC5), Fault("drop-after", 0x41, skip=1)],
    ids=["challenge", "after-auth", "before-config", "after-config", "before-seed", "after-seed", "read-back"],
)
def test_link_loss_at_every_step_resumes_to_a_verified_token(place_token, uri_file, fault):
    token = place_token(faults=[fault], reinsert_after=0.8)
    result = run("burn", "--reader", READER_NAME, "--uri-file", uri_file, "--sync-clock", "--yes", "--json")
    assert result.returncode == 0, result.stderr
    assert "Keep it still on the reader" in result.stderr
    report = json.loads(result.stdout)
    assert any("resumed" in warning for warning in report["warnings"])
    memory = token.card.memory
    assert memory.seed == SECRET.hex()
    log = memory.log
    # Never more than one authentication per presentation, and the seed always after the last settings write.
    assert memory.auth_attempts <= 2
    last_config = max(i for i, name in enumerate(log) if name == "set_config")
    assert any(name == "set_seed" for name in log[last_config:])
    wait_for_step_start()
    now = time.time()
    assert token.card.display_code(now) == reference_totp(SECRET, now)


def test_a_different_token_is_not_finished(place_card, uri_file, pcscd_stack):
    from otpburn.emulator.faults import FaultPlan
    from otpburn.emulator.token2 import Token2Emulator, Token2Memory

    first = Token2Emulator(Token2Memory(serial="8659622000111"), faults=FaultPlan([Fault("drop-after", 0xD4)]))
    placed = place_card(first, reinsert_after=30)
    process = subprocess.Popen([sys.executable, "-m", "otpburn", "burn", "--reader", READER_NAME, "--uri-file",
                                uri_file, "--resume-timeout", "20"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, stdin=subprocess.DEVNULL)
    deadline = time.time() + 10
    while "set_config" not in first.memory.log and time.time() < deadline:
        time.sleep(0.05)
    placed.lift()
    second = Token2Emulator(Token2Memory(serial="8659622000222"))
    place_card(second)
    out, err = process.communicate(timeout=40)
    assert process.returncode == 1, err
    assert "a different token was placed (serial 8659622000222, expected 8659622000111)" in err
    assert second.memory.auth_attempts == 0 and second.memory.seed is None


def test_doctor_sees_service_reader_and_token(place_token):
    place_token(serial="8659632000321", clock_offset=40.0)
    result = run("doctor", "--json")
    checks = {c["check"]: c for c in json.loads(result.stdout)}
    assert checks["PC/SC service"]["verdict"] == "ok"
    reader = checks[f"reader {READER_NAME}"]
    assert reader["verdict"] == "ok" and "C302-i, serial 8659632000321, clock +" in reader["message"]
