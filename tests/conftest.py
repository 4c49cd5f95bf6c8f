import os
import subprocess
import sys

import pytest


def run_cli(*args: str, stdin: str | bytes | None = None, env: dict | None = None, timeout: float = 60):
    """Run the real `otpburn` entry point in a subprocess."""
    data = stdin.encode() if isinstance(stdin, str) else stdin
    return subprocess.run(
        [sys.executable, "-m", "otpburn", *args],
        input=data if data is not None else b"",
        capture_output=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )


@pytest.fixture
def cli():
    return run_cli
