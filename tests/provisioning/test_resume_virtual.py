"""A burn that loses the token at every step, and a batch of ten tokens, through the
in-process VirtualReader: the same provisioning code as on pcscd, runnable without root."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from otpburn.emulator.faults import Fault, FaultPlan
from otpburn.emulator.token2 import Token2Emulator, Token2Memory
from otpburn.emulator.ykoath import YkoathEmulator
from otpburn.otp import OtpParams
from otpburn.provisioning.access.readers import OpenReader
from otpburn.provisioning.access.session import presented_token
from otpburn.provisioning.batches.batch import Batch, PlaceNext, RowDone, RowResult
from otpburn.provisioning.burn.flow import BurnFlow, FlowSettings, Waiting
from otpburn.provisioning.burn.resilient import TokenLeft
from otpburn.provisioning.burn.steps import BurnFailedError, BurnOptions, Step, TokenState
from otpburn.provisioning.records.progress import Progress, ProgressFileError
from otpburn.sources.seedfiles import SeedRecord
from otpburn.transport.virtual import VIRTUAL_READER, VirtualCard, VirtualReader
from tests.support.burning import burn_on
from tests.support.otp_reference import reference_totp

SECRET = b"12345678901234567890"


class SteadyHand:
    """Puts a token that left the virtual reader back after `delay` seconds, as a user keeping it still would."""

    def __init__(self, reader: VirtualReader, delay: float = 0.05) -> None:
        self.reader, self.delay = reader, delay
        self.returns = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            if self.reader.wait_for_removal(VIRTUAL_READER, 0.05, self._stop):
                time.sleep(self.delay)
                if not self._stop.is_set():
                    self.reader.insert()
                    self.returns += 1

    def __enter__(self) -> SteadyHand:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(2)


def on_virtual_reader(card: VirtualCard) -> tuple[VirtualReader, OpenReader]:
    reader = VirtualReader(card)
    return reader, OpenReader(reader, VIRTUAL_READER)


STEPS = [Fault("drop-before", 0x4B), Fault("drop-after", 0xCE), Fault("drop-before", 0xD4), Fault("drop-after", 0xD4),
         Fault("drop-before", 0xC5), Fault("drop-after", 0xC5), Fault("drop-after", 0x41, skip=1)]
STEP_IDS = ["challenge", "after-auth", "before-config", "after-config", "before-seed", "after-seed", "read-back"]


@pytest.mark.parametrize("fault", STEPS, ids=STEP_IDS)
@pytest.mark.parametrize("serial", ["8659622000001", "8659612000001"], ids=["wipes-seed", "keeps-seed"])
def test_link_loss_at_every_step_resumes_to_a_verified_token(fault, serial):
    card = Token2Emulator(Token2Memory(serial=serial, clock_offset=-40), faults=FaultPlan([replace(fault)]))
    reader, opened = on_virtual_reader(card)
    waits: list[TokenLeft] = []
    with SteadyHand(reader) as hand, presented_token(opened) as token:
        result = burn_on(token, OtpParams(SECRET), BurnOptions(sync_clock=True), resume_timeout=5, waits=waits)
    assert hand.returns == 1 and result.presentations == 2
    assert waits and waits[0].timeout == 5 and isinstance(waits[0].step, Step)
    memory = card.memory
    assert memory.seed == SECRET.hex()
    # Never more than one authentication per presentation, and the seed after the last settings write.
    assert memory.auth_attempts <= 2
    last_config = max(i for i, name in enumerate(memory.log) if name == "set_config")
    assert "set_seed" in memory.log[last_config:]
    now = time.time()
    assert abs(card.clock(now) - now) < 1.5  # the clock was set from the PC
    assert card.display_code(now) == reference_totp(SECRET, card.clock(now))
    assert reader.open_connections == 0


def test_a_token_that_does_not_come_back_names_the_step_and_the_state():
    card = Token2Emulator(Token2Memory(serial="8659622000001"), faults=FaultPlan([Fault("drop-after", 0xD4)]))
    reader, opened = on_virtual_reader(card)
    with presented_token(opened) as token, pytest.raises(BurnFailedError) as failure:
        burn_on(token, OtpParams(SECRET), BurnOptions(), resume_timeout=0.2)
    assert failure.value.state is TokenState.SEED_ERASED and str(failure.value.step) == "write settings"
    assert reader.open_connections == 0


def test_oath_applet_resumes_and_verifies_itself():
    card = YkoathEmulator(faults=FaultPlan([Fault("drop-after", 0x01)]))  # PUT answered, answer lost
    reader, opened = on_virtual_reader(card)
    with SteadyHand(reader), presented_token(opened) as token:
        result = burn_on(token, OtpParams(SECRET, issuer="Example", account="alice"), BurnOptions(),
                         resume_timeout=5)
    assert result.presentations == 2
    assert result.report.verification is not None and result.report.verification.matches
    assert list(card.state.credentials) == [b"Example:alice"]


def test_batch_of_ten_tokens(tmp_path: Path):
    serials = [f"86596220{n:05d}" for n in range(1, 11)]
    records = [SeedRecord(serial, OtpParams(bytes([n]) * 20), n) for n, serial in enumerate(serials, start=1)]
    cards = [Token2Emulator(Token2Memory(serial=serial)) for serial in serials]
    cards[3].faults = FaultPlan([Fault("drop-after", 0xC5)])  # the fourth moves during its seed write
    waiting = list(cards)
    reader = VirtualReader(waiting.pop(0))
    opened = OpenReader(reader, VIRTUAL_READER)
    progress = Progress(tmp_path / "progress.json")
    events: list[object] = []

    def seen(event: object) -> None:  # the administrator at the reader, doing what the batch asks
        events.append(event)
        if isinstance(event, RowDone) and event.lift:
            reader.remove()
            if waiting:
                threading.Timer(0.02, reader.insert, [waiting.pop(0)]).start()
        elif isinstance(event, Waiting):  # the token slipped: it goes back on the reader
            threading.Timer(0.02, reader.insert).start()

    flow = BurnFlow(FlowSettings(progress=progress, resume_timeout=5, batch=True, check_pc_clock=False), seen)
    rows = Batch(opened, records, BurnOptions(sync_clock=True), flow, progress, token_timeout=5, on_event=seen).run()
    assert [row.result for row in rows] == [RowResult.BURNED] * 10
    assert rows[3].resumed and not any(row.resumed for row in rows[:3] + rows[4:])
    for n, card in enumerate(cards, start=1):
        assert card.memory.seed == (bytes([n]) * 20).hex()
    assert sorted(progress.burned.values()) == serials
    assert sum(isinstance(event, PlaceNext) for event in events) == 10
    again_progress = Progress.load(progress.path)
    again = Batch(opened, records, BurnOptions(), BurnFlow(FlowSettings(progress=again_progress)), again_progress,
                  token_timeout=0.1)
    assert again.remaining() == []


@pytest.mark.parametrize("content", [b"{bad", b"[1]", b"\xff\xfe", b"[" * 100_000 + b"]" * 100_000])
def test_a_damaged_progress_file_is_named_before_anything_is_burned(tmp_path: Path, content: bytes):
    """Not JSON, not a record, not UTF-8, or JSON nested deeper than Python parses: each is a damaged file."""
    path = tmp_path / "progress.json"
    path.write_bytes(content)
    with pytest.raises(ProgressFileError) as caught:
        Progress.load(path)
    assert caught.value.damaged and path.read_bytes() == content  # left for the user to look at


@pytest.mark.parametrize("extra", [["--dry-run"], ["--dry-run", "--count", "1"], []])
def test_batch_on_the_virtual_token_ends(cli, tmp_path, extra):
    seeds = tmp_path / "seeds.txt"  # seeds that name no serial: each goes to the next token
    seeds.write_text("otpauth://totp/A:a?secret=JBSWY3DPEHPK3PXP\notpauth://totp/B:b?secret=KRSXG5CTMVRXEZLU\n")
    result = cli("batch", str(seeds), "--reader", "virtual", "--progress-file", str(tmp_path / "p.json"), *extra,
                 timeout=30)
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr.decode()
    assert "burned" in out or "would burn" in out
    assert "seed(s) left" in out
