"""Run otpburn in a child process and measure that child's own peak memory.

The peak is the child's VmHWM (Linux), read as it exits: it starts afresh at execve, unlike a child's
ru_maxrss, which starts from its parent's size at fork (a test process that just made a large image).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

CHILD = """
import atexit, sys
PEAK_FILE = sys.argv[1]
def peak():
    with open('/proc/self/status') as status, open(PEAK_FILE, 'w') as out:
        out.write(next(line.split()[1] for line in status if line.startswith('VmHWM:')))
atexit.register(peak)
from otpburn.cli.main import main
sys.argv = ['otpburn', *sys.argv[2:]]
main()
"""


@dataclass
class Measured:
    returncode: int
    stdout: str
    stderr: str
    peak_bytes: int


def run_measured(*args: str, env: dict[str, str] | None = None) -> Measured:
    """`otpburn ARGS` in a child process, with its own peak resident memory."""
    with tempfile.TemporaryDirectory() as folder:
        peak_file = Path(folder) / "peak"
        done = subprocess.run([sys.executable, "-c", CHILD, str(peak_file), *args], capture_output=True, text=True,
                              env={**os.environ, **(env or {})}, timeout=300)
        return Measured(done.returncode, done.stdout, done.stderr, int(peak_file.read_text()) * 1024)
