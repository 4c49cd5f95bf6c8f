"""Molto2 encoders against the known answers of protocols.md §1.12/§1.13, and the rules that differ
from the single-profile family (key derivation, padding only when unaligned, digits tag, titles)."""

import hashlib

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from otpburn.errors import InputError, OperationError
from otpburn.otp.params import Algorithm
from otpburn.tokens import molto2, token2

SINGLE_PROFILE_KEY = bytes.fromhex("8AD206883CA369482AB27182B6E83224")


def test_factory_key_derivation_matches_the_published_vector():
    assert molto2.sm4_key(b"TOKEN2MOLTO1-KEY") == bytes.fromhex("099250fdb017f442da429ecbbee17f79")
    assert molto2.sm4_key(molto2.FACTORY_CUSTOMER_KEY) == hashlib.sha1(b"TOKEN2MOLTO1-KEY").digest()[:16]  # noqa: S324


@pytest.mark.parametrize(("text", "key"), [
    ("TOKEN2MOLTO1-KEY", b"TOKEN2MOLTO1-KEY"),
    ("544F4B454E324D4F4C544F312D4B4559", b"TOKEN2MOLTO1-KEY"),  # the vendor tool's hex form
    ("544f4b454e324d4f4c544f312d4b4559\n", b"TOKEN2MOLTO1-KEY"),
    ("ascii:0123456789abcdef0123456789abcdef", b"0123456789abcdef0123456789abcdef"),
    ("hex:00 11 22", b"\x00\x11\x22"),
    ("clé", "clé".encode()),
])
def test_customer_keys_as_people_write_them(text, key):
    assert molto2.parse_customer_key(text) == key


@pytest.mark.parametrize("text", ["", "\n", "hex:zz", "ascii:"])
def test_unusable_customer_keys_are_refused(text):
    with pytest.raises(InputError):
        molto2.parse_customer_key(text)


def test_the_authentication_cryptogram_is_the_family_s():
    # §1.12 (a): the challenge response with the single-profile key; the Molto2 builds it the same way.
    apdu = molto2.auth_apdu(bytes.fromhex("1122334455667788"), SINGLE_PROFILE_KEY)
    assert apdu.to_bytes().hex().upper() == "80CE0000108B7450F22721BC29985C2C460B65045D"
    assert molto2.challenge_apdu().to_bytes() == bytes.fromhex("804B080000")


def test_an_aligned_seed_is_sent_without_a_padding_block():
    # §1.12 (b): the 16-byte seed 20..2F "TTU style (no pad)" is exactly the Molto2's rule; the
    # single-profile tokens must get the padded form (their firmware rejects the unpadded one).
    seed = bytes(range(0x20, 0x30))
    unpadded = molto2.seed_apdu(0, seed, SINGLE_PROFILE_KEY).to_bytes().hex().upper()
    assert unpadded == "84C501001418503D57AC31735AFA60EBA20F64D6F74557CAD7"
    padded = token2.set_seed_apdu(seed, SINGLE_PROFILE_KEY, pad_short=False).to_bytes().hex().upper()
    assert padded == ("84C501002418503D57AC31735AFA60EBA20F64D6F7D219EFC9972FED9191DF027FD36A80B046DBF0C2")


def test_an_unaligned_seed_is_padded_as_in_the_single_profile_family():
    seed = bytes(range(1, 21))  # §1.12 (a): the 20-byte seed 01..14
    apdu = molto2.seed_apdu(0, seed, SINGLE_PROFILE_KEY).to_bytes().hex().upper()
    assert apdu == ("84C50100246EEAD21474BBF3A0A2B4C18F489E543CF48725A71EE9C3A65963E88BE9405E3D5F6EA0C1")


@pytest.mark.parametrize(("length", "sent"), [(1, 16), (10, 16), (15, 16), (16, 16), (20, 32), (32, 32), (33, 48),
                                               (48, 48), (63, 64)])
