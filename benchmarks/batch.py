"""Per-token overhead of a batch through pcscd + vpcd + emulated tokens, each token burned through the one
burn flow with its progress record and audit entries, as `otpburn batch` does.

For each token: the time from the moment it is placed on the reader to the moment the batch says "remove
the token" (burned, recorded and logged), and from the moment the batch learns of it. The clock waits (the
settings write lands on a whole second of the PC's clock, --sync-clock) are shown apart from the work.
Baseline in the same run: how long pcscd itself takes to report a placed token (SCardGetStatusChange),
which no batch can beat.

Usage (root; Debian packages pcscd and vsmartcard-vpcd): python benchmarks/batch.py [--tokens N]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from otpburn.emulator.stack import READER_NAME, PcscdStack  # noqa: E402
from otpburn.emulator.token2 import Token2Emulator, Token2Memory  # noqa: E402
from otpburn.emulator.vpcd import VpcdBridge  # noqa: E402
from otpburn.otp import OtpParams  # noqa: E402
from otpburn.provisioning.access.readers import OpenReader  # noqa: E402
from otpburn.provisioning.batches.batch import Batch, BatchEvent, PlaceNext, RowDone, RowResult  # noqa: E402
from otpburn.provisioning.burn.flow import Burned, BurnFlow, FlowEvent, FlowSettings  # noqa: E402
from otpburn.provisioning.burn.steps import BurnOptions  # noqa: E402
from otpburn.provisioning.records.progress import Progress  # noqa: E402
from otpburn.sources.seedfiles import SeedRecord  # noqa: E402
from otpburn.transport.pcsc import PcscBackend  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tokens", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1, help="Seed of the random placing moments.")
    args = parser.parse_args()
    placing = random.Random(args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="otpburn-batch-bench-"))
    os.environ.setdefault("OTPBURN_AUDIT_LOG", str(workdir / "audit.jsonl"))
    serials = [f"8659632{n:07d}" for n in range(args.tokens)]
    records = [SeedRecord(s, OtpParams(secret=n.to_bytes(2, "big") * 10), n + 2) for n, s in enumerate(serials)]

    with PcscdStack() as stack, PcscBackend() as backend:
        # Baseline: pcscd's own latency in reporting a card that was just placed.
        detection = []
        for _ in range(5):
            card = Token2Emulator(Token2Memory(serial=serials[0]))
            bridge = VpcdBridge(card, port=stack.port, netns=stack.netns)
            placed = time.perf_counter()
            bridge.start()
            backend.wait_for_card(READER_NAME, 10)
            detection.append(time.perf_counter() - placed)
            bridge.stop()
            backend.wait_for_removal(READER_NAME, 10)
            time.sleep(0.5)

        done: list[float] = []
        clock_waits: list[float] = []
        place_next = threading.Event()
        removed = threading.Event()

        def batch_event(event: BatchEvent) -> None:
            if isinstance(event, PlaceNext):
                place_next.set()
            if isinstance(event, RowDone) and event.lift:
                done.append(time.perf_counter())
                removed.set()

        def flow_event(event: FlowEvent) -> None:
            if isinstance(event, Burned):
                clock_waits.append(event.outcome.report.clock_wait)

        detected_at: list[float] = []

        class TimedBackend:
            """The real backend, noting when the batch learns that a token was placed."""

            def __getattr__(self, name):
                return getattr(backend, name)

            def wait_for_card(self, reader, timeout, cancel=None):
                found = backend.wait_for_card(reader, timeout, cancel)
                if found:
                    detected_at.append(time.perf_counter())
                return found

        opened = OpenReader(TimedBackend(), READER_NAME)  # type: ignore[arg-type]
        progress = Progress(workdir / "progress.json")
        flow = BurnFlow(FlowSettings(front_end="benchmark", progress=progress, batch=True, check_pc_clock=False),
                        flow_event)
        batch = Batch(opened, records, BurnOptions(sync_clock=True), flow, progress, on_event=batch_event,
                      token_timeout=30)
        worker = threading.Thread(target=batch.run)
        worker.start()
        placed_at, removed_at = [], []
        for serial in serials:
            place_next.wait(30)
            place_next.clear()
            time.sleep(0.6 + placing.random())  # a person swaps tokens at no particular moment of the second
            bridge = VpcdBridge(Token2Emulator(Token2Memory(serial=serial)), port=stack.port, netns=stack.netns)
            placed_at.append(time.perf_counter())
            bridge.start()
            removed.wait(30)
            removed.clear()
            removed_at.append(time.perf_counter())
            bridge.stop()
        worker.join(30)

    per_token = [d - p for p, d in zip(placed_at, done, strict=False)]
    after_detection = [d - p for p, d in zip(detected_at, done, strict=False)]
    work = [t - w for t, w in zip(after_detection, clock_waits, strict=False)]
    baseline = statistics.median(detection)
    burned = sum(r.result is RowResult.BURNED for r in batch.rows)
    print(f"batch of {args.tokens} emulated tokens through pcscd + vpcd ({burned} burned)")
    print(f"{'what':<52}{'median ms':>10}{'p95 ms':>9}{'ratio':>8}")
    for label, values in (("pcscd reports a placed token (baseline)", detection),
                          ("placed -> burned, logged, 'remove the token'", per_token),
                          ("detected -> burned, logged, 'remove the token'", after_detection),
                          ("  of which the clock wait", clock_waits),
                          ("  of which work", work)):
        ordered = sorted(values)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        print(f"{label:<52}{statistics.median(values) * 1000:>10.0f}{p95 * 1000:>9.0f}"
              f"{statistics.median(values) / baseline:>7.2f}x")
    overhead = statistics.median(after_detection)
    print(f"per-token time beyond the card being presented: {overhead * 1000:.0f} ms median (goal < 500 ms), of "
          f"which work {statistics.median(work) * 1000:.0f} ms")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB")


if __name__ == "__main__":
    main()
