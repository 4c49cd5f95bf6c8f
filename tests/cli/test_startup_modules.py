"""The seed-only commands start without the code they never use: the CLI's wording tables (which bring every room's
data types), the burn flow, the token drivers and PC/SC load only for the commands that talk to a token, or to
word a failure. Counted in modules, not seconds (the timing is benchmarks/startup.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXAMPLE = EXAMPLES / "atlassian-account.txt"

PROBE = """
import atexit, json, sys
atexit.register(lambda: open(sys.argv[1], "w").write(json.dumps(sorted(sys.modules))))
from otpburn.cli.main import main
main(sys.argv[2:])
"""

TOKEN_SIDE = ("otpburn.cli.wording", "otpburn.provisioning.burn.flow", "otpburn.provisioning.batches.batch",
              "otpburn.tokens.molto2", "otpburn.transport.pcsc", "smartcard")


def loaded_by(tmp_path: Path, *args: str) -> list[str]:
    listing = tmp_path / "modules.json"
    result = subprocess.run([sys.executable, "-c", PROBE, str(listing), *args], input=EXAMPLE.read_bytes(),
                            capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr.decode()
    modules: list[str] = json.loads(listing.read_text())
    return modules


@pytest.mark.parametrize(("command", "module"), [
    (["parse"], "otpburn.cli.seed_commands"),
    (["code", "--json"], "otpburn.cli.seed_commands"),
    (["random", "--json"], "otpburn.cli.seed_commands"),
    (["scan", "--image", str(EXAMPLES / "2fa-setup-screenshot.png")], "otpburn.cli.scan_command"),
])
def test_seed_commands_load_nothing_of_the_token_side(tmp_path: Path, command: list[str], module: str) -> None:
    modules = loaded_by(tmp_path, *command)
    assert module in modules  # the probe ran the command
    assert [name for name in TOKEN_SIDE if name in modules] == []


def test_a_failure_is_still_worded(tmp_path: Path) -> None:
    listing = tmp_path / "modules.json"
    result = subprocess.run([sys.executable, "-c", PROBE, str(listing), "parse"], input=b"otpauth://totp/A?secret=",
                            capture_output=True, timeout=60)
    assert result.returncode == 2
    assert b"Traceback" not in result.stderr
    assert result.stderr.decode().count("\n") == 1
