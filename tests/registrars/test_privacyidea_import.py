"""otpburn's exports, proven by the importer they are for: privacyIDEA's own `POST /token/load` (what its web
UI's "Import tokens" does) on the real server, then `/validate/check` with each token's current code. Every
PSKC file is also validated against the schema RFC 6030 publishes (tests/data/pskc/rfc6030-pskc.xsd) —
python-pskc and our own reader are lenient where these are not."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import xmlschema

from otpburn.otp import Algorithm, OtpParams, OtpType, hotp, totp
from otpburn.provisioning.records.exports import FORMATS, Protection, TokenRecord, render

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "data" / "pskc" / "rfc6030-pskc.xsd"
PRESHARED_KEY = bytes.fromhex("12345678901234567890123456789012")


@pytest.fixture(scope="module")
def pskc_schema() -> xmlschema.XMLSchema:
    bundled = Path(xmlschema.__file__).parent / "schemas"  # the W3C schemas RFC 6030 imports
    return xmlschema.XMLSchema(str(SCHEMA_FILE), locations={
        "http://www.w3.org/2000/09/xmldsig#": str(bundled / "DSIG" / "xmldsig-core-schema.xsd"),
        "http://www.w3.org/2001/04/xmlenc#": str(bundled / "XENC" / "xenc-schema.xsd")})


def records(prefix: str) -> list[TokenRecord]:
    """A SHA-1 TOTP, a SHA-256 8-digit 60-second TOTP and a SHA-1 HOTP whose counter stands at 7."""
    return [
        TokenRecord(OtpParams(secret=os.urandom(20), issuer="Acme", account="alice"), f"{prefix}1", "OTPC-P2-i",
                    "Token2"),
        TokenRecord(OtpParams(secret=os.urandom(32), algorithm=Algorithm.SHA256, digits=8, period=60),
                    f"{prefix}2", "OTPC-P2-i", "Token2"),
        TokenRecord(OtpParams(secret=os.urandom(20), type=OtpType.HOTP, counter=7), f"{prefix}3"),
    ]


def current_code(params: OtpParams) -> str:
    if params.type is OtpType.HOTP:
        return hotp(params.secret, params.counter, params.digits, params.algorithm)
    return totp(params.secret, time.time(), params.digits, params.period, params.algorithm)


def assert_imported_and_valid(privacyidea, loaded: dict, written: list[TokenRecord]) -> None:
    assert loaded["n_imported"] == len(written), loaded
    for record in written:
        on_server = privacyidea.token(record.serial)
        assert on_server is not None, record.serial
        params = record.params
        assert on_server["tokentype"] == params.type.value
        assert on_server["otplen"] == params.digits
        assert privacyidea.validate(record.serial, current_code(params)), record.serial


@pytest.fixture(params=["privacyidea", "edumfa"])
def server(request):
    """privacyIDEA's importer, and eduMFA's (the fork's) too."""
    return request.getfixturevalue(request.param)


@pytest.mark.parametrize("variant", ["plain", "password", "preshared-key"])
def test_privacyidea_imports_every_pskc_variant_and_the_tokens_validate(server, pskc_schema, variant):
    written = records(f"PSKC{variant[:3].upper()}")
    protection, form = {
        "plain": (Protection(), {}),
        "password": (Protection(password="import password 2026"), {"password": "import password 2026"}),
        "preshared-key": (Protection(key=PRESHARED_KEY), {"psk": PRESHARED_KEY.hex()}),
    }[variant]
    xml = render("pskc", written, protection)
    pskc_schema.validate(xml.decode())
    loaded = server.load_tokens("tokens.pskc", xml, "pskc", **form)
    assert_imported_and_valid(server, loaded, written)


def test_privacyidea_imports_the_oath_csv(server):
    written = records("OATHCSV")
    loaded = server.load_tokens("tokens.csv", render("privacyidea", written), "oathcsv")
    assert_imported_and_valid(server, loaded, written)


def test_a_pskc_key_without_a_serial_still_has_the_id_the_schema_requires(pskc_schema):
    unnamed = [TokenRecord(OtpParams(secret=b"12345678901234567890"), "")]
    xml = render("pskc", unnamed).decode()
    pskc_schema.validate(xml)
    assert 'Id="key-1"' in xml


def test_the_format_table_names_the_importer_each_is_proven_by():
    assert "privacyIDEA 3.14" in FORMATS["pskc"].proven_by and "RFC 6030" in FORMATS["pskc"].proven_by
    assert "privacyIDEA 3.14" in FORMATS["privacyidea"].proven_by
