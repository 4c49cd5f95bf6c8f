"""Options and helpers shared by the commands that talk to a token: choosing the reader,
opening a session on the token, the keys and passwords, and how a token is described."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from otpburn.errors import InputError
from otpburn.tokens.base import TokenInfo, TokenSession

if TYPE_CHECKING:
    from otpburn.provisioning.access.session import TokenOnReader
    from otpburn.tokens.ykoath import YkoathSession

reader_option = click.option(
    "--reader", "reader_spec", metavar="NAME|N|virtual",
    help="Reader name, its number in 'otpburn readers', or 'virtual' for the built-in virtual token.",
)
trace_option = click.option("--trace", is_flag=True, help="Print every APDU (secrets redacted) on stderr.")
key_option = click.option("--key-file", type=click.Path(dir_okay=False),
                          help="Token2-family transport key (32 hex digits) for tokens with another key.")
password_option = click.option("--password-file", type=click.Path(dir_okay=False),
                               help="OATH applet password, read from this file (otherwise asked for).")


def password_if_needed(session: TokenSession, password_file: str | None) -> str | None:
    """The token's password when it is locked: from --password-file, else a hidden prompt."""
    if not session.locked:
        return None
    if password_file:
        from otpburn.cli.common import read_text_file

        return read_text_file(password_file).rstrip("\r\n")
    if not sys.stdin.isatty():
        from otpburn.tokens.ykoath import PasswordRequiredError

        raise PasswordRequiredError()
    return click.prompt("OATH password", hide_input=True, err=True)


def utc(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(seconds))


def offset_text(info: TokenInfo) -> str:
    offset = info.clock_offset
    return "unknown" if offset is None else f"{round(offset):+d} s"


def load_key(key_file: str | None) -> bytes:
    from otpburn.tokens.token2 import TRANSPORT_KEY

    if not key_file:
        return TRANSPORT_KEY
    from otpburn.cli.common import read_text_file
    from otpburn.otp import decode_hex

    key = decode_hex(read_text_file(key_file).strip())
    if len(key) != 16:
        raise InputError(f"the key in {key_file} is {len(key)} bytes; a transport key is 16 bytes")
    return key


def info_dict(info: TokenInfo) -> dict[str, object]:
    return {
        "family": info.family,
        "model": info.model,
        "serial": info.serial,
        "clock": info.clock,
        "clock_utc": utc(info.clock) if info.clock is not None else None,
        "clock_offset": None if info.clock_offset is None else round(info.clock_offset, 1),
        "capabilities": info.capabilities.as_dict(),
    }


@contextmanager
def oath_token(reader_spec: str | None, password_file: str | None, trace: bool,
               otherwise: str) -> Iterator[tuple[TokenOnReader, YkoathSession]]:
    """An OATH session, unlocked if it has a password; single-seed tokens are refused with `otherwise`."""
    from otpburn.provisioning.access.session import token_session
    from otpburn.tokens.ykoath import YkoathSession
    from otpburn.transport.trace import stream_tracer

    with token_session(reader_spec, holder="oath", tracer=stream_tracer() if trace else None) as on_reader:
        session = on_reader.session
        if not isinstance(session, YkoathSession):
            raise InputError(f"the {session.info.model} holds a single seed; {otherwise}")
        password = password_if_needed(session, password_file)
        if password is not None:
            session.unlock(password)
        yield on_reader, session
