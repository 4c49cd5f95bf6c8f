"""kill -9 at random moments, 200 times, during burns into the virtual token and during
exports: no corrupt state file, no half-written export, no secret-bearing temp file left
once otpburn runs again (on Linux none at all for a new file), and the next run works. Two burns
at once: one is refused clearly.

Each victim is the real CLI (`otpburn.cli.main.main`) in a forked child, so a kill costs
no interpreter start-up. Half the kills come at a random moment of the command's duration;
the other half at a random file-system step (the N-th open, rename, link or removal of a file
in the test's folder, counted by an audit hook), so every boundary of an atomic write is hit
whatever the machine's load.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from otpburn.emulator.token2 import Token2Emulator
from otpburn.otp import encode_base32

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="kill -9 needs a POSIX system")

SECRET = b"kill loop secret 20b"
URI = f"otpauth://totp/Acme:kim@example.com?secret={encode_base32(SECRET)}&issuer=Acme"
KILLS = 200
BURN_SHARE = 0.25  # of the runs; the rest are exports


VICTIM_POLLS = 6000  # 10 ms apart: a minute, far beyond any burn or export
FILE_STEPS = {"open", "os.rename", "os.link", "os.remove", "os.replace"}


def run_forked(args: list[str], env: dict[str, str], kill_after: float | None = None,
               kill_at_step: int | None = None, count_steps: Path | None = None) -> int | None:
    """Run `otpburn ARGS` in a forked child and return its exit code, or None when it was killed.

    The child is killed `kill_after` seconds in, or by itself at its `kill_at_step`-th step on a file
    in the test's folder;
    `count_steps` receives how many file steps a whole run made.
    """
    watched = str(Path(env["OTPBURN_VIRTUAL_TOKEN"]).parent)  # only steps on the test's own files count
    pid = os.fork()
    if pid == 0:  # the child: the CLI, with its output thrown away
        code, steps = 1, 0

        def file_step(event: str, event_args: tuple[object, ...]) -> None:
            nonlocal steps
            if event in FILE_STEPS and any(watched in str(arg) for arg in event_args[:2]):
                steps += 1
                if steps == kill_at_step:
                    os.kill(os.getpid(), signal.SIGKILL)

        try:
            os.environ.update(env)
            null = os.open(os.devnull, os.O_RDWR)
            for stream in (0, 1, 2):
                os.dup2(null, stream)
            from otpburn.cli.main import main

            sys.addaudithook(file_step)
            main(args)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        finally:
            if count_steps is not None:
                count_steps.write_text(str(steps))
            os._exit(code)
    if kill_after is not None:
        time.sleep(kill_after)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    # A victim that never reaches its step (or a fork that inherited a held lock) must not hang the suite.
    for _ in range(VICTIM_POLLS):
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return None if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        time.sleep(0.01)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    raise AssertionError(f"otpburn {args[0]} neither finished nor reached its kill step: it hung")


def measured(args: list[str], env: dict[str, str], folder: Path) -> tuple[float, int]:
    """A whole run's duration and file steps."""
    start = time.monotonic()
    assert run_forked(args, env, count_steps=folder / "steps") == 0
    return time.monotonic() - start, int((folder / "steps").read_text())


def temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".otpburn-tmp"))


@pytest.fixture
def world(tmp_path):
    uri = tmp_path / "uri.txt"
    uri.write_text(URI)
    env = {"OTPBURN_VIRTUAL_TOKEN": str(tmp_path / "virtual-token.json"),
           "OTPBURN_LOCK_FILE": str(tmp_path / "reader.lock"), "OTPBURN_AUDIT_LOG": str(tmp_path / "audit.jsonl")}
    return tmp_path, uri, env


