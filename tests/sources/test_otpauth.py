import pytest
from hypothesis import given
from hypothesis import strategies as st

from otpburn.errors import InputError
from otpburn.otp import Algorithm, OtpParams, OtpType
from otpburn.sources import format_uri, parse_uri

HELLO = bytes.fromhex("48656C6C6F21DEADBEEF")


def test_key_uri_format_example():
    params = parse_uri("otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example")
    assert params.secret == HELLO
    assert (params.issuer, params.account) == ("Example", "alice@google.com")
    assert (params.type, params.algorithm, params.digits, params.period) == (OtpType.TOTP, Algorithm.SHA1, 6, 30)


def test_ykman_example():
    params = parse_uri(
        "otpauth://totp/Issuer:account?secret=abba&issuer=Issuer&algorithm=SHA256&digits=7&period=20&counter=5"
    )
    assert params.secret == b"\x00\x42"
    assert (params.algorithm, params.digits, params.period, params.counter) == (Algorithm.SHA256, 7, 20, 5)


@pytest.mark.parametrize(
    "uri,issuer,account",
    [
        ("otpauth://totp/ACME%20Co:john.doe@email.com?secret=JBSWY3DPEHPK3PXP", "ACME Co", "john.doe@email.com"),
        ("otpauth://totp/ACME%20Co%3Ajohn?secret=JBSWY3DPEHPK3PXP", "ACME Co", "john"),
        ("otpauth://totp/Acme:%20%20bob?secret=JBSWY3DPEHPK3PXP", "Acme", "bob"),
        ("otpauth://totp/bob?secret=JBSWY3DPEHPK3PXP&issuer=Big+Corp", "Big Corp", "bob"),
        ("otpauth://totp/bob?secret=JBSWY3DPEHPK3PXP&issuer=Big%20Corp", "Big Corp", "bob"),
        ("otpauth://totp/Label:bob?secret=JBSWY3DPEHPK3PXP&issuer=Param", "Param", "bob"),
        ("otpauth://totp/Atlassian:alice+2fa@example.com?secret=JBSWY3DPEHPK3PXP", "Atlassian",
         "alice+2fa@example.com"),
        ("otpauth://totp/?secret=JBSWY3DPEHPK3PXP", "", ""),
        ("otpauth://totp?secret=JBSWY3DPEHPK3PXP", "", ""),
        ("OTPAUTH://TOTP/GitHub:me?SECRET=JBSWY3DPEHPK3PXP", "GitHub", "me"),
    ],
)
def test_labels_and_issuers(uri, issuer, account):
    params = parse_uri(uri)
    assert (params.issuer, params.account) == (issuer, account)


@pytest.mark.parametrize(
    "query",
    ["secret=jbswy3dpehpk3pxp", "secret=JBSWY3DPEHPK3PXP======", "secret=JBSWY3DPEHPK3PXP%3D%3D%3D%3D%3D%3D",
     "secret=JBSW%20Y3DP%20EHPK%203PXP", "secret=JBSWY3DPEHPK3PXP&algorithm=sha1",
     "secret=JBSWY3DPEHPK3PXP&image=x.png"],
)
def test_tolerated_deviations(query):
    assert parse_uri(f"otpauth://totp/A:b?{query}").secret == HELLO


def test_hotp():
    params = parse_uri("otpauth://hotp/A:b?secret=JBSWY3DPEHPK3PXP&counter=42")
    assert params.type is OtpType.HOTP and params.counter == 42


