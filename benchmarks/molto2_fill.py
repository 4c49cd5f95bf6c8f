"""Filling a Molto2 through the one burn flow, as `otpburn fill` does: N profiles on one connection (one
authentication, the device's clock watched once) against N single burns, each on a fresh connection (what
N runs of `otpburn burn --profile` do), on the in-process emulated device.

Prints the time per profile and in all, the ratio against the single-burn baseline measured in the same
run, the clock waits apart from the work, and peak Python allocations.

Run: python benchmarks/molto2_fill.py [--profiles 100]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import tracemalloc

os.environ.setdefault("OTPBURN_ATTEMPTS_FILE", os.path.join(tempfile.mkdtemp(), "attempts.json"))
os.environ.setdefault("OTPBURN_AUDIT_LOG", os.path.join(tempfile.mkdtemp(), "audit.jsonl"))

from otpburn.emulator.molto2 import Molto2Emulator  # noqa: E402
from otpburn.otp.params import OtpParams  # noqa: E402
from otpburn.provisioning.access.readers import OpenReader  # noqa: E402
from otpburn.provisioning.access.session import presented_token  # noqa: E402
from otpburn.provisioning.batches.fill import fill, plan_fill  # noqa: E402
from otpburn.provisioning.burn.flow import BurnFlow, BurnOutcome, FlowSettings  # noqa: E402
from otpburn.provisioning.burn.steps import BurnOptions, Molto2Options  # noqa: E402
from otpburn.sources.seedfiles import SeedRecord  # noqa: E402
from otpburn.tokens.detect import Credentials  # noqa: E402
from otpburn.tokens.molto2 import FACTORY_CUSTOMER_KEY, Molto2Credentials  # noqa: E402
from otpburn.transport.virtual import VirtualReader  # noqa: E402

READER = "TOKEN2 Molto2 (benchmark)"
CREDENTIALS = Credentials(molto2=Molto2Credentials(lambda: FACTORY_CUSTOMER_KEY))
FLOW = BurnFlow(FlowSettings(front_end="benchmark", check_pc_clock=False))


def account(number: int) -> OtpParams:
    return OtpParams(secret=f"benchmark secret {number:03d}".encode(), issuer=f"Site {number}", account="amy")


def single_burns(count: int) -> tuple[float, float]:
    """The baseline: each profile on a connection of its own (identification, authentication and clock watch
    each time). (seconds in all, of which clock waits)"""
    opened = OpenReader(VirtualReader(Molto2Emulator(), name=READER), READER)
    waited = 0.0
    started = time.perf_counter()
    for number in range(count):
        with presented_token(opened, credentials=CREDENTIALS) as token:
            outcome = FLOW.run(token, account(number), BurnOptions(molto2=Molto2Options(profile=number)))
        waited += outcome.report.clock_wait
    return time.perf_counter() - started, waited


def filled(count: int) -> tuple[float, float]:
    """(seconds in all, of which clock waits) for one `fill` of `count` accounts."""
    opened = OpenReader(VirtualReader(Molto2Emulator(), name=READER), READER)
    records = [SeedRecord("", account(number), number + 1) for number in range(count)]
    waits: list[float] = []

    def burned(_item: object, outcome: BurnOutcome) -> None:
        waits.append(outcome.report.clock_wait)

    started = time.perf_counter()
    with presented_token(opened, credentials=CREDENTIALS) as token:
        assert hasattr(token.session, "profiles")
        plan = plan_fill(token.session, records)  # type: ignore[arg-type]
        fill(FLOW, token, plan, BurnOptions(), burned)
    return time.perf_counter() - started, sum(waits)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profiles", type=int, default=100)
    parser.add_argument("--baseline-profiles", type=int, default=10,
                        help="Single burns for the baseline (each waits for the device's clock).")
    args = parser.parse_args()
    base_total, base_wait = single_burns(args.baseline_profiles)
    base = base_total / args.baseline_profiles
    tracemalloc.start()
    total, waited = filled(args.profiles)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    per = total / args.profiles
    print(f"{'what':<46}{'per profile ms':>15}{'ratio':>8}")
    print(f"{'single burns, a connection each (baseline)':<46}{base * 1000:>15.1f}{1:>7.2f}x"
          f"   clock waits {base_wait / args.baseline_profiles * 1000:.0f} ms of each")
    print(f"{'fill, one connection':<46}{per * 1000:>15.1f}{per / base:>7.2f}x")
    print(f"{'  of which clock waits':<46}{waited / args.profiles * 1000:>15.1f}")
    print(f"{'  work':<46}{(total - waited) / args.profiles * 1000:>15.1f}{(total - waited) / total / 1:>7.2f} "
          "of the fill")
    print(f"a fill of {args.profiles} profiles: {total:.2f} s in all (goal for 100: at most 5 s)")
    print(f"peak Python allocations during the fill: {peak / 2**20:.2f} MiB")


if __name__ == "__main__":
    main()
