"""What the commands that talk to a token share: the credentials the user gave for each family, opening an
OATH applet or a Molto2, profile numbers, confirmations, and how a token is described."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

from otpburn.cli.common import read_text_file
from otpburn.cli.options import NEXT_FREE
from otpburn.errors import InputError, OtpburnError
from otpburn.otp import decode_hex
from otpburn.provisioning.access.readers import list_pcsc_readers
from otpburn.provisioning.access.session import TokenOnReader, token_session
from otpburn.provisioning.burn.molto2 import CustomerKeyNeededError, ProfileNeededError, next_free
from otpburn.tokens.base import TokenInfo
from otpburn.tokens.detect import Credentials
from otpburn.tokens.molto2 import (
    FACTORY_CUSTOMER_KEY,
    PROFILES,
    Molto2Credentials,
    Molto2Session,
    is_molto2_reader,
    parse_customer_key,
)
from otpburn.tokens.token2 import TRANSPORT_KEY, Token2Credentials
from otpburn.tokens.ykoath import OathCredentials, PasswordRequiredError, YkoathSession
from otpburn.transport.trace import Tracer, stream_tracer
from otpburn.untrusted import ascii_number


def tracer(trace: bool) -> Tracer | None:
    return stream_tracer() if trace else None


def load_key(key_file: str | None) -> bytes:
    """A Token2-family transport key from a file (32 hex digits), or the vendor's own."""
    if not key_file:
        return TRANSPORT_KEY
    key = decode_hex(read_text_file(key_file).strip())
    if len(key) != 16:
        raise InputError(f"the key in {key_file} is {len(key)} bytes; a transport key is 16 bytes")
    return key


def oath_password(password_file: str | None) -> Callable[[], str]:
    """The OATH applet's password, asked for only when the applet turns out to be protected."""
    def ask() -> str:
        if password_file:
            return read_text_file(password_file).rstrip("\r\n")
        if sys.stdin.isatty():
            return str(click.prompt("OATH password", hide_input=True, err=True))

        raise PasswordRequiredError()

    return ask


def customer_key(file: str | None, default: bool, what: str = "customer key") -> Callable[[], bytes]:
    """The Molto2's customer key, from --customer-key-file, --default-customer-key or a hidden prompt — asked
    for only when a write needs it (the prompt never comes for a token that is not a Molto2)."""
    if file and default:
        raise InputError("give --customer-key-file or --default-customer-key, not both")

    def ask() -> bytes:
        if default:
            return FACTORY_CUSTOMER_KEY
        if file:
            return parse_customer_key(read_text_file(file))
        if not sys.stdin.isatty():
            raise CustomerKeyNeededError()
        typed = str(click.prompt(f"Molto2 {what} (Enter for the factory key TOKEN2MOLTO1-KEY)", default="",
                                 show_default=False, hide_input=True, err=True))
        if not typed:
            click.echo("Using the factory customer key TOKEN2MOLTO1-KEY.", err=True)
            return FACTORY_CUSTOMER_KEY
        return parse_customer_key(typed)

    return ask


def credentials(*, key_file: str | None = None, password_file: str | None = None,
                customer_key_file: str | None = None, default_customer_key: bool = False,
                last_attempt: bool = False, customer_key_is: str = "customer key") -> Credentials:
    """What the user gave on the command line for each family; each is asked for only when its token needs it
    (`customer_key_is` names the Molto2 key in its prompt, e.g. "current customer key" before a change)."""
    return Credentials(
        token2=Token2Credentials(load_key(key_file)),
        oath=OathCredentials(oath_password(password_file)),
        molto2=Molto2Credentials(customer_key(customer_key_file, default_customer_key, customer_key_is), last_attempt))


def utc(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(seconds))


def offset_text(info: TokenInfo) -> str:
    """The token clock's offset from the PC, in whole seconds, never "-0 s"."""
    offset = round(info.clock_offset or 0.0)
    return "0 s" if offset == 0 else f"{offset:+d} s"


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
    given = credentials(password_file=password_file)
    with token_session(reader_spec, holder="oath", tracer=tracer(trace), credentials=given) as on_reader:
        session = on_reader.session
        if not isinstance(session, YkoathSession):
            raise InputError(f"the {session.info.model} holds a single seed; {otherwise}")
        session.unlock()
        yield on_reader, session


@contextmanager
def molto2_token(reader_spec: str | None, trace: bool, holder: str,
                 given: Credentials | None = None) -> Iterator[tuple[TokenOnReader, Molto2Session]]:
    """A Molto2 session (the one connected Molto2 when no reader is named); other tokens are refused."""
    reader_spec = reader_spec or the_molto2_reader()
    with token_session(reader_spec, holder=holder, tracer=tracer(trace), credentials=given) as on_reader:
        session = on_reader.session
        if not isinstance(session, Molto2Session):
            raise InputError(f"the {session.info.model} on {on_reader.reader.name} has no profiles; this command is "
                             "for a Token2 Molto2")
        yield on_reader, session


def the_molto2_reader() -> str | None:
    """Without --reader: the one connected Molto2, even beside NFC readers (a Molto2 is a reader of its own)."""
    try:
        found = [r.name for r in list_pcsc_readers() if r.card_present and is_molto2_reader(r.name)]
    except OtpburnError:
        return None  # token_session says what is wrong with PC/SC
    return found[0] if len(found) == 1 else None


def parse_profile(text: str | None, *, next_free_allowed: bool = True) -> int | str | None:
    """--profile N (or next-free, where a free profile is wanted), checked against the numbers any Molto2 has."""
    if text is None or (text == NEXT_FREE and next_free_allowed):
        return text
    profile = ascii_number(text, 9)
    if profile is None or not 0 <= profile < PROFILES:
        wanted = f"a number from 0 to {PROFILES - 1}" + (f" or '{NEXT_FREE}'" if next_free_allowed else
                                                         " (see 'otpburn profiles')")
        raise InputError(f"--profile wants {wanted}, not {text!r}")
    return profile


def resolve_profile(session: Molto2Session, spec: int | str | None) -> int:
    """The profile number a burn writes: the one given, or the next free one; this device's own range."""
    if spec is None:
        raise ProfileNeededError()
    if spec == NEXT_FREE:
        return next_free(session.profiles())
    assert isinstance(spec, int)  # noqa: S101 (parse_profile gave a number or next-free)
    if spec >= session.profile_count:
        session.profiles()  # a Molto2 v1 has 50: learn how many before refusing
        if spec >= session.profile_count:
            raise InputError(f"this Molto2 has profiles 0 to {session.profile_count - 1}")
    return spec


def confirm(question: str, yes: bool) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        raise InputError("add --yes to go ahead without a terminal to confirm on")
    click.confirm(question, default=False, abort=True, err=True)