def test_two_hundred_kills_leave_nothing_corrupt(world):
    folder, uri, env = world
    rng = random.Random(20261130)
    export = ["export", "--format", "privacyidea", "--uri-file", str(uri), "--serial", "8659622000001",
              "--output", str(folder / "tokens.csv"), "--force"]
    burn = ["burn", "--reader", "virtual", "--uri-file", str(uri), "--sync-clock", "--yes"]
    export_time, export_steps = measured(export, env, folder)
    expected_export = (folder / "tokens.csv").read_bytes()
    burn_time, burn_steps = measured(burn, env, folder)
    fresh = folder / "fresh"
    fresh.mkdir()
    kills = runs = 0
    while kills < KILLS and runs < 2 * KILLS:  # a victim may finish before its moment comes
        index, runs = runs, runs + 1
        kind, duration, steps = (("burn", burn_time, burn_steps) if rng.random() < BURN_SHARE
                                 else ("export", export_time, export_steps))
        args = export if kind == "export" else burn
        if kind == "export" and index % 3 == 0:  # a new file too: it must be absent or whole, never half
            args = [*export[:-3], "--output", str(fresh / f"new-{index}.csv")]  # without --force
        if index % 2:
            outcome = run_forked(args, env, kill_at_step=rng.randint(1, steps))
        else:
            outcome = run_forked(args, env, kill_after=rng.uniform(0, duration))
        assert outcome in (None, 0), f"run {index} ({args}) failed by itself ({outcome})"
        kills += outcome is None
        # After every kill: the state file is a token's whole memory, every export is whole, nothing was lost.
        Token2Emulator(state_path=folder / "virtual-token.json")
        assert (folder / "tokens.csv").exists(), "a killed --force export lost the file it replaces"
        for written in [*folder.glob("*.csv"), *fresh.glob("*.csv")]:
            assert written.read_bytes() == expected_export, f"{written.name} is half-written"
        if sys.platform.startswith("linux"):  # a new file is written unnamed (O_TMPFILE): a kill leaves nothing
            assert temp_files(fresh) == [], f"run {index} ({kind}) left a temp file holding the seed"
        assert all(json.loads(line) for line in (folder / "audit.jsonl").read_text().splitlines())
    assert kills == KILLS, f"only {kills} of {runs} runs were killed mid-way"

    # The next runs work, and clear what the killed writers left.
    assert run_forked(burn, env, None) == 0 and run_forked(export, env, None) == 0
    assert temp_files(folder) == []
    memory = json.loads((folder / "virtual-token.json").read_text())
    assert memory["seed"] == SECRET.hex()
    assert (folder / "virtual-token.json").stat().st_mode & 0o777 == 0o600


def test_two_burns_at_once_one_is_refused_clearly_and_nothing_is_corrupt(world):
    folder, uri, env = world
    command = [sys.executable, "-m", "otpburn", "burn", "--reader", "virtual", "--uri-file", str(uri)]
    runs = [subprocess.Popen(command, env={**os.environ, **env}, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(run.wait(60), *run.communicate()) for run in runs]
    codes = sorted(code for code, _, _ in results)
    assert 0 in codes, results
    for code, _out, err in results:
        if code != 0:  # the loser is told who holds the reader, in one line
            assert code == 1 and len(err.strip().splitlines()) == 1
            assert "another otpburn is using the reader (" in err and "finish or close it first" in err
    memory = json.loads((folder / "virtual-token.json").read_text())
    assert memory["seed"] == SECRET.hex()


def test_only_temp_files_of_dead_otpburn_writers_are_removed(tmp_path):
    from otpburn.files import write_private

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    left_by_dead = tmp_path / f".tokens.csv.{dead_pid}.abcd1234.otpburn-tmp"
    live = tmp_path / f".tokens.csv.{os.getppid()}.abcd1234.otpburn-tmp"  # a writer still running
    others = [tmp_path / f".notes.txt.{dead_pid}.abcd1234.tmp", tmp_path / "tokens.csv.otpburn-tmp"]
    for path in [left_by_dead, live, *others]:
        path.write_text("x")
    write_private(tmp_path / "other.csv", b"data")
    assert not left_by_dead.exists()
    assert live.exists() and all(path.exists() for path in others)
