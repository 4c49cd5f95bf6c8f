"""Per-token overhead of a batch through pcscd + vpcd + emulated tokens.

For each token: the time from the moment it is placed on the reader to the moment the
batch says "remove the token" (burned and logged), and the time from its removal to the
next "place the next token". Baseline in the same run: how long pcscd itself takes to
report a placed token (SCardGetStatusChange), which no batch can beat.

Usage (root; Debian packages pcscd and vsmartcard-vpcd): python benchmarks/batch.py [--tokens N]
"""

from __future__ import annotations

import argparse
import os
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
from otpburn.provisioning.batches.batch import Batch, Progress  # noqa: E402
from otpburn.provisioning.burn.families import BurnOptions  # noqa: E402
from otpburn.sources.seedfiles import SeedRecord  # noqa: E402
from otpburn.transport.pcsc import PcscBackend  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tokens", type=int, default=20)
    args = parser.parse_args()
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

        events: list[tuple[float, str]] = []
        place_next = threading.Event()
        removed = threading.Event()

        def say(text: str) -> None:
            events.append((time.perf_counter(), text))
            if "Place the next token" in text:
                place_next.set()
            if "Remove the token" in text:
                removed.set()

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

        opened = OpenReader(TimedBackend(), READER_NAME)
        batch = Batch(opened, records, BurnOptions(sync_clock=True), Progress(workdir / "progress.json"), say=say,
                      token_timeout=30)
        worker = threading.Thread(target=batch.run)
        worker.start()
        placed_at, removed_at = [], []
        for serial in serials:
            place_next.wait(30)
            place_next.clear()
            time.sleep(0.6)  # a person needs longer than pcscd's poll to swap tokens
            bridge = VpcdBridge(Token2Emulator(Token2Memory(serial=serial)), port=stack.port, netns=stack.netns)
            placed_at.append(time.perf_counter())
            bridge.start()
            removed.wait(30)
            removed.clear()
            removed_at.append(time.perf_counter())
            bridge.stop()
        worker.join(30)

    done = [t for t, text in events if "Remove the token" in text]
    per_token = [d - p for p, d in zip(placed_at, done, strict=False)]
    after_detection = [d - p for p, d in zip(detected_at, done, strict=False)]
    baseline = statistics.median(detection)
    burned = sum(r.result == "burned" for r in batch.rows)
    print(f"batch of {args.tokens} emulated tokens through pcscd + vpcd ({burned} burned)")
    print(f"{'what':<52}{'median ms':>10}{'p95 ms':>9}{'ratio':>8}")
    for label, values in (("pcscd reports a placed token (baseline)", detection),
                          ("placed -> burned, logged, 'remove the token'", per_token),
                          ("detected -> burned, logged, 'remove the token'", after_detection)):
        ordered = sorted(values)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        print(f"{label:<52}{statistics.median(values) * 1000:>10.0f}{p95 * 1000:>9.0f}"
              f"{statistics.median(values) / baseline:>7.2f}x")
    overhead = statistics.median(after_detection)
    print(f"per-token overhead beyond the card being presented: {overhead * 1000:.0f} ms median (goal < 500 ms)")
    import resource

    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB")


if __name__ == "__main__":
    main()
