"""The real PC/SC stack for integration tests: pcscd + vsmartcard vpcd + emulated token.

pcscd runs in its own network namespace (loopback only) for the whole session; each
test gets a fresh emulated token connected through a VpcdBridge.
"""

import os
import time

import pytest

from otpburn.emulator.faults import FaultPlan
from otpburn.emulator.stack import READER_NAME, PcscdStack, StackError
from otpburn.emulator.token2 import Token2Emulator, Token2Memory
from otpburn.emulator.vpcd import VpcdBridge
from tests.conftest import skip_unless_required
from tests.support.otp_reference import reference_totp, wait_for_step_start  # noqa: F401 (used by the tests here)

# The Molto2 is a reader of its own, named after the product; 35964 is vpcd's second slot of the first reader.
MOLTO2_READER_FRIENDLY, MOLTO2_PORT = "TOKEN2 Molto2 (emulated)", 35965
MOLTO2_READER = f"{MOLTO2_READER_FRIENDLY} 00 00"


@pytest.fixture(scope="session")
def pcscd_stack():
    if os.geteuid() != 0:
        skip_unless_required("the PC/SC integration tests need root (pcscd runs in its own network namespace)")
    try:
        stack = PcscdStack(more_readers=((MOLTO2_READER_FRIENDLY, MOLTO2_PORT),)).start()
    except StackError as exc:
        pytest.fail(f"cannot start the PC/SC test stack: {exc}")
    yield stack
    stack.stop()


def _card_state(present: bool, timeout: float = 5.0, reader: str = READER_NAME) -> bool:
    from otpburn.transport.pcsc import PcscBackend

    with PcscBackend() as backend:
        if present:
            return backend.wait_for_card(reader, timeout)
        return backend.wait_for_removal(reader, timeout)


class PlacedToken:
    """An emulated token on a vpcd reader (the NFC reader's stand-in, or the Molto2's own)."""

    def __init__(self, stack, card, reinsert_after: float, port: int | None = None, reader: str = READER_NAME):
        self.card, self.reader = card, reader
        self.bridge = VpcdBridge(card, port=port or stack.port, netns=stack.netns, reinsert_after=reinsert_after)

    def place(self):
        self.bridge.start()
        assert _card_state(True, reader=self.reader), "the emulated token did not appear on the reader"
        return self

    def lift(self):
        self.bridge.stop()
        _card_state(False, reader=self.reader)
        # pcscd polls every 400 ms: a token presented again sooner is not seen as a new one.
        time.sleep(0.5)


@pytest.fixture
def place_card(pcscd_stack):
    """Put any emulated card on the vpcd reader; lifted again after the test."""
    placed = []

    def place(card, reinsert_after=0.6):
        token = PlacedToken(pcscd_stack, card, reinsert_after).place()
        placed.append(token)
        return token

    yield place
    for token in placed:
        token.lift()


@pytest.fixture
def place_token(place_card):
    def place(serial="8659622000001", reinsert_after=0.6, faults=None, **memory):
        card = Token2Emulator(Token2Memory(serial=serial, **memory), faults=FaultPlan(faults or []))
        return place_card(card, reinsert_after)

    return place


@pytest.fixture
def place_molto2(pcscd_stack):
    """An emulated Molto2 on its own reader (named like the real one's); lifted after the test."""
    from otpburn.emulator.molto2 import Molto2Emulator, Molto2Memory

    placed = []

    def place(card=None, faults=None, **memory):
        card = card or Molto2Emulator(Molto2Memory(**memory), faults=FaultPlan(faults or []))
        token = PlacedToken(pcscd_stack, card, 0.6, port=MOLTO2_PORT, reader=MOLTO2_READER).place()
        placed.append(token)
        return token

    yield place
    for token in placed:
        token.lift()
