"""The emulated token, driven by the driver through the in-process virtual reader."""

import time

import pytest

from otpburn.emulator.faults import Fault, FaultPlan, parse_fault
from otpburn.emulator.token2 import Token2Emulator, Token2Memory
from otpburn.errors import InputError
from otpburn.otp import Algorithm, totp
from otpburn.tokens import token2
from otpburn.tokens.detect import UnknownTokenError, open_session
from otpburn.transport import CardRemovedError, Channel, VirtualReader
from otpburn.transport.status import StatusWordError


def session_for(card):
    reader = VirtualReader(card)
    return reader, open_session(Channel(reader.connect()))


def test_full_burn_sequence_and_display():
    card = Token2Emulator(Token2Memory(serial="8659632000001"))
    _, session = session_for(card)
    assert session.info.model == "C302-i"
    session.authenticate()
    now = int(time.time())
    session.set_config(60, now, Algorithm.SHA256, 60)
    session.set_seed(b"12345678901234567890123456789012")
    at = time.time()
    assert card.display_code(at) == totp(b"12345678901234567890123456789012", card.clock(at), 6, 60, Algorithm.SHA256)
    assert card.memory.display_timeout == 0x02


def test_known_answer_apdus_are_accepted_by_the_emulator():
    card = Token2Emulator()
    card.power_on()
    challenge = card.process(bytes.fromhex("804B08000100"))[:8]
    assert card.process(token2.external_auth_apdu(challenge).to_bytes()) == b"\x90\x00"
    assert card.process(bytes.fromhex("84D400001781111F01010F046553F10086060A01010D011E4FFDC288")) == b"\x90\x00"
    seed_apdu = "84C50100245E5856092FD3228D4D33EEE3DAAC4B55CE37D18D332B7AC6A40E8661FA23042AF47B0153"
    assert card.process(bytes.fromhex(seed_apdu)) == b"\x90\x00"
    assert card.memory.seed == b"12345678901234567890".hex()
    assert card.display_code(59 - card.memory.clock_offset) is not None


def test_unpadded_aligned_seed_is_rejected():
    card = Token2Emulator()
    card.power_on()
    challenge = card.process(bytes.fromhex("804B08000100"))[:8]
    card.process(token2.external_auth_apdu(challenge).to_bytes())
    assert card.process(bytes.fromhex("84C501001418503D57AC31735AFA60EBA20F64D6F74557CAD7")) == b"\x6a\x80"


def test_wrong_mac_and_missing_auth():
    card = Token2Emulator()
    card.power_on()
    config = bytearray(bytes.fromhex("84D400001781111F01010F046553F10086060A01010D011E4FFDC288"))
    assert card.process(bytes(config)) == b"\x69\x82"  # not authenticated
    challenge = card.process(bytes.fromhex("804B08000100"))[:8]
    card.process(token2.external_auth_apdu(challenge).to_bytes())
    config[-1] ^= 1
    assert card.process(bytes(config)) == b"\x69\x83"


def test_challenge_is_single_use_and_lockout():
    card = Token2Emulator(Token2Memory(key="00" * 16, lockout_after=2))
    _, session = session_for(card)
    with pytest.raises(token2.AuthenticationRefusedError):
        session.authenticate()
    with pytest.raises(Exception, match="does not retry"):
        session.authenticate()
    assert card.memory.auth_attempts == 1
    # A second presentation, a second failure: the old firmware locks for good.
    _, session = session_for(card)
    with pytest.raises(token2.AuthenticationRefusedError):
        session.authenticate()
    assert card.memory.locked
    card.memory.key = token2.TRANSPORT_KEY.hex().upper()
    _, session = session_for(card)
    with pytest.raises(token2.AuthenticationRefusedError):
        session.authenticate()


def test_config_erases_seed_on_restricted_models_only():
    for serial, keeps in (("8659622000001", False), ("8659632000001", True)):
        card = Token2Emulator(Token2Memory(serial=serial, seed="11" * 20))
        _, session = session_for(card)
        session.authenticate()
        session.set_config(30, int(time.time()), Algorithm.SHA1, 30)
        assert (card.memory.seed is not None) is keeps


def test_clock_offset_and_drift():
    card = Token2Emulator(Token2Memory(clock_offset=-30.0, drift_ppm=1000.0, clock_set_at=1000.0))
    assert card.clock(2000.0) == pytest.approx(2000 - 30 + 1.0)


