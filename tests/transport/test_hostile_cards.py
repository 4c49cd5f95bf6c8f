"""Cards that answer badly on purpose: one line, never a hang or an internal error."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from otpburn.errors import OperationError
from otpburn.tokens.detect import UnknownTokenError, open_session
from otpburn.tokens.tlv import parse_tlvs
from otpburn.tokens.ykoath import TAG_RESPONSE, TAG_TRUNCATED, code_from_response
from otpburn.transport import Channel, VirtualReader
from otpburn.transport.apdu import Apdu


class ScriptedCard:
    atr = b"\x3b\x00"

    def __init__(self, answer) -> None:
        self.answer = answer
        self.commands = 0

    def power_on(self) -> None: ...

    def power_off(self) -> None: ...

    def process(self, command: bytes) -> bytes:
        self.commands += 1
        return self.answer(command)


def channel_to(card: ScriptedCard) -> Channel:
    return Channel(VirtualReader(card).connect())


def test_a_card_that_always_says_more_is_abandoned():
    card = ScriptedCard(lambda command: b"\x00" * 250 + b"\x61\xff")
    with pytest.raises(OperationError, match="kept announcing more data"):
        channel_to(card).send(Apdu(0x00, 0xA4, 0x04, 0x00, b"\xa0\x00"))
    assert card.commands <= 300


@given(st.binary(max_size=40))
@settings(max_examples=300, deadline=None)
def test_tlv_parsing_of_any_bytes_gives_items_or_one_error(data):
    try:
        items = parse_tlvs(data)
    except OperationError:
        return
    assert sum(2 + len(value) for _, value in items) <= len(data)


@pytest.mark.parametrize("tag,value", [(TAG_TRUNCATED, b""), (TAG_TRUNCATED, b"\x06\x01"), (TAG_TRUNCATED, b"\x00" * 5),
                                       (TAG_TRUNCATED, b"\xff\x01\x02\x03\x04"), (TAG_RESPONSE, b"\x06"),
                                       (TAG_RESPONSE, b"\x08" + b"\x00" * 5)])
def test_malformed_code_answers_are_refused(tag, value):
    with pytest.raises(OperationError, match="malformed"):
        code_from_response(tag, value)


@given(st.binary(max_size=64))
@settings(max_examples=200, deadline=None)
def test_identification_of_any_answer_is_a_session_or_unknown_card(answer):
    card = ScriptedCard(lambda command: answer + b"\x90\x00")
    try:
        open_session(channel_to(card))
    except (UnknownTokenError, OperationError):
        pass
