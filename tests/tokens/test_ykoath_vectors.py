"""The YKOATH encoders against the real traces and vectors of the protocol notes (§3)."""

import pytest

from otpburn.otp import Algorithm, OtpParams, OtpType
from otpburn.tokens import ykoath
from otpburn.tokens.tlv import parse_tlvs


def hexof(apdu):
    return apdu.to_bytes().hex().upper()


def test_select():
    assert hexof(ykoath.select_apdu()) == "00A4040007A0000005272101"


def test_put_vector_from_the_notes():
    params = OtpParams(secret=b"12345678901234567890", issuer="Example", account="alice@google.com")
    assert hexof(ykoath.put_apdu(params)) == (
        "000100003271184578616D706C653A616C69636540676F6F676C652E636F6D731621063132333435363738393031323334353637383930"
    )


def test_put_real_trace_with_one_byte_secret_and_touch():
    params = OtpParams(secret=b"\x9c", issuer="Microsoft", account="test@outlook.com")
    name = b"Microsoft:test@outlook.com".hex().upper()
    expected = "00010000" + "30" + "711A" + name + "73102106" + "9C" + "00" * 13 + "7802"
    assert hexof(ykoath.put_apdu(params, touch=True)) == expected


def test_calculate_vector():
    challenge = ykoath.time_challenge(59, 30)
    apdu = ykoath.calculate_apdu("Example:alice@google.com", challenge)
    assert hexof(apdu) == "00A200012471184578616D706C653A616C69636540676F6F676C652E636F6D74080000000000000001"
    # HMAC 75A48A19…, DT bytes C1397EEA -> 287082 (8 digits 94287082)
    assert ykoath.format_code(bytes.fromhex("C1397EEA"), 8) == "94287082"
    assert ykoath.format_code(bytes.fromhex("C1397EEA"), 6) == "287082"


def test_full_response_from_real_trace():
    value = bytes.fromhex("068A9B0DF3D718439640A6586F89D4031DC4C49F6C")
    assert ykoath.code_from_response(0x75, value) == "889373"


def test_list_response_from_real_trace():
    data = bytes.fromhex("721B21") + b"Microsoft:test@outlook.com" + bytes.fromhex("721612") + b"Google:test@gmail.com"
    items = parse_tlvs(data)
    assert [(tag, value[0]) for tag, value in items] == [(0x72, 0x21), (0x72, 0x12)]


def test_set_code_trace_hmac():
    key = bytes.fromhex("780E45A00652CCB08C4BDACDDACA5134")
    apdu = ykoath.set_code_apdu(key, bytes.fromhex("F103DA8958E44085"))
    assert hexof(apdu).endswith("7408F103DA8958E44085" + "7514011EE1FF2A982D4DCCCD8EB33A12E4887EF5E00C")
    assert apdu.redacted_hex().count("<redacted") == 2


@pytest.mark.parametrize(
    "salt,password,key",
    [
        ("0000000000000000", "foobar", "B07DA1E7DE87F89A87A2B598EAA2188C"),
        (b"12345678".hex(), "Hallå världen!", "DA818E6B2CF0A2D0BF19B3DDD34B83F5"),
        (b"saltsalt".hex(), "Ťᶒśƫ ᵽĥřӓşḛ", "F3DFA78154C810329945FBC4B535E537"),
    ],
)
def test_pbkdf2_access_keys(salt, password, key):
    assert ykoath.derive_key(password, bytes.fromhex(salt)).hex().upper() == key


@pytest.mark.parametrize(
    "name,otp_type,expected",
    [
        ("20/Issuer:name", OtpType.TOTP, ("Issuer", "name", 20)),
        ("weird/Issuer:name", OtpType.TOTP, ("weird/Issuer", "name", 30)),
        ("Issuer:name", OtpType.TOTP, ("Issuer", "name", 30)),
        ("20/name", OtpType.TOTP, ("", "name", 20)),
        ("Issuer:name", OtpType.HOTP, ("Issuer", "name", 0)),
    ],
)
def test_credential_ids(name, otp_type, expected):
    assert ykoath.parse_credential_id(name, otp_type) == expected


def test_credential_id_formats():
    params = OtpParams(secret=b"x" * 20, issuer="Acme", account="bob", period=60)
    assert ykoath.credential_id(params) == "60/Acme:bob"
    assert ykoath.credential_id(params.replace(period=30)) == "Acme:bob"
    assert ykoath.credential_id(params.replace(type=OtpType.HOTP)) == "Acme:bob"
    with pytest.raises(Exception, match="at most 64"):
        ykoath.credential_id(params.replace(account="x" * 70))


def test_long_keys_are_hashed_and_short_ones_padded():
    long = OtpParams(secret=bytes(range(100)), algorithm=Algorithm.SHA256, issuer="A", account="b")
    assert len(ykoath.fit_key(long)) == 32
    assert len(ykoath.fit_key(long.replace(secret=b"1234567890"))) == 14
    assert len(ykoath.fit_key(long.replace(secret=bytes(range(100)), algorithm=Algorithm.SHA512))) == 100