def test_faults_drop_and_status():
    card = Token2Emulator(faults=FaultPlan([Fault("status", 0x41, sw=0x6F00), Fault("drop-after", 0x4B)]))
    reader = VirtualReader(card)
    channel = Channel(reader.connect())
    with pytest.raises(UnknownTokenError):
        open_session(channel)
    session = open_session(channel)
    with pytest.raises(CardRemovedError):
        session.authenticate()
    assert reader.card is None and reader.wait_for_card("x", 0.05) is False


def test_state_file_persists_and_is_private(tmp_path):
    path = tmp_path / "token.json"
    card = Token2Emulator(Token2Memory(serial="8659600000009"), state_path=path)
    _, session = session_for(card)
    session.authenticate()
    session.set_config(30, int(time.time()), Algorithm.SHA1, 30)
    session.set_seed(b"A" * 20)
    assert path.stat().st_mode & 0o777 == 0o600
    again = Token2Emulator(state_path=path)
    assert again.memory.seed == (b"A" * 20).hex() and again.memory.serial == "8659600000009"


@pytest.mark.parametrize(
    "text,expected",
    [("drop-before:C5", Fault("drop-before", 0xC5)), ("status:CE:6983", Fault("status", 0xCE, sw=0x6983)),
     ("delay:41:0.25x*", Fault("delay", 0x41, delay=0.25, times=None)),
     ("drop-after:d4x2", Fault("drop-after", 0xD4, times=2)),
     ("drop-after:41@1", Fault("drop-after", 0x41, skip=1))],
)
def test_parse_fault(text, expected):
    assert parse_fault(text) == expected


@pytest.mark.parametrize("text", ["drop:C5", "status:CE", "status:CE:69", "delay:41:abc", "drop-after:ZZ"])
def test_bad_fault_specs(text):
    with pytest.raises(InputError):
        parse_fault(text)


def test_unknown_commands_get_iso_status_words():
    card = Token2Emulator()
    assert card.process(bytes.fromhex("80FF0000")) == b"\x6d\x00"
    assert card.process(bytes.fromhex("A0A40000")) == b"\x6e\x00"
    assert card.process(bytes.fromhex("00A4040007A0000005272101")) == b"\x6a\x82"
    assert card.process(bytes.fromhex("00A4040006B00000000023")) == b"\x90\x00"
    assert card.process(b"\x80") == b"\x67\x00"
    assert card.process(bytes.fromhex("8041000005021100")) == b"\x67\x00"


def test_status_word_error_names_the_command():
    card = Token2Emulator(faults=FaultPlan([Fault("status", 0xC5, sw=0x6A80)]))
    _, session = session_for(card)
    session.authenticate()
    with pytest.raises(StatusWordError, match="SET SEED failed: the token answered 6A80"):
        session.set_seed(b"B" * 20)


@pytest.mark.parametrize(("args", "message"), [
    (("--clock-offset", "inf"), "cannot hold that clock offset"),
    (("--clock-offset", "1e12"), "cannot hold that clock offset"),
    (("--drift-ppm", "nan"), "cannot hold that drift ppm"),
    (("--serial", "1" * 21), "cannot hold that serial"),
    (("--vpcd", "localhost:²"), "--vpcd wants HOST:PORT"),  # digits int() refuses
])
def test_emulate_names_an_option_the_token_cannot_hold(cli, args, message):
    result = cli("emulate", "token2", *args)
    assert result.returncode == 2 and message in result.stderr.decode() and "internal" not in result.stderr.decode()


@pytest.mark.parametrize(("card", "memory", "message"), [
    ("token2", '{"key": "zz"}', "its 'key' field is wrong"),
    ("molto2", '{"profiles": [{"digits": 7}]}', "its 'digits' field is wrong"),
    ("molto2", "{bad", "(JSONDecodeError)"),
    ("token2", '{"nope": 1}', "(TypeError)"),
    ("ykoath", "{bad", "(JSONDecodeError)"),
    ("ykoath", '{"version": [5, 4, 3], "salt": "zz", "access_key": null, "credentials": {}, "capacity": 32}',
     "(ValueError)"),
    ("ykoath", '{"version": [5, 4, 3]}', "(KeyError)"),
])
def test_emulate_names_a_state_file_that_is_no_card_memory(cli, tmp_path, card, memory, message):
    state = tmp_path / "state.json"
    state.write_text(memory)
    result = cli("emulate", card, "--state", str(state))
    assert result.returncode == 2 and "is not an emulated card's memory" in result.stderr.decode()
    assert message in result.stderr.decode() and state.read_text() == memory