@pytest.mark.parametrize(
    "uri,fragment",
    [
        ("", "empty"),
        ("http://totp/A?secret=JBSWY3DPEHPK3PXP", "scheme is 'http'"),
        ("otpauth:totp/A?secret=JBSWY3DPEHPK3PXP", "starts with 'otpauth://'"),
        ("otpauth://motp/A?secret=JBSWY3DPEHPK3PXP", "unsupported OTP type 'motp'"),
        ("otpauth:///A?secret=JBSWY3DPEHPK3PXP", "names no type"),
        ("otpauth://totp/A", "no secret"),
        ("otpauth://totp/A?secret=", "no secret"),
        ("otpauth://totp/A?secret=JBSW1Y3D", "character '1' at position 5"),
        ("otpauth://totp/A?secret=JBS", "whole bytes"),
        ("otpauth://totp/A?secret=JBSWY3DPEHPK3PXP&algorithm=MD5", "unsupported algorithm 'MD5'"),
        ("otpauth://totp/A?secret=JBSWY3DPEHPK3PXP&digits=six", "digits must be a whole number"),
        ("otpauth://totp/A?secret=JBSWY3DPEHPK3PXP&digits=4", "digits must be between 6 and 10"),
        ("otpauth://totp/A?secret=JBSWY3DPEHPK3PXP&period=0", "period"),
        ("otpauth://totp/A?secret=JBSWY3DPEHPK3PXP&period=-30", "period must be a whole number"),
        ("otpauth://hotp/A?secret=JBSWY3DPEHPK3PXP&counter=x", "counter must be a whole number"),
        ("otpauth://totp/A?secret=JBSWY3DPEHPK3PXP&secret=AAAAAAAA", "appears twice"),
        ("otpauth://totp/A\n?secret=JBSWY3DPEHPK3PXP", "control characters"),
        ("otpauth://totp/%FF?secret=JBSWY3DPEHPK3PXP", "UTF-8"),
    ],
)
def test_malformed(uri, fragment):
    with pytest.raises(InputError) as info:
        parse_uri(uri)
    assert fragment in info.value.message
    assert "JBSWY3DPEHPK3PXP" not in info.value.message


def test_format_writes_every_parameter():
    params = OtpParams(secret=HELLO, issuer="Example", account="alice@google.com")
    assert format_uri(params) == (
        "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example"
        "&algorithm=SHA1&digits=6&period=30"
    )
    hotp = params.replace(type=OtpType.HOTP, counter=7)
    assert format_uri(hotp).endswith("&counter=7")


_text = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u061c\u200e\u200f\u202a\u202b"
                                            "\u202c\u202d\u202e\u2066\u2067\u2068\u2069"), max_size=30).map(str.strip)


@given(
    secret=st.binary(min_size=1, max_size=64),
    otp_type=st.sampled_from(list(OtpType)),
    algorithm=st.sampled_from(list(Algorithm)),
    digits=st.integers(6, 10),
    period=st.integers(1, 86400),
    counter=st.integers(0, 2**64 - 1),
    issuer=_text.filter(lambda s: ":" not in s),
    account=_text,
)
def test_format_parse_round_trip(secret, otp_type, algorithm, digits, period, counter, issuer, account):
    params = OtpParams(secret, otp_type, algorithm, digits, period if otp_type is OtpType.TOTP else 30,
                       counter if otp_type is OtpType.HOTP else 0, issuer, account)
    assert parse_uri(format_uri(params)) == params


@pytest.mark.parametrize("label", ["Evil%1B%5B2J:alice", "Bank:alice%0ASecret%20JBSW", "Shop:%E2%80%AEecila",
                                   "A:b%07", "Bank:" + "a" * 300])
def test_labels_with_control_or_direction_characters_or_too_long_are_refused(label):
    with pytest.raises(InputError) as info:
        parse_uri(f"otpauth://totp/{label}?secret=JBSWY3DPEHPK3PXP")
    assert "\x1b" not in str(info.value) and "\u202e" not in str(info.value)


def test_issuer_parameter_is_checked_after_decoding():
    with pytest.raises(InputError, match="U\\+001B"):
        parse_uri("otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&issuer=%1B%5D0%3Bpwned%07")


@pytest.mark.parametrize("uri", ["otpauth://totp/Steam:bob?secret=JBSWY3DPEHPK3PXP&encoder=steam",
                                 "otpauth://steam/Steam:bob?secret=JBSWY3DPEHPK3PXP",
                                 "otpauth://totp/Steam:bob?secret=JBSWY3DPEHPK3PXP&encoder=Steam&digits=5"])
def test_steam_guard_accounts_are_refused_with_the_reason(uri):
    with pytest.raises(InputError, match="Steam Guard account") as info:
        parse_uri(uri)
    assert "JBSWY3DPEHPK3PXP" not in info.value.message


def test_other_encoders_are_refused_and_named_only_when_harmless():
    with pytest.raises(InputError, match=r"non-standard encoder \(yandex\)"):
        parse_uri("otpauth://totp/Y:bob?secret=JBSWY3DPEHPK3PXP&encoder=yandex")
    with pytest.raises(InputError) as info:
        parse_uri("otpauth://totp/Y:bob?secret=JBSWY3DPEHPK3PXP&encoder=KRSXG5CTMVRXEZLUKRSXG5CT")
    assert "KRSXG5CT" not in info.value.message
