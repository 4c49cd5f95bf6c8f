import copy
import pickle

import pytest

from otpburn.errors import InputError
from otpburn.otp import Algorithm, OtpParams, OtpType
from otpburn.sources.seedfiles import SeedRecord


def test_defaults_and_enums_from_text():
    params = OtpParams(secret=b"x" * 10, type="HOTP", algorithm="sha-256")
    assert params.type is OtpType.HOTP
    assert params.algorithm is Algorithm.SHA256
    assert params.digits == 6 and params.period == 30


def test_repr_hides_secret():
    secret = b"super-secret-bytes!!"
    params = OtpParams(secret=secret, issuer="Acme", account="bob")
    record = SeedRecord("8659622000001", params, 1)  # a tuple holding it: its repr is the value's own
    text = repr(params) + str(params) + repr(record) + str(record) + f"{params}{record!r}"
    assert "super" not in text and secret.hex() not in text
    assert "<20 bytes>" in text


def test_is_immutable():
    params = OtpParams(secret=b"1234567890")
    with pytest.raises(AttributeError):
        params.digits = 8  # type: ignore[misc]


@pytest.mark.parametrize(
    "changes",
    [
        {"secret": b""},
        {"secret": "JBSWY3DP"},
        {"digits": 5},
        {"digits": 11},
        {"digits": True},
        {"period": 0},
        {"counter": -1},
        {"algorithm": "MD5"},
        {"type": "motp"},
        {"issuer": 5},
    ],
)
def test_invalid_values_are_refused(changes):
    fields = {"secret": b"1234567890"} | changes
    with pytest.raises(InputError):
        OtpParams(**fields)
    params = OtpParams(secret=b"1234567890")
    # Every way to a new value checks it: replace, and the tuple's own _replace and _make.
    for build in (lambda: params.replace(**changes), lambda: params._replace(**changes),
                  lambda: OtpParams._make({**params._asdict(), **changes}.values())):
        with pytest.raises(InputError):
            build()


@pytest.mark.parametrize("secret", [b"1234567890", b"\0", b"x" * 1024])
def test_a_secret_alone_gets_the_settings_otpparams_gives_it(secret):
    made = OtpParams.of_secret(secret)
    assert made == OtpParams(secret) and type(made) is OtpParams
    assert made.type is OtpType.TOTP and made.algorithm is Algorithm.SHA1


class _Bytes(bytes):
    pass


@pytest.mark.parametrize("secret", [b"", b"x" * 1025, "JBSWY3DP", bytearray(b"12345"), None])
def test_a_secret_alone_is_checked_as_otpparams_checks_it(secret):
    with pytest.raises(InputError) as alone:
        OtpParams.of_secret(secret)
    with pytest.raises(InputError) as full:
        OtpParams(secret)
    assert alone.value.message == full.value.message
    assert OtpParams.of_secret(_Bytes(b"12345")) == OtpParams(_Bytes(b"12345"))  # what __new__ lets through too


def test_a_copy_and_a_pickle_are_equal_values():
    params = OtpParams(secret=b"1234567890", type="hotp", counter=7, issuer="Acme", account="bob")
    assert copy.copy(params) == params == pickle.loads(pickle.dumps(params))  # noqa: S301  our own bytes
    assert pickle.loads(pickle.dumps(params)).type is OtpType.HOTP  # noqa: S301


def test_label_and_fingerprint():
    params = OtpParams(secret=b"1234567890", issuer="Acme", account="bob")
    assert params.label == "Acme:bob"
    assert params.replace(issuer="").label == "bob"
    assert len(params.fingerprint) == 12
    assert params.fingerprint != params.replace(secret=b"1234567891").fingerprint
    assert params.fingerprint == params.replace(issuer="Other").fingerprint


@pytest.mark.parametrize("text,expected", [("sha1", "SHA1"), ("SHA-256", "SHA256"), ("HmacSHA512", "SHA512")])
def test_algorithm_spellings(text, expected):
    assert Algorithm.parse(text).value == expected
