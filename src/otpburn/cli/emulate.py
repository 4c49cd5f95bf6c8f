"""`otpburn emulate`: an emulated token on the real PC/SC stack, for trying and testing."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import click

from otpburn.cli.common import AnyCaseChoice, read_text_file
from otpburn.cli.tokens import load_key
from otpburn.emulator.faults import FaultPlan, parse_fault
from otpburn.emulator.memory import UNREADABLE_MEMORY, MemoryFieldError
from otpburn.emulator.molto2 import Molto2Emulator, Molto2Memory, derived_key
from otpburn.emulator.stack import PcscdStack
from otpburn.emulator.token2 import MODEL_PREFIXES, VENDOR_KEY, Token2Emulator, Token2Memory
from otpburn.emulator.vpcd import VpcdBridge
from otpburn.emulator.ykoath import OathState, YkoathEmulator
from otpburn.errors import InputError
from otpburn.tokens.molto2 import parse_customer_key
from otpburn.untrusted import ascii_digits, ascii_number


def _parse_hostport(text: str) -> tuple[str, int]:
    host, _, port_text = text.rpartition(":")
    port = ascii_number(port_text, 5)
    if not host or port is None or not 0 < port < 65536:
        raise InputError(f"--vpcd wants HOST:PORT, not {text!r}")
    return host, port


@contextlib.contextmanager
def _options_held(card: str) -> Iterator[None]:
    """An option value the emulated card cannot hold (a clock offset past its 32-bit clock, say) is named."""
    try:
        yield
    except MemoryFieldError as exc:
        raise InputError(f"the emulated {card} cannot hold that {exc.field.replace('_', ' ')}") from None


@contextlib.contextmanager
def _state_file_read(path: str | None) -> Iterator[None]:
    """A state file that is not an emulated card's memory (edited by hand, or another file) is named."""
    try:
        yield
    except MemoryFieldError as exc:
        raise InputError(f"{path} is not an emulated card's memory: its {exc.field!r} field is wrong") from None
    except UNREADABLE_MEMORY as exc:
        raise InputError(f"{path} is not an emulated card's memory ({type(exc).__name__})") from None


@click.group()
def emulate() -> None:
    """Run an emulated token (test tool: its state file holds the seed in clear)."""


Command = TypeVar("Command", bound=Callable[..., Any])
EmulatedCard = Token2Emulator | YkoathEmulator | Molto2Emulator


def bridge_options(function: Command) -> Command:
    """Options shared by every emulated token: where vpcd is, pcscd, faults, display."""
    for decorator in reversed([
        click.option("--vpcd", "vpcd_address", default="127.0.0.1:35963", show_default=True, metavar="HOST:PORT",
                     help="Where vsmartcard's vpcd listens."),
        click.option("--with-pcscd", is_flag=True,
                     help="Start a private pcscd with a vpcd reader, isolated in its own network namespace "
                          "(root, Linux)."),
        click.option("--state", "state_file", type=click.Path(dir_okay=False),
                     help="Keep the token's memory in this file (it holds secrets in clear: a test tool)."),
        click.option("--fault", "faults", multiple=True, metavar="SPEC",
                     help="Inject a fault: drop-before:INS, drop-after:INS, status:INS:SW, delay:INS:SECONDS "
                          "(xN or x*)."),
        click.option("--reinsert-after", type=float, metavar="SECONDS", default=1.0, show_default=True,
                     help="Seconds the token stays off the reader after a dropped link."),
        click.option("--show", is_flag=True, help="Print the token's state after every change."),
    ]):
        function = decorator(function)
    return function


MOLTO2_READER_NAME = "TOKEN2 Molto2 (emulated)"


def run_bridge(card: EmulatedCard, vpcd_address: str, with_pcscd: bool, reinsert_after: float, show: bool,
               reader_name: str = "Virtual PCD") -> None:
    """Serve `card` to vpcd until interrupted."""
    host, port = _parse_hostport(vpcd_address)

    def event(text: str) -> None:
        click.echo(f"{time.strftime('%H:%M:%S')} {text}")

    if show:
        card.on_change = lambda what: event(f"{what} written; {card.describe()}")
    stack = None
    if with_pcscd:
        stack = PcscdStack(port, reader_name=reader_name).start()
    bridge = VpcdBridge(card, host, port, netns=stack.netns if stack else None, reinsert_after=reinsert_after,
                        on_event=event)
    event(f"emulating {card.describe()}")
    bridge.start()
    try:
        bridge.wait()
    except KeyboardInterrupt:
        pass
    finally:
        bridge.stop()
        if stack:
            stack.stop()


@emulate.command("token2")
@bridge_options
@click.option("--serial", default=None, help="Serial number (its prefix sets the model) [default: 8659622000001].")
@click.option("--model", type=AnyCaseChoice(sorted(MODEL_PREFIXES)),
              help="Emulate this model (a serial number with its prefix is made up).")
@click.option("--clock-offset", type=float, metavar="SECONDS", default=0.0,
              help="Token clock minus real time, in seconds.")
@click.option("--drift-ppm", type=float, metavar="PPM", default=0.0, help="Clock drift in parts per million.")
@click.option("--key-file", type=click.Path(dir_okay=False, exists=True),
              help="Transport key in hex, read from this file (default: the vendor's published key).")
