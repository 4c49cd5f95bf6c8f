"""The read-only probe: only reads and SELECTs are ever sent, and a token is left exactly as it was."""

from __future__ import annotations

import json
import os
from pathlib import Path

from otpburn.emulator.token2 import Token2Emulator, Token2Memory
from otpburn.provisioning.access.session import probe_reader
from otpburn.tokens.probe import CARD_PROBES, MOLTO2_PROBES, probe
from otpburn.transport.channel import Channel
from otpburn.transport.virtual import VirtualReader

# Every instruction byte the token drivers use to authenticate, challenge or write, in any family.
WRITES_AND_AUTHENTICATION = {0x4B, 0xCE, 0xD4, 0xC5, 0xE6, 0x56, 0x01, 0x02, 0x03, 0x04, 0xA3, 0xA5}


def test_only_reads_and_selects_are_on_the_lists():
    for apdu in CARD_PROBES + MOLTO2_PROBES:
        assert apdu.ins in (0xA4, 0xCA, 0x41), apdu.name
        assert apdu.ins not in WRITES_AND_AUTHENTICATION
        assert not apdu.secret_spans


def test_a_token2_is_probed_without_any_authentication():
    card = Token2Emulator(Token2Memory(serial="8659622000042"))

    def memory() -> dict[str, object]:
        return {k: v for k, v in vars(card.memory).items() if k != "log"}

    before = memory()
    reader = VirtualReader(card)
    report = probe(Channel(reader.connect(reader.name)))
    assert report.token2_serial == "8659622000042" and not report.oath_applet
    assert card.memory.auth_attempts == 0
    assert set(card.memory.log) == {"get_info", "select"}  # what the card saw: its one read, and SELECTs
    assert memory() == before


def test_the_virtual_readers_state_is_unchanged_and_the_report_holds_no_secret(cli, tmp_path):
    state = Path(os.environ["OTPBURN_VIRTUAL_TOKEN"])
    burned = cli("burn", "--reader", "virtual", "--yes",
                 stdin="otpauth://totp/A:a?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    assert burned.returncode == 0, burned.stderr.decode()

    def saved() -> dict[str, object]:  # the token's memory (without the emulator's log of commands received)
        return {k: v for k, v in json.loads(state.read_text()).items() if k != "log"}

    before = saved()
    result = cli("probe", "--reader", "virtual", "--output", str(tmp_path / "report.json"))
    assert result.returncode == 0, result.stderr.decode()
    assert saved() == before
    text = (tmp_path / "report.json").read_text()
    assert (tmp_path / "report.json").stat().st_mode & 0o777 == 0o600
    report = json.loads(text)
    assert report["token2_serial"] == "8659622000001"
    assert report["sent"] == "reads and SELECTs only: no authentication, no challenge, no write"
    assert [e["command_name"] for e in report["exchanges"]][:2] == ["GET UID (reader)", "GET INFO"]
    secret_hex = bytes.fromhex("3132333435363738393031323334353637383930").hex().upper()
    assert secret_hex not in text.upper() and "GEZDGNBV" not in text
    out = result.stdout.decode()
    assert "Sent (reads and SELECTs only; no authentication, no write):" in out
    assert f"Report written to {tmp_path / 'report.json'}" in out


def test_probe_reader_takes_the_reader_lock_and_releases_it():
    first = probe_reader("virtual")
    second = probe_reader("virtual")  # the lock was released: a second probe runs
    assert first.token2_serial == second.token2_serial
