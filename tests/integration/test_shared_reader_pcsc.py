"""otpburn next to other programs on the same reader (pcscd + vpcd + the emulated token).

The other program is a real PC/SC client in its own process (tests/support/pcsc_holder.py),
connected the way Yubico Authenticator (shared) or a greedy tool (exclusive) connects.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
from contextlib import contextmanager

from otpburn.emulator.stack import READER_NAME
from otpburn.otp import encode_base32
from otpburn.provisioning.access.readers import OpenReader
from otpburn.provisioning.access.session import presented_token
from otpburn.transport.pcsc import PcscBackend

SECRET = b"otpburn shared read!"
URI = f"otpauth://totp/Acme:bob@example.com?secret={encode_base32(SECRET)}&issuer=Acme"


class OtherProgram:
    def __init__(self, mode: str) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "tests.support.pcsc_holder", READER_NAME, mode],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.connected = self.answer(10)

    def ask(self, command: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()

    def answer(self, timeout: float) -> str | None:
        """Its next line, or None when it has not answered within `timeout` (it is waiting)."""
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        return self.process.stdout.readline().strip() if ready else None

    def close(self) -> None:
        if self.process.poll() is None:
            self.ask("quit")
            self.process.wait(10)


@contextmanager
def other_program(mode: str):
    program = OtherProgram(mode)
    try:
        yield program
    finally:
        program.close()


def burn(tmp_path):
    uri = tmp_path / "uri.txt"
    uri.write_text(URI)
    return subprocess.run([sys.executable, "-m", "otpburn", "burn", "--reader", READER_NAME, "--uri-file", str(uri),
                           "--sync-clock", "--yes"], capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL, env=os.environ.copy())


def test_burns_while_another_program_keeps_a_shared_handle(place_token, tmp_path):
    token = place_token()
    with other_program("shared") as other:
        assert other.connected == "connected 0x0"
        result = burn(tmp_path)
        assert result.returncode == 0, result.stderr
        assert token.card.memory.seed == SECRET.hex()
        other.ask("transmit")  # and the other program goes on working afterwards
        assert other.answer(10) == "transmitted 9000"


def test_an_exclusive_holder_is_named_in_one_line_and_nothing_is_written(place_token, tmp_path):
    token = place_token()
    with other_program("exclusive") as other:
        assert other.connected == "connected 0x0"
        result = burn(tmp_path)
    assert result.returncode == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "held exclusively by another program" in lines[0]
    assert "close the program that holds it" in lines[0] and "scdaemon" in lines[0]
    assert token.card.memory.seed is None and token.card.memory.auth_attempts == 0


def test_otpburn_waits_for_another_programs_transaction_to_end(place_token, tmp_path):
    token = place_token()
    with other_program("shared") as other:
        other.ask("begin")
        assert other.answer(10) == "begun 0x0"
        running = subprocess.Popen([sys.executable, "-m", "otpburn", "info", "--reader", READER_NAME],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            running.wait(1.5)
            raise AssertionError("otpburn talked to the token inside another program's transaction")
        except subprocess.TimeoutExpired:
            pass
        other.ask("end")
        assert other.answer(10) == "ended 0x0"
        out, err = running.communicate(timeout=30)
    assert running.returncode == 0, err
    assert token.card.memory.serial in out


def test_another_programs_commands_wait_while_otpburn_holds_the_token(place_token):
    token = place_token()
    with other_program("shared") as other, PcscBackend() as backend:
        with presented_token(OpenReader(backend, READER_NAME)) as on_reader:
            assert on_reader.info.serial == token.card.memory.serial
            other.ask("transmit")
            assert other.answer(1.5) is None  # it waits: nothing comes between otpburn's commands
        assert other.answer(10) == "transmitted 9000"  # and goes ahead once otpburn lets go
