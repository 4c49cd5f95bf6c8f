import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from otpburn.errors import InputError, NotASeedError, Remedy
from otpburn.sources import PayloadKind, classify
from otpburn.sources.selection import select_account

from .test_migration import EXPORT


@pytest.mark.parametrize(
    "text,kind",
    [
        ("otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP", PayloadKind.OTPAUTH_TOTP),
        ("otpauth://hotp/A:b?secret=JBSWY3DPEHPK3PXP&counter=1", PayloadKind.OTPAUTH_HOTP),
        (EXPORT, PayloadKind.MIGRATION),
        ("otpauth://totp/A:b?secret=JBSW1", PayloadKind.INVALID_OTPAUTH),
        ("otpauth-migration://offline?data=!!", PayloadKind.INVALID_MIGRATION),
        ("phonefactor://activate_account?code=123456789&url=https://mobileappcommunicator.auth.microsoft.com/activatev2/x",
         PayloadKind.PHONEFACTOR),
        ("https://account.live.com/proofs/activate?code=1", PayloadKind.MICROSOFT_ACTIVATION),
        ("ms-msa://activate?code=1", PayloadKind.MICROSOFT_ACTIVATION),
        ("FIDO:/1234567890123456789012345678901234567890", PayloadKind.FIDO),
        ("fido:/0123", PayloadKind.FIDO),
        ("86596220012345", PayloadKind.SERIAL_NUMBER),
        ("https://example.com/login", PayloadKind.URL),
        ("https://www.microsoft.com/security", PayloadKind.URL),
        ("www.example.com", PayloadKind.URL),
        ("JBSWY3DPEHPK3PXP", PayloadKind.SECRET_BASE32),
        ("jbsw y3dp ehpk 3pxp", PayloadKind.SECRET_BASE32),
        ("3132333435363738393031323334353637383930", PayloadKind.SECRET_HEX),
        ("hello world", PayloadKind.UNKNOWN),
        ("ABCD", PayloadKind.UNKNOWN),
        ("   ", PayloadKind.EMPTY),
    ],
)
def test_kinds(text, kind):
    assert classify(text).kind is kind


@pytest.mark.parametrize(
    "kind",
    [PayloadKind.PHONEFACTOR, PayloadKind.MICROSOFT_ACTIVATION, PayloadKind.FIDO, PayloadKind.SERIAL_NUMBER,
     PayloadKind.URL, PayloadKind.UNKNOWN, PayloadKind.EMPTY],
)
def test_every_non_seed_kind_says_what_to_do(kind):
    from otpburn.sources import ADVICE

    assert ADVICE[kind]


def test_phonefactor_advice_names_the_fix():
    payload = classify("phonefactor://activate_account?code=123456789&url=https://x/activatev2/y")
    assert not payload.is_seed
    assert "different authenticator app" in payload.advice
    with pytest.raises(NotASeedError, match="different authenticator app"):
        payload.require_seed()


def test_broken_seed_reports_problem():
    payload = classify("otpauth://totp/A:b?secret=JBSW1")
    with pytest.raises(InputError, match="position 5"):
        payload.require_seed()


def test_ambiguous_bare_secret_is_flagged():
    payload = classify("ABCDEF2345674567ABCD")
    assert payload.kind is PayloadKind.SECRET_BASE32 and payload.encoding_ambiguous


def test_selection():
    accounts = classify("otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP").accounts * 1
    many = accounts + (accounts[0].replace(issuer="Other", account="carol"),)
    assert select_account(accounts) == accounts[0]
    assert select_account(many, pick=2).issuer == "Other"
    assert select_account(many, account="CAROL").account == "carol"
    with pytest.raises(InputError, match="2 accounts found") as failure:
        select_account(many)
    assert failure.value.remedy is Remedy.PICK_ACCOUNT
    with pytest.raises(InputError, match="out of range"):
        select_account(many, pick=3)
    with pytest.raises(InputError, match="no account matches"):
        select_account(many, account="zed")


_PREFIXES = ["", "otpauth://totp/", "otpauth://hotp/A:b?", "otpauth-migration://offline?data=", "otpauth-migration://[",
             "otpauth://[", "phonefactor://", "https://["]


@given(prefix=st.sampled_from(_PREFIXES), rest=st.text(max_size=200))
@settings(max_examples=400, deadline=None)
def test_classify_never_raises(prefix, rest):
    payload = classify(prefix + rest)
    assert payload.kind in set(PayloadKind)


@pytest.mark.parametrize("text", ["otpauth-migration://[",
                                  "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&digits=" + "1" * 5000,
                                  "otpauth://hotp/a?secret=JBSWY3DPEHPK3PXP&counter=" + "9" * 4400])
def test_malformed_links_are_reported_not_raised(text):
    payload = classify(text)
    assert not payload.is_seed and payload.problem


@pytest.mark.parametrize("text", ["supercalifragilisticexpialidocious", "correct horse battery staples",
                                  "thequickbrownfoxjumpsoverthelazydogs"])
def test_words_that_decode_as_base32_are_not_taken_for_a_seed(text):
    payload = classify(text)
    assert payload.kind is PayloadKind.WORDS and not payload.is_seed and "base32" in payload.advice


def test_random_base32_seeds_are_still_seeds():
    import base64
    import random

    rng = random.Random(5)
    seeds = [base64.b32encode(rng.randbytes(20)).decode() for _ in range(2000)]
    assert all(classify(seed).kind is PayloadKind.SECRET_BASE32 for seed in seeds)
    assert all(classify(seed.lower()).kind is PayloadKind.SECRET_BASE32 for seed in seeds)
