"""Every front end burns through the one burn flow, and the flow checks before it writes.

The front ends run in-process here (the real `otpburn` entry point and the real virtual tokens), with the
flow's `run` wrapped to count its calls: the burn itself is the real one. What a batch or a fill refuses
before its first token is checked on the virtual tokens' memory: nothing written, one line said.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from otpburn.provisioning.burn import flow as flow_module
from tests.support.sntp_server import SkewedSntpServer

SRC = Path(__file__).resolve().parents[2] / "src" / "otpburn"
URI = "otpauth://totp/Acme:amy@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Acme"


def run_in_process(*args: str, stdin: bytes = b"") -> tuple[int, str, str]:
    from otpburn.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(list(args))
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.stdin = saved
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def flow_runs(monkeypatch):
    """The front end each call of BurnFlow.run came from (the real run goes on)."""
    calls: list[str] = []
    real_run = flow_module.BurnFlow.run

    def counted(self, *args, **kwargs):
        calls.append(self.settings.front_end + (" batch" if self.settings.batch else ""))
        return real_run(self, *args, **kwargs)

    monkeypatch.setattr(flow_module.BurnFlow, "run", counted)
    return calls


@pytest.fixture
def seed_file(tmp_path):
    path = tmp_path / "seeds.txt"
    path.write_text(URI + "\n")
    return path


def virtual_token() -> dict:
    path = Path(os.environ["OTPBURN_VIRTUAL_TOKEN"])
    return json.loads(path.read_text()) if path.exists() else {}


def virtual_molto2() -> dict:
    path = Path(os.environ["OTPBURN_VIRTUAL_MOLTO2"])
    return json.loads(path.read_text()) if path.exists() else {}


def test_burn_batch_and_fill_each_go_through_the_flow(flow_runs, seed_file, tmp_path):
    code, out, err = run_in_process("burn", "--reader", "virtual", "--yes", stdin=URI.encode())
    assert code == 0, err
    code, out, err = run_in_process("batch", str(seed_file), "--reader", "virtual", "--reburn",
                                    "--progress-file", str(tmp_path / "progress.json"))
    assert code == 0, err
    code, out, err = run_in_process("fill", str(seed_file), "--reader", "virtual-molto2", "--default-customer-key")
    assert code == 0, err
    assert flow_runs == ["cli", "cli batch", "cli"]


def test_only_the_flow_burns_and_audits_a_burn():
    """No module but the flow calls the resilient burn or writes a burn's audit entries."""
    callers = set()
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                first = node.args[0] if node.args else None
                if name == "resilient_burn" or (name == "record" and isinstance(first, ast.Constant)
                                                and first.value == "burn"):
                    callers.add(path.relative_to(SRC).as_posix())
    assert callers == {"provisioning/burn/flow.py"}


@pytest.mark.parametrize("command", ["burn", "batch", "fill"])
def test_the_pc_clock_is_checked_before_a_clock_is_set(command, seed_file, tmp_path):
    args = {"burn": ["burn", "--reader", "virtual", "--yes", "--uri-file", str(seed_file)],
            "batch": ["batch", str(seed_file), "--reader", "virtual", "--reburn",
                      "--progress-file", str(tmp_path / "progress.json")],
            "fill": ["fill", str(seed_file), "--reader", "virtual-molto2", "--default-customer-key"]}[command]
    before = (virtual_token(), virtual_molto2())
    with SkewedSntpServer(skew=120.0) as server:
        code, out, err = run_in_process(*args, "--sync-clock", "--ntp-server", server.address)
    assert code == 1
    assert err.strip().splitlines() == [f"otpburn: the PC's clock is 120 s behind {server.address}: fix it (enable "
                                        "network time) before setting a token's clock from it. Nothing was written"]
    assert (virtual_token(), virtual_molto2()) == before
    with SkewedSntpServer(skew=4.0) as server:
        code, out, err = run_in_process(*args, "--sync-clock", "--ntp-server", server.address)
    assert code == 0, err
    assert f"! PC clock: the PC's clock is 4 s behind {server.address}" in out


def refused_before_the_first_token(args: list[str], message: str) -> None:
    before = (virtual_token(), virtual_molto2())
    code, out, err = run_in_process(*args)
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and message in err, err
    assert "Place the next token" not in out + err
    assert (virtual_token(), virtual_molto2()) == before


def test_a_batch_whose_progress_cannot_be_recorded_writes_nothing(seed_file, tmp_path):
    target = tmp_path / "elsewhere.json"
    target.write_text("{}")
    link = tmp_path / "progress.json"
    link.symlink_to(target)
    refused_before_the_first_token(["batch", str(seed_file), "--reader", "virtual", "--progress-file", str(link)],
                                   "progress.json")
    assert target.read_text() == "{}"


def test_a_batch_from_read_only_media_writes_nothing(tmp_path):
    """A seed file on read-only media (the default progress file goes next to it): refused before the first token.
    Run as root (CI), the folder is made read-only the way media are, a read-only bind mount in a private mount
    namespace (root ignores permission bits); otherwise by its permissions."""
    folder = tmp_path / "media"
    folder.mkdir()
    seeds = folder / "seeds.txt"
    seeds.write_text(URI + "\n")
    command = [sys.executable, "-m", "otpburn", "batch", str(seeds), "--reader", "virtual"]
    before = (virtual_token(), virtual_molto2())
    if os.geteuid() == 0:
        script = (f'mount --bind "{folder}" "{folder}" && mount -o remount,bind,ro "{folder}" && exec "$@"')
        command = ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", *command]
    else:
        folder.chmod(0o555)
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    finally:
        folder.chmod(0o755)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "seeds.txt.progress.json" in result.stderr
    assert "Place the next token" not in result.stdout + result.stderr
    assert (virtual_token(), virtual_molto2()) == before
    assert sorted(path.name for path in folder.iterdir()) == ["seeds.txt"]


def test_a_batch_from_a_folder_it_cannot_write_writes_nothing(seed_file, tmp_path):
    """The default progress file goes next to the seed file: where that cannot be created (here a file stands
    where the progress file's folder would be, which stops root too), nothing is burned."""
    progress = tmp_path / "blocked" / "progress.json"
    (tmp_path / "blocked").write_text("a file, not a folder")
    refused_before_the_first_token(["batch", str(seed_file), "--reader", "virtual", "--progress-file",
                                     str(progress)], "progress")


@pytest.mark.parametrize("command", ["batch", "burn"])
def test_a_missing_export_folder_is_found_before_the_first_token(command, seed_file, tmp_path):
    missing = tmp_path / "no-such-folder" / "tokens.csv"
    args = {"batch": ["batch", str(seed_file), "--reader", "virtual", "--progress-file",
                      str(tmp_path / "progress.json")],
            "burn": ["burn", "--reader", "virtual", "--yes", "--uri-file", str(seed_file)]}[command]
    refused_before_the_first_token([*args, "--export", f"vendor-csv:{missing}"], "no-such-folder")


@pytest.mark.parametrize("command", ["batch", "burn"])
def test_an_export_name_longer_than_the_file_system_takes_is_found_before_the_first_token(command, seed_file,
                                                                                           tmp_path):
    too_long = tmp_path / ("x" * 300)
    args = {"batch": ["batch", str(seed_file), "--reader", "virtual", "--progress-file",
                      str(tmp_path / "progress.json")],
            "burn": ["burn", "--reader", "virtual", "--yes", "--uri-file", str(seed_file)]}[command]
    refused_before_the_first_token([*args, "--export", f"vendor-csv:{too_long}"],
                                   "cannot be the vendor-csv export's name: File name too long")
