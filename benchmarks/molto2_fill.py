"""Filling a Molto2: N profiles burned on one connection (one authentication, the device's clock watched
once) against N single burns each on a fresh connection, on the in-process emulated device.

Prints the time per profile, the ratio against the single-burn baseline measured in the same run,
and peak Python allocations. Run: python benchmarks/molto2_fill.py [--profiles 20]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import tracemalloc

os.environ.setdefault("OTPBURN_ATTEMPTS_FILE", os.path.join(tempfile.mkdtemp(), "attempts.json"))

from otpburn.emulator.molto2 import Molto2Emulator  # noqa: E402
from otpburn.otp.params import OtpParams  # noqa: E402
from otpburn.provisioning.burn.families import burn  # noqa: E402
from otpburn.provisioning.burn.steps import BurnOptions  # noqa: E402
from otpburn.tokens.detect import open_session  # noqa: E402
from otpburn.tokens.molto2 import FACTORY_CUSTOMER_KEY  # noqa: E402
from otpburn.transport.channel import Channel  # noqa: E402
from otpburn.transport.virtual import VirtualReader  # noqa: E402

READER = "TOKEN2 Molto2 (benchmark)"


def account(number: int) -> OtpParams:
    return OtpParams(secret=f"benchmark secret {number:03d}".encode(), issuer=f"Site {number}", account="amy")


def single_burns(count: int) -> float:
    """The baseline: each profile on a connection of its own (authentication and clock watch each time)."""
    card = Molto2Emulator()
    reader = VirtualReader(card, name=READER)
    started = time.perf_counter()
    for number in range(count):
        session = open_session(Channel(reader.connect()))
        burn(session, account(number), BurnOptions(profile=number, customer_key=FACTORY_CUSTOMER_KEY))
    return time.perf_counter() - started


def fill(count: int) -> tuple[float, float]:
    """(seconds in all, of which waiting for the device's whole second before each settings write)."""
    card = Molto2Emulator()
    session = open_session(Channel(VirtualReader(card, name=READER).connect()))
    waited = 0.0
    started = time.perf_counter()
    for number in range(count):
        report = burn(session, account(number), BurnOptions(profile=number, customer_key=FACTORY_CUSTOMER_KEY))
        waited += report.clock_wait
    return time.perf_counter() - started, waited


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profiles", type=int, default=10)
    count = parser.parse_args().profiles
    baseline = single_burns(count)
    tracemalloc.start()
    filled, waited = fill(count)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"single burns (baseline): {baseline / count * 1000:8.1f} ms per profile  1.00x")
    print(f"fill, one connection:    {filled / count * 1000:8.1f} ms per profile  {filled / baseline:.2f}x")
    print(f"  of which clock alignment: {waited / count * 1000:8.1f} ms per profile (each settings write lands on the "
          "device's whole second, so the profile's clock is exact)")
    print(f"  work without that wait: {(filled - waited) / count * 1000:8.1f} ms per profile  "
          f"{(filled - waited) / baseline:.2f}x")
    print(f"peak Python allocations during the fill: {peak / 2**20:.2f} MiB")


if __name__ == "__main__":
    main()
