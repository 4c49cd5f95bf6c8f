"""Start-up time of the CLI against a bare interpreter, measured in the same run.

Usage: python benchmarks/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import print_table, time_command  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    example = (ROOT / "examples" / "atlassian-account.txt").read_bytes()
    otpburn = [sys.executable, "-m", "otpburn"]
    # As installed: byte code cached (pip compiles at install; each warm-up run writes what it imports). Otherwise a
    # machine that sets PYTHONDONTWRITEBYTECODE compiles otpburn's modules in every run, never the standard library's.
    env = {"PYTHONDONTWRITEBYTECODE": ""}
    baseline = time_command("python -c pass (baseline)", [sys.executable, "-c", "pass"], args.runs)
    rows = [
        baseline,
        time_command("otpburn --help", [*otpburn, "--help"], args.runs, env=env),
        time_command("otpburn parse < example", [*otpburn, "parse"], args.runs, stdin=example, env=env),
        time_command("otpburn code --json < example", [*otpburn, "code", "--json"], args.runs, stdin=example,
                     env=env),
    ]
    print(f"start-up, {args.runs} runs each (peak = max resident set size of the process)")
    print_table(rows, baseline, "peak RSS KiB")


if __name__ == "__main__":
    main()
