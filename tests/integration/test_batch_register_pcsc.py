"""A batch of ten emulated tokens registered in a real privacyIDEA server that goes away after the
fourth and comes back: the rerun finishes the registrations without burning anything twice."""

import hashlib
import json
import os
import subprocess
import sys
import time

import pytest

from otpburn.emulator.stack import READER_NAME
from otpburn.emulator.token2 import Token2Emulator, Token2Memory

from .conftest import reference_totp

pytestmark = pytest.mark.privacyidea
SERIALS = [f"86596220{n:05d}" for n in range(101, 111)]
SECRETS = [hashlib.sha256(bytes([n])).digest()[:20] for n in range(10)]
USERS = ["alice", "bob", "carol"]


def test_batch_registers_and_a_rerun_finishes_what_the_server_missed(place_card, privacyidea, tmp_path):
    seed_file = tmp_path / "pi-tokens.csv"  # privacyIDEA's own import layout, users first ("# version: 2")
    seed_file.write_text("# version: 2\n" + "".join(
        f"{USERS[n % 3]}, flatfile, example, {serial}, {secret.hex()}, totp, 6, 30\n"
        for n, (serial, secret) in enumerate(zip(SERIALS, SECRETS, strict=True))))
    registrars = privacyidea.registrar_file(tmp_path)
    progress_file = tmp_path / "progress.json"
    args = [sys.executable, "-m", "otpburn", "batch", str(seed_file), "--reader", READER_NAME, "--json",
            "--progress-file", str(progress_file), "--token-timeout", "30", "--register", "privacyidea",
            "--registrar-file", str(registrars), "--activate-with-computed-code"]
    cards = [Token2Emulator(Token2Memory(serial=serial)) for serial in SERIALS]

    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               stdin=subprocess.DEVNULL, env=dict(os.environ))
    placed, index, events = None, 0, []
    try:
        for line in process.stderr:
            events.append(line.rstrip())
            if "Place the next token" in line:
                assert index < len(cards), "\n".join(events)
                placed = place_card(cards[index])
                index += 1
            elif "Remove the token" in line and placed is not None:
                if sum("burned, activated" in event for event in events) == 4 and privacyidea.process:
                    privacyidea.stop()  # the server goes away after the fourth registration
                placed.lift()
                placed = None
        output = process.stdout.read()
        assert process.wait(timeout=30) == 5, "\n".join(events)  # burned, but registrations are pending
    finally:
        if privacyidea.process is None:
            privacyidea.start()
    report = json.loads(output)
    assert [row["result"] for row in report["rows"]] == ["burned"] * 10
    assert [row["registration"] for row in report["rows"]] == ["activated"] * 4 + ["pending"] * 6
    assert report["registrations_pending"] == 6 and report["tokens_per_hour"] > 0
    assert "cannot reach the privacyIDEA server" in report["rows"][4]["detail"]
    progress = json.loads(progress_file.read_text())
    assert len(progress["burned"]) == 10 and len(progress["registered"]) == 4

    again = subprocess.run(args, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert again.returncode == 0, again.stderr
    rerun = json.loads(again.stdout)
    assert [(row["serial"], row["result"], row["registration"]) for row in rerun["rows"]] == [
        (serial, "registered", "activated") for serial in SERIALS[4:]]
    assert rerun["registrations_pending"] == 0 and rerun["seeds_left"] == 0

    for n, (serial, secret, card) in enumerate(zip(SERIALS, SECRETS, cards, strict=True)):
        on_server = privacyidea.token(serial)
        assert on_server["username"] == USERS[n % 3], serial
        assert card.memory.seed == secret.hex() and card.memory.log.count("set_seed") == 1
        later = time.time() + 30
        assert privacyidea.validate(serial, reference_totp(secret, later)), serial
    text = progress_file.read_text()
    assert not any(secret.hex() in text for secret in SECRETS)
