"""Running the CLI on a pseudo-terminal, answering its prompts the way a person at the keyboard would."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from collections.abc import Callable

READ_ROUNDS = 6000  # select() rounds of at most 0.05 s: the budget for the whole run
QUIET_ROUNDS = 600  # rounds with nothing new while a prompt waits that is not the one expected: give up then


def run_in_terminal(args: list[str], answers: list[tuple[str, Callable[[], str]]], env: dict | None = None
                    ) -> tuple[int, str]:
    """Run `otpburn ARGS` with a terminal as stdin/stdout/stderr; when the output shows the next
    prompt text of `answers`, type what its callable returns. (exit status, everything shown)."""
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "otpburn", *args], stdin=follower, stdout=follower,
                               stderr=follower, env={**os.environ, **(env or {})}, close_fds=True)
    os.close(follower)
    shown, pending, quiet = b"", list(answers), 0
    try:
        for _ in range(READ_ROUNDS):
            ready, _, _ = select.select([leader], [], [], 0.05)
            quiet = 0 if ready else quiet + 1
            if quiet > QUIET_ROUNDS and shown.rstrip().endswith((b":", b"?", b"]")):
                break  # it asks something the test did not expect: the caller sees the output and a killed process
            if ready:
                try:
                    chunk = os.read(leader, 4096)
                except OSError:  # the program ended and closed the terminal
                    break
                if not chunk:
                    break
                shown += chunk
                text = shown.decode(errors="replace")
                if pending and pending[0][0] in text.rsplit("\n", 1)[-1]:
                    prompt, answer = pending.pop(0)
                    os.write(leader, (answer() + "\r").encode())
            elif process.poll() is not None:
                break
        status = process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)
    return status, shown.decode(errors="replace").replace("\r\n", "\n")