def test_seed_padding_both_ways(length, sent):
    assert len(molto2.pad_seed(bytes(length))) == sent
    # The single-profile family always pads: an aligned seed grows by a whole block there.
    single = token2.set_seed_apdu(bytes(range(length)), pad_short=False)
    assert len(single.data) - 4 == (length // 16 + 1) * 16


def test_seed_lengths_beyond_the_device_are_refused():
    for length in (0, 64):
        with pytest.raises(InputError):
            molto2.pad_seed(bytes(length))


def test_the_profile_number_goes_into_p2():
    key = molto2.sm4_key(molto2.FACTORY_CUSTOMER_KEY)
    assert molto2.seed_apdu(42, b"x" * 20, key).to_bytes()[:4] == bytes.fromhex("84C5012A")
    assert molto2.title_apdu(99, "t", key).to_bytes()[:5] == bytes.fromhex("84D5006314")
    assert molto2.profile_info_apdu(7).to_bytes() == bytes.fromhex("8041000701" "70")  # no Le: 6FFB otherwise
    assert molto2.delete_apdu(3).to_bytes() == bytes.fromhex("80E6000300")
    with pytest.raises(InputError):
        molto2.profile_info_apdu(100)


def _mac_ok(apdu, key):
    body, tag = apdu.data[:-4], apdu.data[-4:]
    message = bytes((0x80, apdu.ins, apdu.p1, apdu.p2, len(body))) + body
    if len(message) % 16:
        message += b"\x80" + bytes(-(len(message) + 1) % 16)
    last = (lambda e: e.update(message) + e.finalize())(Cipher(algorithms.SM4(key), modes.CBC(bytes(16))).encryptor())
    return last[-16:-12] == tag


def test_config_tlv_carries_digits_and_its_mac_checks():
    key = molto2.sm4_key(molto2.FACTORY_CUSTOMER_KEY)
    apdu = molto2.config_apdu(5, 60, 0x65432100, Algorithm.SHA256, 8, 60, key)
    assert apdu.to_bytes()[:5] == bytes.fromhex("84D401051A")
    assert apdu.data[:-4].hex().upper() == "81141F01020F046543210086090A01020B01080D013C"
    assert _mac_ok(apdu, key)
    clock = molto2.clock_apdu(5, 0x65432100, key)
    assert clock.data[:-4] == bytes.fromhex("81060F0465432100") and _mac_ok(clock, key)
    for digits in (4, 6, 8, 10):
        assert molto2.config_tlv(30, 0, Algorithm.SHA1, digits, 30)[18] == digits
    with pytest.raises(InputError):
        molto2.config_tlv(30, 0, Algorithm.SHA512, 6, 30)
    with pytest.raises(InputError):
        molto2.config_tlv(30, 0, Algorithm.SHA1, 7, 30)


def test_titles_are_one_block_of_at_most_12_utf8_bytes():
    assert molto2.encode_title("GitHub") == b"GitHub\x80" + bytes(9)
    assert len(molto2.encode_title("Ünïcø✓")) == 16
    with pytest.raises(InputError, match="12 bytes"):
        molto2.encode_title("a much too long title")
    with pytest.raises(InputError):
        molto2.encode_title("✓✓✓✓✓")  # 15 bytes in UTF-8


def test_the_key_change_block_holds_the_new_derived_key():
    key = molto2.sm4_key(molto2.FACTORY_CUSTOMER_KEY)
    apdu = molto2.change_key_apdu(b"new key", key)
    decryptor = Cipher(algorithms.SM4(key), modes.ECB()).decryptor()  # noqa: S305 (the device's protocol)
    plain = decryptor.update(apdu.data[:-4]) + decryptor.finalize()
    assert plain == b"\x00" + molto2.sm4_key(b"new key") + b"\x80" + bytes(14)
    assert apdu.to_bytes()[:5] == bytes.fromhex("84D7000024") and _mac_ok(apdu, key)
    assert apdu.redacted_hex().count("redacted") == 1  # the new key never reaches a trace


@pytest.mark.parametrize("make", [
    lambda key: molto2.title_apdu(3, "GitHub", key),
    lambda key: molto2.config_apdu(3, 30, 1_700_000_000, Algorithm.SHA1, 6, 30, key),
    lambda key: molto2.clock_apdu(3, 1_700_000_000, key),
    lambda key: molto2.seed_apdu(3, b"12345678901234567890", key),
])
def test_no_secure_command_body_reaches_a_trace(make):
    """The title is known to whoever reads a trace: its cryptogram (or any MAC over a known body) would let
    them test customer-key guesses offline. Every secure command shows its header and length only."""
    apdu = make(molto2.sm4_key(molto2.FACTORY_CUSTOMER_KEY))
    assert apdu.redacted_hex() == f"{apdu.to_bytes()[:5].hex(' ').upper()} <redacted {len(apdu.data)} bytes>"


def test_device_information_and_profile_blocks_parse():
    assert molto2.parse_device_info(bytes.fromhex("95150209") + b"123456789" + bytes.fromhex("110465432100")) == (
        "123456789", 0x65432100)
    block = (bytes.fromhex("951F701D20") + b"GitHub".ljust(16, b"\x00") + bytes(8) + bytes((2, 60, 8, 1)))
    profile = molto2.parse_profile(4, block)
    assert (profile.number, profile.occupied, profile.title, profile.algorithm, profile.period, profile.digits) == (
        4, True, "GitHub", Algorithm.SHA256, 60, 8)
    for bad in (b"", bytes.fromhex("9515"), bytes.fromhex("95150209") + b"123"):
        with pytest.raises(OperationError):
            molto2.parse_device_info(bad)
    with pytest.raises(OperationError):
        molto2.parse_profile(0, block[:-1])


@pytest.mark.parametrize(("name", "molto2_reader"), [
    ("TOKEN2 Molto2 [CCID Interface] 00 00", True),
    ("Token2 Molto2 00 00", True),
    ("TOKEN2 MOLTO2V2 00 00", True),
    ("TOKEN2 FIDO2 Security Key 00 00", False),  # Token2's FIDO keys expose CCID readers too
    ("Token2 PIN+R3 00 00", False),
    ("TOKEN2 MFA NFC Reader 00 00", False),  # Token2's own NFC reader
    ("ACS ACR122U PICC Interface 00 00", False),
])
def test_only_the_product_word_makes_a_molto2_reader(name, molto2_reader):
    assert molto2.is_molto2_reader(name) is molto2_reader
