"""Burn time and APDU count: through pcscd + vpcd + the emulated token, and through the
in-process virtual reader. Baseline in the same run: six bare GET INFO exchanges over the
same path (the floor a 6-APDU burn cannot beat).

A burn sends its clock write as the wanted time crosses a whole second (so the token keeps
its time to a fraction of a second): up to a second of waiting, which the table shows apart
("burn work" is the burn without those waits).

Usage (root, Debian packages pcscd and vsmartcard-vpcd): python benchmarks/burn.py [--runs N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import Timing, print_table, time_function  # noqa: E402

from otpburn.emulator.stack import READER_NAME, PcscdStack  # noqa: E402
from otpburn.emulator.token2 import Token2Emulator, Token2Memory  # noqa: E402
from otpburn.emulator.vpcd import VpcdBridge  # noqa: E402
from otpburn.otp import OtpParams  # noqa: E402
from otpburn.provisioning.burn.families import BurnOptions, burn  # noqa: E402
from otpburn.tokens.detect import open_session  # noqa: E402
from otpburn.tokens.token2 import get_info_apdu  # noqa: E402
from otpburn.transport import Channel, VirtualReader  # noqa: E402

PARAMS = OtpParams(secret=b"benchmark secret 20b", issuer="Bench", account="user")
OPTIONS = BurnOptions(sync_clock=True)


def burn_once(backend, reader_name: str, counts: list[int], waits: list[float]) -> None:
    connection = backend.connect(reader_name)
    try:
        channel = Channel(connection)
        report = burn(open_session(channel), PARAMS, OPTIONS)
        counts.append(report.apdus)
        waits.append(report.clock_wait)
    finally:
        connection.disconnect()


def without_waits(timing: Timing, waits: list[float]) -> Timing:
    """The same burns with their clock waits taken out (the waits of the timed runs, in order)."""
    timed_waits = waits[-len(timing.samples):]
    return Timing(timing.label.replace("burn", "burn work"),
                  [sample - wait for sample, wait in zip(timing.samples, timed_waits, strict=True)], timing.peak_kib)


def bare_exchanges(backend, reader_name: str) -> None:
    connection = backend.connect(reader_name)
    try:
        raw = get_info_apdu().to_bytes()
        for _ in range(6):
            connection.transmit(raw)
    finally:
        connection.disconnect()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    virtual = VirtualReader(Token2Emulator(Token2Memory(serial="8659632000001")))
    counts: list[int] = []
    waits: list[float] = []
    rows = [
        time_function("virtual: 6 bare GET INFO (baseline)",
                      lambda: bare_exchanges(virtual, virtual.list_readers()[0].name), args.runs),
        time_function("virtual: burn", lambda: burn_once(virtual, virtual.list_readers()[0].name, counts, waits),
                      args.runs),
    ]
    rows.append(without_waits(rows[1], waits))
    print(f"burn, {args.runs} runs each; APDUs per burn: {sorted(set(counts))}")
    print_table(rows, rows[0], "peak py KiB")

    from otpburn.transport.pcsc import PcscBackend

    card = Token2Emulator(Token2Memory(serial="8659632000001"))
    with PcscdStack() as stack, VpcdBridge(card, port=stack.port, netns=stack.netns):
        with PcscBackend() as backend:
            if not backend.wait_for_card(READER_NAME, 10):
                raise SystemExit("the emulated token did not appear on the vpcd reader")
            counts.clear()
            waits.clear()
            rows = [
                time_function("pcscd+vpcd: 6 bare GET INFO (baseline)",
                              lambda: bare_exchanges(backend, READER_NAME), args.runs),
                time_function("pcscd+vpcd: burn", lambda: burn_once(backend, READER_NAME, counts, waits), args.runs),
            ]
            rows.append(without_waits(rows[1], waits))
    print(f"\nthrough pcscd + vpcd; APDUs per burn: {sorted(set(counts))}")
    print_table(rows, rows[0], "peak py KiB")
    print(f"\nmeasured {time.strftime('%Y-%m-%d %H:%M')} UTC on {sys.platform}")


if __name__ == "__main__":
    main()