@click.option("--lockout-after", type=click.IntRange(1), metavar="N",
              help="Lock for good after N failed authentications.")
def token2_cmd(vpcd_address: str, with_pcscd: bool, state_file: str | None, faults: tuple[str, ...],
               reinsert_after: float, show: bool, serial: str | None, model: str | None, clock_offset: float,
               drift_ppm: float, key_file: str | None, lockout_after: int | None) -> None:
    """Emulate a Token2-family single-profile TOTP token on reader 'Virtual PCD 00 00'."""

    if serial and model:
        raise InputError("give --serial or --model, not both")
    if model:
        prefix = next(p for name, p in MODEL_PREFIXES.items() if name.lower() == model.lower())
        serial = prefix + "000001"
    serial = serial or "8659622000001"
    if not ascii_digits(serial):
        raise InputError("the serial number must be digits")
    plan = FaultPlan([parse_fault(spec) for spec in faults])
    memory = None
    if not state_file or not os.path.exists(state_file):
        key_hex = VENDOR_KEY
        if key_file:
            key_hex = load_key(key_file).hex().upper()  # the same 32-hex-digit file the driver side reads
        with _options_held("token"):
            memory = Token2Memory(serial=serial, key=key_hex, clock_offset=clock_offset,
                                  clock_set_at=time.time(), drift_ppm=drift_ppm, lockout_after=lockout_after)
    with _state_file_read(state_file):
        card = Token2Emulator(memory, state_path=state_file, faults=plan)
    run_bridge(card, vpcd_address, with_pcscd, reinsert_after, show)


@emulate.command("ykoath")
@bridge_options
@click.option("--password-file", type=click.Path(dir_okay=False, exists=True),
              help="Protect the applet with the password in this file.")
@click.option("--capacity", type=click.IntRange(1, 255), metavar="N", default=32, show_default=True,
              help="How many credentials the applet holds.")
def ykoath_cmd(vpcd_address: str, with_pcscd: bool, state_file: str | None, faults: tuple[str, ...],
               reinsert_after: float, show: bool, password_file: str | None, capacity: int) -> None:
    """Emulate a YKOATH (YubiKey OATH) applet on reader 'Virtual PCD 00 00'."""

    plan = FaultPlan([parse_fault(spec) for spec in faults])
    state = None if state_file and os.path.exists(state_file) else OathState(capacity=capacity)
    with _state_file_read(state_file):
        card = YkoathEmulator(state, plan, state_path=state_file)
    if password_file:
        card.set_password(read_text_file(password_file).rstrip("\r\n"))
    run_bridge(card, vpcd_address, with_pcscd, reinsert_after, show)


@emulate.command("molto2")
@bridge_options
@click.option("--serial", default="826658710000001", show_default=True, help="Serial number.")
@click.option("--profiles", "profile_count", type=click.Choice(["50", "100"]), default="100", show_default=True,
              help="Profiles the device holds (50: the first Molto2; 100: Molto2v2).")
@click.option("--customer-key-file", type=click.Path(dir_okay=False, exists=True),
              help="Start with this customer key (its text, or 32 hex digits) instead of TOKEN2MOLTO1-KEY.")
@click.option("--attempts", type=click.IntRange(1, 15), metavar="N", default=10, show_default=True,
              help="Wrong customer keys the device takes before it locks.")
@click.option("--press-after", type=click.FloatRange(0), metavar="SECONDS",
              help="Press the ▲ button this long after a key change or reset asks for it (otherwise press Enter "
                   "here).")
def molto2_cmd(vpcd_address: str, with_pcscd: bool, state_file: str | None, faults: tuple[str, ...],
               reinsert_after: float, show: bool, serial: str, profile_count: str, customer_key_file: str | None,
               attempts: int, press_after: float | None) -> None:
    """Emulate a Token2 Molto2 (multi-profile TOTP token) on a reader named like the real one's.

    The vpcd reader must carry the product word: run pcscd with --with-pcscd (the reader is
    then called 'TOKEN2 Molto2 (emulated)'), or name it so in your reader.conf.
    """
    plan = FaultPlan([parse_fault(spec) for spec in faults])
    memory = None
    if not state_file or not os.path.exists(state_file):
        with _options_held("Molto2"):
            memory = Molto2Memory(serial=serial, profile_count=int(profile_count), max_attempts=attempts,
                                  attempts_left=attempts)
        if customer_key_file:
            memory.key = derived_key(parse_customer_key(read_text_file(customer_key_file)))
    with _state_file_read(state_file):
        card = Molto2Emulator(memory, state_path=state_file, faults=plan)

    def on_change(event: str) -> None:
        if show:
            click.echo(f"{time.strftime('%H:%M:%S')} {event}; {card.describe()}")
        if card.memory.pending and press_after is not None:
            threading.Timer(press_after, card.press_button).start()
        elif card.memory.pending:
            click.echo("The token waits for its ▲ button: press Enter here to press it.")

    card.on_change = on_change
    if sys.stdin.isatty():
        def buttons() -> None:
            for _ in sys.stdin:
                done = card.press_button()
                click.echo(f"▲ pressed: {done or 'nothing was waiting for it'}")

        threading.Thread(target=buttons, daemon=True).start()
    run_bridge(card, vpcd_address, with_pcscd, reinsert_after, show=False, reader_name=MOLTO2_READER_NAME)
