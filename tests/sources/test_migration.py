import base64

import pytest

from otpburn.errors import InputError
from otpburn.otp import Algorithm, OtpType, encode_base32
from otpburn.sources import parse_migration

EXPORT = (
    "otpauth-migration://offline?data=CjUKEPqlBekzoNEukL7qlsjBCDYSDnBpQHJhc3BiZXJyeXBpGgtyYXNwYmVycnlwaSAB"
    "KAEwAhABGAEgACjr4JKK%2B%2F%2F%2F%2F%2F8B"
)
HOTP_EXPORT = (
    "otpauth-migration://offline?data=CiUKEPqlBekzoNEukL7qlsjBCDYSCWhvdHAgZGVtbyABKAEwATgEEAEYASAAKNuv15j6"
    "%2F%2F%2F%2F%2FwE%3D"
)


def test_public_example_export():
    batch = parse_migration(EXPORT)
    assert (batch.version, batch.batch_size, batch.batch_index, batch.batch_id) == (1, 1, 0, -1320898453)
    (entry,) = batch.entries
    params = entry.params
    assert params.secret.hex().upper() == "FAA505E933A0D12E90BEEA96C8C10836"
    assert encode_base32(params.secret) == "7KSQL2JTUDIS5EF65KLMRQIIGY"
    assert (params.account, params.issuer) == ("pi@raspberrypi", "raspberrypi")
    assert (params.type, params.algorithm, params.digits, params.period) == (OtpType.TOTP, Algorithm.SHA1, 6, 30)


def test_public_hotp_example():
    (params,) = parse_migration(HOTP_EXPORT).usable
    assert (params.account, params.type, params.counter) == ("hotp demo", OtpType.HOTP, 4)


def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _field(number: int, value) -> bytes:
    if isinstance(value, bytes):
        return _varint(number << 3 | 2) + _varint(len(value)) + value
    return _varint(number << 3) + _varint(value)


def _entry(secret=b"A" * 10, name="Acme:bob", issuer="", algorithm=1, digits=1, otp_type=2, extra=b""):
    body = _field(1, secret) + _field(2, name.encode()) + (_field(3, issuer.encode()) if issuer else b"")
    return body + _field(4, algorithm) + _field(5, digits) + _field(6, otp_type) + extra


def _uri(*entries: bytes, header=b"") -> str:
    payload = b"".join(_field(1, e) for e in entries) + header
    return "otpauth-migration://offline?data=" + base64.b64encode(payload).decode()


def test_many_accounts_and_unknown_fields():
    uri = _uri(
        _entry(name="Acme:bob"),
        _entry(name="carol", issuer="Beta", algorithm=2, digits=2, extra=_field(8, b"unique-id")),
        _entry(name="dave", algorithm=4),
        header=_field(2, 1) + _field(3, 2) + _field(4, 1) + _field(5, 99),
    )
    batch = parse_migration(uri)
    assert len(batch.entries) == 3 and len(batch.usable) == 2
    assert (batch.usable[0].issuer, batch.usable[0].account) == ("Acme", "bob")
    assert (batch.usable[1].issuer, batch.usable[1].algorithm, batch.usable[1].digits) == ("Beta", Algorithm.SHA256, 8)
    assert "MD5" in batch.entries[2].problem
    assert batch.part_text == "QR code 2 of 2 of this export"


def test_url_safe_and_unpadded_base64_is_tolerated():
    payload = _field(1, _entry())
    data = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    assert len(parse_migration("otpauth-migration://offline?data=" + data).usable) == 1


@pytest.mark.parametrize(
    "uri,fragment",
    [
        ("otpauth-migration://offline", "no data"),
        ("otpauth-migration://offline?data=", "no data"),
        ("otpauth-migration://offline?data=%%%%", "not valid base64"),
        ("otpauth-migration://offline?data=CjUKEPql", "cut short"),
        ("otpauth-migration://offline?data=AA==", "not a Google Authenticator export"),
        ("otpauth-migration://offline?data=EAE=", "holds no accounts"),
        ("otpauth-migration://offline?data=CAE=", "malformed account"),
        ("otpauth-migration://offline?data=Dw==", "not a Google Authenticator export"),
        ("otpauth-migration://offline?data=CjU&data=CjU", "more than one"),
        ("otpauth-migration://offline?data=" + base64.b64encode(b"\x0a\x03\x12\x01\xff").decode(), "UTF-8"),
        ("otpauth-migration://offline?data=" + base64.b64encode(b"\x10" + b"\xff" * 11).decode(), "malformed number"),
    ],
)
def test_malformed_exports(uri, fragment):
    with pytest.raises(InputError) as info:
        parse_migration(uri)
    assert fragment in info.value.message


def test_entry_without_secret_is_unusable():
    batch = parse_migration(_uri(_entry(secret=b"")))
    assert batch.usable == () and batch.entries[0].problem == "has no secret"
