import base64

import pytest

from otpburn.errors import InputError
from otpburn.otp import Algorithm, OtpType, encode_base32
from otpburn.sources import parse_migration
from tests.support.migration_payloads import _entry, _field, _uri

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


def export_text_file() -> str:
    """Five export links as export tools and people save them: comments, prefixes, a wrapped link."""
    from tests.support.migration_payloads import export_link

    links = [export_link(_entry(secret=bytes([i]) * 10, name=f"user{i}", issuer=f"Svc{i}"), batch_size=5,
                         batch_index=i) for i in range(5)]
    wrapped = [links[3][i:i + 40] for i in range(0, len(links[3]), 40)]
    return "\n".join([
        "# Google Authenticator export, 5 QR codes",
        links[0],
        f"QR-Code:{links[1]}",
        f"  2) {links[2]}",
        "",
        *wrapped,
        "# the last one",
        f"- {links[4]}",
    ]) + "\n"


def test_an_export_text_file_gives_every_account_of_every_link():
    from otpburn.sources.classify import PayloadKind, classify

    payload = classify(export_text_file())
    assert payload.kind is PayloadKind.MIGRATION and payload.is_seed
    assert [a.issuer for a in payload.accounts] == [f"Svc{i}" for i in range(5)]
    assert payload.export_part == "5 export links"


def test_a_missing_qr_code_of_the_export_is_named():
    from otpburn.sources.classify import classify
    from tests.support.migration_payloads import export_link

    text = "\n".join(export_link(_entry(secret=bytes([i]) * 10, name=f"u{i}"), batch_size=3, batch_index=i)
                     for i in (0, 2))
    assert classify(text).export_part == "2 export links; missing: QR code 2 of 3"


def test_an_export_text_file_as_a_seed_file_labels_each_account(tmp_path):
    from otpburn.sources.seedfiles import read_seed_file

    path = tmp_path / "export.txt"
    path.write_text(export_text_file() + "otpauth-migration://offline?data=CjUKEPql\n")
    contents = read_seed_file(str(path))
    assert [r.params.issuer for r in contents.records] == [f"Svc{i}" for i in range(5)]
    assert [r.part for r in contents.records] == [f"export link {i + 1} of 5, account 1" for i in range(5)]
    assert [r.line for r in contents.records][:3] == [2, 3, 4]
    assert len(contents.problems) == 1 and "cut short" in contents.problems[0]


def test_parse_file_reads_an_export_text_file(cli, tmp_path):
    path = tmp_path / "export.txt"
    path.write_text(export_text_file())
    result = cli("parse", "--file", str(path), "--json")
    assert result.returncode == 0, result.stderr
    import json

    data = json.loads(result.stdout)
    assert len(data["accounts"]) == 5
