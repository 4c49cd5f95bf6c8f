import pytest

from otpburn.transport import Apdu, CardRemovedError, Channel
from otpburn.transport.apdu import Response, redact


class ScriptedConnection:
    """A connection answering from a script; records what was sent."""

    reader = "scripted"
    atr = b"\x3b\x00"

    def __init__(self, answers):
        self.answers = list(answers)
        self.sent = []

    def transmit(self, command: bytes) -> bytes:
        self.sent.append(command.hex().upper())
        return self.answers.pop(0)

    def disconnect(self):
        pass


def test_apdu_encoding_cases():
    assert Apdu(0x00, 0xA4, 0x04, 0x00, b"\xa0\x00").to_bytes().hex() == "00a4040002a000"
    assert Apdu(0x00, 0xC0, le=0x10).to_bytes().hex() == "00c0000010"
    assert Apdu(0x80, 0x41).to_bytes().hex() == "80410000"
    with pytest.raises(ValueError):
        Apdu(0x100, 0)
    with pytest.raises(ValueError):
        Apdu(0, 0, data=bytes(256))


def test_61xx_is_followed_with_get_response():
    connection = ScriptedConnection([b"\x01\x02\x61\x03", b"\x03\x04\x05\x90\x00"])
    response = Channel(connection).send(Apdu(0x80, 0x10))
    assert response == Response(b"\x01\x02\x03\x04\x05", 0x9000)
    assert connection.sent == ["80100000", "00C0000003"]


def test_6cxx_reissues_with_le():
    connection = ScriptedConnection([b"\x6c\x08", b"\x11" * 8 + b"\x90\x00"])
    channel = Channel(connection)
    response = channel.send(Apdu(0x00, 0xCA, 0x01, 0x00, le=0))
    assert response.data == b"\x11" * 8 and channel.exchanges == 2
    assert connection.sent[1] == "00CA010008"


def test_custom_continuation_command():
    connection = ScriptedConnection([b"\xaa\x61\x01", b"\xbb\x90\x00"])
    send_remaining = lambda length: Apdu(0x00, 0xA5)  # noqa: E731
    assert Channel(connection).send(Apdu(0, 0xA1), send_remaining).data == b"\xaa\xbb"
    assert connection.sent[1] == "00A50000"


def test_answer_without_status_means_the_card_left():
    with pytest.raises(CardRemovedError):
        Channel(ScriptedConnection([b""])).send(Apdu(0x80, 0x41))


def test_trace_redacts_spans_and_secret_answers():
    lines = []
    channel = Channel(ScriptedConnection([b"\x12\x34\x90\x00"]), tracer=lambda a, r, t: lines.append((a, r)))
    apdu = Apdu(0x80, 0x10, data=b"\x01\x02\x03\x04", secret_spans=((1, 3),), secret_response=True)
    channel.send(apdu)
    assert apdu.redacted_hex() == "80 10 00 00 04 01 <redacted 2 bytes> 04"
    assert redact(b"\x01\x02", ()) == "01 02"


def test_stream_tracer_output():
    import io

    from otpburn.transport.trace import stream_tracer

    out = io.StringIO()
    trace = stream_tracer(out)
    trace(Apdu(0x80, 0x10, data=b"\x01", secret_response=True, name="X"), Response(b"\xff\xee", 0x9000), 0.001)
    trace(Apdu(0x80, 0x11), None, 0.0)
    text = out.getvalue()
    assert ">> [X] 80 10 00 00 01 01" in text and "<< <redacted 2 bytes> 9000" in text
    assert "link was lost" in text
