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


@pytest.fixture(autouse=True, scope="session")
def private_state(tmp_path_factory):
    """Keep the tests' virtual token and audit log out of the user's own folders."""
    folder = tmp_path_factory.mktemp("otpburn-state")
    keys = ("OTPBURN_VIRTUAL_TOKEN", "OTPBURN_AUDIT_LOG", "OTPBURN_LOCK_FILE", "OTPBURN_NTP_SERVERS")
    saved = {key: os.environ.get(key) for key in keys}
    os.environ["OTPBURN_VIRTUAL_TOKEN"] = str(folder / "virtual-token.json")
    os.environ["OTPBURN_AUDIT_LOG"] = str(folder / "audit.jsonl")
    os.environ["OTPBURN_LOCK_FILE"] = str(folder / "reader.lock")
    os.environ["OTPBURN_NTP_SERVERS"] = ""  # no traffic beyond this machine; tests that check NTP run a local server
    yield folder
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
