"""The Token2 encoders against the known-answer vectors of the protocol notes (§1.12)."""

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from otpburn.errors import InputError
from otpburn.otp import Algorithm, decode_base32
from otpburn.tokens import token2


def test_sm4_known_answer():
    key = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()
    assert (encryptor.update(key) + encryptor.finalize()).hex().upper() == "681EDF34D206965E86B3E94F536E4246"


def hexof(apdu) -> str:
    return apdu.to_bytes().hex().upper()


def test_fixed_commands():
    assert hexof(token2.get_info_apdu()) == "804100000202" + "11"
    assert hexof(token2.get_challenge_apdu()) == "804B08000100"


@pytest.mark.parametrize(
    "challenge,expected",
    [
        ("1122334455667788", "80CE0000108B7450F22721BC29985C2C460B65045D"),
        ("0102030405060708", "80CE000010C1CD2CF40D508CEDC1274FF1AE4C19F1"),
    ],
)
def test_external_authenticate(challenge, expected):
    assert hexof(token2.external_auth_apdu(bytes.fromhex(challenge))) == expected


@pytest.mark.parametrize(
    "seed,expected",
    [
        (bytes(range(1, 21)), "84C50100246EEAD21474BBF3A0A2B4C18F489E543CF48725A71EE9C3A65963E88BE9405E3D5F6EA0C1"),
        (bytes(range(0x10, 0x30)),
         "84C5010034B830899CFE9DE292CD26D3C7439215CE18503D57AC31735AFA60EBA20F64D6F7D219EFC9972FED9191DF027FD36A80B08"
         "80D59FA"),
        (b"12345678901234567890", "84C50100245E5856092FD3228D4D33EEE3DAAC4B55CE37D18D332B7AC6A40E8661FA23042AF47B0153"),
        (bytes(range(0x20, 0x30)),
         "84C501002418503D57AC31735AFA60EBA20F64D6F7D219EFC9972FED9191DF027FD36A80B046DBF0C2"),
    ],
)
def test_set_seed(seed, expected):
    assert hexof(token2.set_seed_apdu(seed, pad_short=False)) == expected


def test_short_seed_is_zero_padded_to_20():
    seed = decode_base32("JBSWY3DPEHPK3PXP")
    assert hexof(token2.set_seed_apdu(seed)) == (
        "84C50100243162105FC9B67095C804B1D4FE05EFCF8BEA5767D1DF80AE794C819D4F7C843CD7C9E128"
    )
    assert hexof(token2.set_seed_apdu(seed, pad_short=False)) == "84C5010014E37E185346F9F5572F823CDF83FA4F9FBBE381DA"


@pytest.mark.parametrize(
    "timeout,clock,algorithm,period,expected",
    [
        (60, 0x65432100, Algorithm.SHA256, 60, "84D400001781111F01020F046543210086060A01020D013C37A18BF9"),
        (30, 1700000000, Algorithm.SHA1, 30, "84D400001781111F01010F046553F10086060A01010D011E4FFDC288"),
    ],
)
def test_set_config(timeout, clock, algorithm, period, expected):
    assert hexof(token2.set_config_apdu(timeout, clock, algorithm, period)) == expected


def test_padding_block_vector():
    encryptor = Cipher(algorithms.SM4(token2.TRANSPORT_KEY), modes.ECB()).encryptor()
    block = encryptor.update(b"\x80" + b"\x00" * 15) + encryptor.finalize()
    assert block.hex().upper() == "D219EFC9972FED9191DF027FD36A80B0"


def test_seed_length_limits():
    assert len(token2.set_seed_apdu(b"\x01" * 63).data) == 64 + 4
    with pytest.raises(InputError):
        token2.set_seed_apdu(b"\x01" * 64)
    with pytest.raises(InputError):
        token2.set_seed_apdu(b"")


def test_unsupported_settings_are_refused_before_encoding():
    with pytest.raises(InputError):
        token2.set_config_apdu(30, 0, Algorithm.SHA512, 30)
    with pytest.raises(InputError):
        token2.set_config_apdu(30, 0, Algorithm.SHA1, 45)
    with pytest.raises(InputError):
        token2.set_config_apdu(45, 0, Algorithm.SHA1, 30)


def test_trace_redacts_secret_parts():
    seed_apdu = token2.set_seed_apdu(b"12345678901234567890")
    assert seed_apdu.redacted_hex() == "84 C5 01 00 24 <redacted 36 bytes>"
    config = token2.set_config_apdu(30, 1700000000, Algorithm.SHA1, 30)
    # a secure-messaging command (CLA 84) is hidden whole: its MAC over a known body would check key guesses
    assert config.redacted_hex() == f"84 D4 00 00 {len(config.data):02X} <redacted {len(config.data)} bytes>"
    auth = token2.external_auth_apdu(bytes(8))
    assert auth.redacted_hex() == "80 CE 00 00 10 <redacted 16 bytes>"


@pytest.mark.parametrize(
    "serial,model,keeps",
    [("86596220001234", "OTPC-P2-i", False), ("8659632000001", "C302-i", True), ("8659612123", "OTPC-P1-i", True),
     ("8659609000", "miniOTP-3-i-NB", False)],
)
def test_models_from_serial(serial, model, keeps):
    found = token2.model_for_serial(serial)
    assert found.name == model and found.time_write_keeps_seed is keeps


def test_unknown_prefix_is_not_writable():
    assert token2.model_for_serial("1234567890") is None
    assert token2.capabilities(None).writable is False


def test_parse_info():
    data = bytes.fromhex("9515020D") + b"8659622000123" + bytes.fromhex("11046553F100")
    assert token2.parse_info(data) == ("8659622000123", 1700000000)
