"""The seed-file corpus (tests/data/seedfiles): files written from the formats' published
descriptions, each beside the records, problems and notes it must give."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from otpburn.errors import InputError, Remedy
from otpburn.sources.seedfiles import keepass_kdbx, read_seed_file
from tests.conftest import skip_unless_required

CORPUS = Path(__file__).resolve().parent.parent / "data" / "seedfiles"
FILES = sorted(p for p in CORPUS.iterdir() if not p.name.endswith(".expected.json"))


def as_dict(record) -> dict[str, object]:
    params = record.params
    return {"place": record.place, "serial": record.serial, "type": params.type.value,
            "algorithm": params.algorithm.value, "digits": params.digits, "period": params.period,
            "counter": params.counter, "secret": params.secret.hex(), "issuer": params.issuer,
            "account": params.account, "user": record.user, "resolver": record.resolver, "realm": record.realm}


def read(path: Path, expected: dict):
    """The file read as a user would: with the password or key its expectation names."""
    unlock = expected.get("unlock", {})
    password = (lambda: unlock["password"]) if "password" in unlock else None
    key = (lambda: bytes.fromhex(unlock["key"])) if "key" in unlock else None
    return read_seed_file(str(path), password, key=key)


def test_every_file_has_its_expectation():
    assert FILES and all(CORPUS.joinpath(f"{p.stem}.expected.json").exists() for p in FILES)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_each_file_gives_exactly_its_records_problems_and_notes(path):
    expected = json.loads(CORPUS.joinpath(f"{path.stem}.expected.json").read_text())
    if path.suffix == ".kdbx" and keepass_kdbx.find_tool() is None:
        skip_unless_required("KeePass databases open with KeePassXC's keepassxc-cli (Debian package keepassxc)")
    if "error" in expected:
        with pytest.raises(InputError) as refused:
            read(path, expected)
        assert str(refused.value) == expected["error"].replace("{path}", str(path))
        assert refused.value.remedy == (Remedy(expected["remedy"]) if "remedy" in expected else None)
        return
    contents = read(path, expected)
    assert contents.kind == expected["kind"]
    assert [as_dict(record) for record in contents.records] == expected["records"]
    assert contents.problems == expected["problems"]
    assert contents.notes == expected["notes"]


def test_a_pskc_with_only_keys_that_are_not_otp_keys_says_which_it_skipped(tmp_path):
    text = CORPUS.joinpath("pskc-mixed-with-pin.xml").read_bytes()
    start = text.index(b"<KeyPackage>")
    only_pin = text[:start] + text[text.index(b"<KeyPackage>", start + 1):]
    path = tmp_path / "pin-only.pskc"
    path.write_bytes(only_pin)
    with pytest.raises(InputError, match=r"key 1 \(serial 987654321\): not an HOTP or TOTP key \(pin\)"):
        read_seed_file(str(path))
