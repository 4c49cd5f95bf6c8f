"""The fuzz suite (tests/fuzz) with a large random example budget: the long run CI cannot afford.

Reports, per target: the slowest example (a hang is anything over 2 s), and the process's
peak memory; and the CLI's exit codes per command (to see the fuzzer reaches real work).
Baseline in the same run: the same suite at the CI budget (100 examples, derandomized).
Usage: python benchmarks/fuzz_long.py [--examples N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HANG = 2.0

REPORT = """
import json, os, resource, sys
import pytest
code = pytest.main(["tests/fuzz", "-q", "-p", "no:cacheprovider", "-x"])
module = sys.modules["tests.fuzz.test_fuzz"]
print("REPORT" + json.dumps({"code": int(code), "slowest": module.SLOWEST,
      "outcomes": [[c, e, n] for (c, e), n in sorted(module.OUTCOMES.items())],
      "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def run(examples: int, random: bool) -> tuple[float, dict]:
    import json

    env = {**os.environ, "OTPBURN_FUZZ_EXAMPLES": str(examples), "OTPBURN_FUZZ_RANDOM": "1" if random else "0"}
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", REPORT], cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    line = next((line for line in result.stdout.splitlines() if line.startswith("REPORT")), None)
    if line is None:
        raise SystemExit(f"the fuzz run failed:\n{result.stdout[-3000:]}\n{result.stderr[-2000:]}")
    report = json.loads(line[len("REPORT"):])
    if report["code"] != 0:
        raise SystemExit(f"the fuzz run found a failure:\n{result.stdout[-5000:]}")
    return elapsed, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=5000)
    args = parser.parse_args()
    base_seconds, _ = run(100, random=False)
    seconds, report = run(args.examples, random=True)
    print(f"fuzz suite: {args.examples} random examples per target (CLI: half), against the CI budget of 100")
    print(f"{'run':<34} {'seconds':>9} {'ratio':>7} {'peak MiB':>9}")
    print(f"{'CI budget (baseline)':<34} {base_seconds:>9.1f} {1:>6.2f}x {'':>9}")
    print(f"{'long run':<34} {seconds:>9.1f} {seconds / base_seconds:>6.2f}x {report['peak_kib'] / 1024:>9.0f}")
    print(f"\n{'target':<34} {'slowest example s':>18}")
    for target, slowest in sorted(report["slowest"].items(), key=lambda item: -item[1]):
        flag = "  over 2 s" if slowest > HANG else ""
        print(f"{target:<34} {slowest:>18.3f}{flag}")
    print("\nCLI exit codes per command (0 ok, 1 failed, 2 bad input, 3 no reader/code, 4 mismatch):")
    by_command: dict[str, list[str]] = {}
    for command, code, count in report["outcomes"]:
        by_command.setdefault(command, []).append(f"{code}:{count}")
    for command, codes in sorted(by_command.items()):
        print(f"  {command:<10} {' '.join(codes)}")
    print(f"measured {time.strftime('%Y-%m-%d %H:%M')} UTC; peak = the fuzzing process's maximum RSS")


if __name__ == "__main__":
    main()
