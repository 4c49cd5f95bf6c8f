import pytest
from hypothesis import given
from hypothesis import strategies as st

from otpburn.otp import Algorithm, FitAction, SecretDoesNotFitError, fit_secret, totp

TIMES = [59, 1111111109, 1700000000, 20000000000]


def same_codes(a: bytes, b: bytes, algorithm: Algorithm) -> bool:
    return all(totp(a, t, 8, 30, algorithm) == totp(b, t, 8, 30, algorithm) for t in TIMES)


def test_short_key_is_zero_padded():
    secret = bytes.fromhex("48656C6C6F21DEADBEEF")
    fitted = fit_secret(secret, Algorithm.SHA1, min_length=20, max_length=63)
    assert fitted.secret == secret + b"\0" * 10
    assert fitted.actions == (FitAction.PADDED,)
    assert same_codes(secret, fitted.secret, Algorithm.SHA1)


def test_long_key_is_hashed():
    secret = bytes(range(100))
    fitted = fit_secret(secret, Algorithm.SHA1, min_length=1, max_length=63)
    assert len(fitted.secret) == 20 and fitted.actions == (FitAction.HASHED,)
    assert same_codes(secret, fitted.secret, Algorithm.SHA1)


def test_hashed_then_padded_for_ykoath_minimum():
    secret = bytes(range(1, 130))
    fitted = fit_secret(secret, Algorithm.SHA512, min_length=70, max_length=128)
    assert fitted.actions == (FitAction.HASHED, FitAction.PADDED) and len(fitted.secret) == 70
    assert same_codes(secret, fitted.secret, Algorithm.SHA512)


def test_trailing_zeros_are_dropped_when_too_long():
    secret = b"A" * 40 + b"\0" * 24
    fitted = fit_secret(secret, Algorithm.SHA256, min_length=1, max_length=63)
    assert fitted.secret == b"A" * 40 and fitted.actions == (FitAction.TRIMMED,)
    assert same_codes(secret, fitted.secret, Algorithm.SHA256)


def test_refuses_when_codes_would_change():
    with pytest.raises(SecretDoesNotFitError, match="would change every code"):
        fit_secret(bytes(range(1, 65)), Algorithm.SHA1, min_length=1, max_length=63)
    with pytest.raises(SecretDoesNotFitError):
        fit_secret(b"x", Algorithm.SHA1, min_length=65, max_length=100)


def test_unchanged_when_it_already_fits():
    fitted = fit_secret(b"12345678901234567890", Algorithm.SHA1, 1, 63)
    assert not fitted.changed and fitted.secret == b"12345678901234567890"


@given(
    st.binary(min_size=1, max_size=200),
    st.sampled_from(list(Algorithm)),
    st.integers(1, 64),
    st.integers(0, 64),
)
def test_fitting_never_changes_codes(secret, algorithm, min_length, extra):
    max_length = min_length + extra
    try:
        fitted = fit_secret(secret, algorithm, min_length, max_length)
    except SecretDoesNotFitError:
        return
    assert min_length <= len(fitted.secret) <= max_length
    assert same_codes(secret, fitted.secret, algorithm)
