"""A batch of emulated tokens presented one after another through pcscd + vpcd: one moves
and comes back (resumed), one moves for good (failed, then presented again), one has a
serial the seed file does not know (skipped)."""

import json
import os
import subprocess
import sys

from otpburn.emulator.faults import Fault, FaultPlan
from otpburn.emulator.stack import READER_NAME
from otpburn.emulator.token2 import Token2Emulator, Token2Memory
from otpburn.otp import encode_base32

SERIALS = [f"86596320{n:05d}" if n % 2 else f"86596220{n:05d}" for n in range(1, 11)]
SECRETS = [bytes([n]) * 20 for n in range(1, 11)]


def test_batch_of_ten_tokens(place_card, tmp_path):
    seed_file = tmp_path / "seeds.csv"
    rows = "".join(f"{s},{encode_base32(k)}\n" for s, k in zip(SERIALS, SECRETS, strict=True))
    seed_file.write_text("serial,secret\n" + rows)
    progress_file = tmp_path / "progress.json"
    entra = tmp_path / "entra.csv"

    def token(serial, *faults):
        return Token2Emulator(Token2Memory(serial=serial), faults=FaultPlan(list(faults)))

    cards = [token(s) for s in SERIALS[:4]]
    cards.append(token(SERIALS[4], Fault("drop-after", 0xC5)))  # moves, comes back: resumed
    cards.append(token("8659632099999"))  # unknown serial
    cards.append(token(SERIALS[5], Fault("drop-before", 0xD4)))  # moves for good (stays away): failed
    cards.append(token(SERIALS[5]))  # ... and is presented again
    cards += [token(s) for s in SERIALS[6:]]
    reinsert = {4: 0.8, 6: 60.0}

    process = subprocess.Popen(
        [sys.executable, "-m", "otpburn", "batch", str(seed_file), "--reader", READER_NAME, "--json",
         "--progress-file", str(progress_file), "--token-timeout", "30", "--resume-timeout", "3",
         "--export", f"entra:{entra}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL, env=dict(os.environ))
    placed, index, events = None, 0, []
    for line in process.stderr:
        events.append(line.rstrip())
        if "Place the next token" in line:
            assert index < len(cards), "\n".join(events)
            placed = place_card(cards[index], reinsert_after=reinsert.get(index, 0.6))
            index += 1
        elif "Remove the token" in line and placed is not None:
            placed.lift()
            placed = None
    output = process.stdout.read()
    assert process.wait(timeout=30) == 1, "\n".join(events)  # one token failed along the way
    report = json.loads(output)
    results = [(row["serial"], row["result"]) for row in report["rows"]]
    assert results.count(("8659632099999", "skipped")) == 1
    assert (SERIALS[5], "failed") in results
    assert sorted(serial for serial, result in results if result == "burned") == sorted(SERIALS)
    assert report["seeds_left"] == 0
    assert any("resumed" in row["detail"] for row in report["rows"])

    for card in cards:
        serial = card.memory.serial
        if serial in SERIALS and card.memory.seed is not None:
            assert card.memory.seed == SECRETS[SERIALS.index(serial)].hex()
        assert card.memory.auth_attempts <= 2
    progress = progress_file.read_text()
    assert len(json.loads(progress)["burned"]) == 10
    assert not any(encode_base32(k) in progress or k.hex() in progress for k in SECRETS)
    assert progress_file.stat().st_mode & 0o777 == 0o600
    lines = entra.read_text().splitlines()
    assert len(lines) == 11 and entra.stat().st_mode & 0o777 == 0o600

    again = subprocess.run([sys.executable, "-m", "otpburn", "batch", str(seed_file), "--reader", READER_NAME,
                            "--progress-file", str(progress_file), "--json"], capture_output=True, text=True,
                           timeout=30, stdin=subprocess.DEVNULL)
    assert again.returncode == 0 and json.loads(again.stdout)["rows"] == []
