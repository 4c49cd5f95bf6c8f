"""Small helpers shared by the benchmarks: timing of whole commands and of functions, peak memory."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass
class Timing:
    label: str
    samples: list[float]
    peak_kib: int

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) * 1000

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))] * 1000


def time_command(label: str, argv: Sequence[str], runs: int, stdin: bytes = b"", env: dict | None = None) -> Timing:
    """Wall time and peak RSS of a command, run `runs` times (after one warm-up run)."""
    samples, peak = [], 0
    for index in range(runs + 1):
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   env={**os.environ, **(env or {})})
        process.stdin.write(stdin)
        process.stdin.close()
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode not in (0, 1):
            raise SystemExit(f"{label}: exit code {process.returncode}")
        if index:
            samples.append(elapsed)
            peak = max(peak, usage.ru_maxrss)
    return Timing(label, samples, peak)


def time_function(label: str, function: Callable[[], object], runs: int) -> Timing:
    """Wall time of a function and the peak of Python allocations while it runs."""
    function()  # warm-up
    samples = []
    tracemalloc.start()
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return Timing(label, samples, peak // 1024)


def print_table(rows: list[Timing], baseline: Timing, peak_label: str = "peak KiB") -> None:
    print(f"{'what':<44} {'median ms':>10} {'p95 ms':>9} {'ratio':>7} {peak_label:>12}")
    for row in rows:
        ratio = row.median_ms / baseline.median_ms if baseline.median_ms else float("nan")
        print(f"{row.label:<44} {row.median_ms:>10.1f} {row.p95_ms:>9.1f} {ratio:>6.2f}x {row.peak_kib:>12}")
