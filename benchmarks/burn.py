"""A single burn through the one burn flow (what `otpburn burn` runs after its checks), on the in-process
virtual reader and through pcscd + vpcd + the emulated token. Baseline in the same run: six bare GET INFO
exchanges over the same path (the floor a six-APDU burn cannot beat).

A clock write lands where the wanted time crosses a whole second (within 50 ms either side), so that the
token keeps its time to a fraction of a second: the burn waits for that moment (with --sync-clock) or
watches the token's own second tick over (without). Those waits are shown apart from the work. Each burn
starts at a random moment of the second, as a token placed by hand does (back-to-back burns would all start
just after an edge and hide the wait).

Last, the token's clock after ten re-burns without --sync-clock: it must stay where it was (within 0.1 s).

Usage (root, Debian packages pcscd and vsmartcard-vpcd): python benchmarks/burn.py [--runs N]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import Timing, print_table, time_function  # noqa: E402

from otpburn.emulator.stack import READER_NAME, PcscdStack  # noqa: E402
from otpburn.emulator.token2 import Token2Emulator, Token2Memory  # noqa: E402
from otpburn.emulator.vpcd import VpcdBridge  # noqa: E402
from otpburn.otp import OtpParams  # noqa: E402
from otpburn.provisioning.access.readers import OpenReader  # noqa: E402
from otpburn.provisioning.access.session import presented_token  # noqa: E402
from otpburn.provisioning.burn.flow import BurnFlow, FlowSettings  # noqa: E402
from otpburn.provisioning.burn.steps import BurnOptions  # noqa: E402
from otpburn.tokens.token2 import get_info_apdu  # noqa: E402
from otpburn.transport import VirtualReader  # noqa: E402
from otpburn.transport.pcsc import PcscBackend  # noqa: E402
from otpburn.transport.readers import ReaderBackend  # noqa: E402

PARAMS = OtpParams(secret=b"benchmark secret 20b", issuer="Bench", account="user")
FLOW = BurnFlow(FlowSettings(front_end="benchmark", check_pc_clock=False))


class Burns:
    """Burns through the flow, each at a random phase of the second; the clock waits and APDU counts noted."""

    def __init__(self, opened: OpenReader, options: BurnOptions, phases: random.Random) -> None:
        self.opened, self.options, self.phases = opened, options, phases
        self.waits: list[float] = []
        self.apdus: list[int] = []

    def __call__(self) -> None:
        with presented_token(self.opened) as token:
            report = FLOW.run(token, PARAMS, self.options).report
        self.waits.append(report.clock_wait)
        self.apdus.append(report.apdus)

    def timed(self, label: str, runs: int) -> tuple[Timing, Timing]:
        """(wall time of each burn, the same burns without their clock waits)."""
        samples = []
        self()  # warm-up
        self.waits.clear()
        for _ in range(runs):
            time.sleep(self.phases.random())  # the token is placed at some moment of the second
            started = time.perf_counter()
            self()
            samples.append(time.perf_counter() - started)
        work = [sample - wait for sample, wait in zip(samples, self.waits, strict=True)]
        return Timing(label, samples, 0), Timing(label.replace("burn", "burn work"), work, 0)


def bare_exchanges(backend: ReaderBackend, reader_name: str) -> None:
    connection = backend.connect(reader_name)
    try:
        raw = get_info_apdu().to_bytes()
        for _ in range(6):
            connection.transmit(raw)
    finally:
        connection.disconnect()


def report(title: str, opened: OpenReader, backend: ReaderBackend, reader_name: str, runs: int,
           phases: random.Random) -> None:
    baseline = time_function(f"{title}: 6 bare GET INFO (baseline)", lambda: bare_exchanges(backend, reader_name),
                             runs)
    rows = [baseline]
    for options, what in ((BurnOptions(sync_clock=True), "burn, --sync-clock"),
                          (BurnOptions(sync_clock=False), "burn, own clock kept")):
        burns = Burns(opened, options, phases)
        wall, work = burns.timed(f"{title}: {what}", runs)
        rows += [wall, work]
        waits = sorted(burns.waits)
        print(f"{title}: {what}: clock wait median {statistics.median(waits) * 1000:.0f} ms, "
              f"max {waits[-1] * 1000:.0f} ms; {burns.apdus[0]} APDUs per burn; wall above work at the median "
              f"{(wall.median_ms - work.median_ms):.0f} ms")
    print_table(rows, baseline, "peak py KiB")
    print()


def clock_after_reburns(phases: random.Random) -> None:
    card = Token2Emulator(Token2Memory(serial="8659632000001", clock_offset=-40.3, clock_set_at=time.time()))
    reader = VirtualReader(card)
    opened = OpenReader(reader, reader.list_readers()[0].name)
    burns = Burns(opened, BurnOptions(sync_clock=False), phases)
    offsets = []
    for _ in range(10):
        time.sleep(phases.random())
        burns()
        offsets.append(card.clock() - time.time())
    drift = [offset - (-40.3) for offset in offsets]
    print(f"token clock after each of 10 re-burns without --sync-clock, from where it was: "
          f"{', '.join(f'{d * 1000:+.0f}' for d in drift)} ms (largest {max(map(abs, drift)) * 1000:.0f} ms; "
          "goal within 100 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1, help="Seed of the random placing moments.")
    args = parser.parse_args()
    phases = random.Random(args.seed)

    virtual = VirtualReader(Token2Emulator(Token2Memory(serial="8659632000001")))
    name = virtual.list_readers()[0].name
    report("virtual", OpenReader(virtual, name), virtual, name, args.runs, phases)

    card = Token2Emulator(Token2Memory(serial="8659632000001"))
    with PcscdStack() as stack, VpcdBridge(card, port=stack.port, netns=stack.netns), PcscBackend() as backend:
        if not backend.wait_for_card(READER_NAME, 10):
            raise SystemExit("the emulated token did not appear on the vpcd reader")
        report("pcscd+vpcd", OpenReader(backend, READER_NAME), backend, READER_NAME, args.runs, phases)

    clock_after_reburns(phases)
    print(f"\nmeasured {time.strftime('%Y-%m-%d %H:%M')} UTC on {sys.platform}")


if __name__ == "__main__":
    main()
