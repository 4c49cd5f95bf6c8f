"""Mismatch diagnosis, using emulated tokens deliberately misconfigured the way real ones get."""

import json
import os

import pytest

from otpburn.cli.wording import cause_text
from otpburn.emulator.token2 import Token2Emulator, Token2Memory
from otpburn.errors import InputError, Remedy
from otpburn.otp import OtpParams, OtpType, decode_base32, decode_hex, encode_base32, hotp
from otpburn.otp.diagnosis import Cause, diagnose

SECRET = b"verification secret!"
PARAMS = OtpParams(secret=SECRET, issuer="Acme", account="bob")
NOW = 1_800_000_010.0  # 10 s into a 30 s step


def token(**memory) -> Token2Emulator:
    fields = {"seed": SECRET.hex(), "clock_set_at": NOW, **memory}
    return Token2Emulator(Token2Memory(**fields))


def test_right_code_matches():
    assert diagnose(PARAMS, token().display_code(NOW), NOW).matches


def test_neighbouring_step_still_matches():
    assert diagnose(PARAMS, token(clock_offset=25).display_code(NOW), NOW).matches


@pytest.mark.parametrize("offset", [-300, -95, 90, 1800])
def test_clock_offset_is_named_in_seconds(offset):
    result = diagnose(PARAMS, token(clock_offset=offset).display_code(NOW), NOW)
    assert not result.matches and result.cause is Cause.CLOCK_OFF
    assert "clock" in cause_text(result, PARAMS)
    assert abs(result.clock_offset - offset) <= 30 and result.remedy is Remedy.SYNC_CLOCK


def test_wrong_algorithm():
    result = diagnose(PARAMS, token(hmac=0x02).display_code(NOW), NOW)
    assert result.cause is Cause.ALGORITHM and "SHA256, not SHA1" in cause_text(result, PARAMS)


def test_wrong_period():
    result = diagnose(PARAMS, token(step=0x3C).display_code(NOW), NOW)
    assert result.cause is Cause.PERIOD and result.period == 60
    assert "60 s steps, not 30 s" in cause_text(result, PARAMS)


def test_hex_secret_read_as_base32():
    # Only text valid in both encodings can be mixed up without an error: A-F and 2-7.
    hex_text = "ABCDEF234567ABCDEF234567ABCDEF234567ABCD"
    intended = OtpParams(secret=decode_hex(hex_text))
    misread = decode_base32(hex_text)
    result = diagnose(intended, token(seed=misread.hex()).display_code(NOW), NOW)
    assert "read as base32 although it is hex" in cause_text(result, intended)


def test_base32_secret_read_as_hex():
    base32_text = "ABCDEF2345672345ABCDEF2345672345"
    intended = OtpParams(secret=decode_base32(base32_text))
    misread = decode_hex(base32_text)
    result = diagnose(intended, token(seed=misread.hex()).display_code(NOW), NOW)
    assert "read as hex although it is base32" in cause_text(result, intended)


def test_ascii_secret():
    result = diagnose(PARAMS, token(seed=encode_base32(SECRET).encode().hex()).display_code(NOW), NOW)
    assert result.cause is Cause.BASE32_AS_TEXT and "ASCII" in cause_text(result, PARAMS)


def test_digits():
    eight = OtpParams(secret=SECRET, digits=8)
    from otpburn.otp import totp

    result = diagnose(PARAMS, totp(SECRET, NOW, digits=8), NOW)
    assert result.cause is Cause.DIGITS and result.digits == 8
    assert "8 digits where the account expects 6" in cause_text(result, PARAMS)
    assert diagnose(eight, totp(SECRET, NOW, digits=8), NOW).matches


def test_unrelated_code():
    result = diagnose(PARAMS, "000000" if token().display_code(NOW) != "000000" else "111111", NOW)
    assert not result.matches and result.cause is Cause.UNKNOWN
    assert "none of the likely mistakes" in cause_text(result, PARAMS)


def test_hotp_counter_ahead():
    params = OtpParams(secret=SECRET, type=OtpType.HOTP, counter=3)
    assert diagnose(params, hotp(SECRET, 4), NOW).matches
    result = diagnose(params, hotp(SECRET, 9), NOW)
    assert result.cause is Cause.COUNTER_AHEAD and result.counter == 9
    assert "counter 9" in cause_text(result, params)


def test_bad_typed_code():
    with pytest.raises(InputError):
        diagnose(PARAMS, "12a456", NOW)


def test_verify_command(cli, tmp_path):
    path = tmp_path / "uri.txt"
    path.write_text(f"otpauth://totp/Acme:bob?secret={encode_base32(SECRET)}")
    shown = token(clock_offset=-120).display_code(NOW)
    result = cli("verify", "--uri-file", str(path), "--code", shown, "--at", str(NOW))
    out = result.stdout.decode()
    assert result.returncode == 4 and "clock is about 120 s behind" in out and "--sync-clock" in out
    good = cli("verify", "--uri-file", str(path), "--code", token().display_code(NOW), "--at", str(NOW), "--json")
    assert good.returncode == 0 and '"matches": true' in good.stdout.decode()
    entries = [json.loads(line) for line in open(os.environ["OTPBURN_AUDIT_LOG"])]
    assert [e["result"] for e in entries if e["operation"] == "verify"][-2:] == ["mismatch", "match"]
    assert encode_base32(SECRET) not in json.dumps(entries)


UNICODE_DIGITS = [chr(code) for code in range(0x110000) if chr(code).isdigit() and not chr(code).isascii()]


def test_every_non_ascii_digit_is_refused_in_one_line():
    """str.isdigit() takes ٣, ３, ³ and some 700 more; the comparison with the seed's code takes ASCII only.
    Each one, anywhere in a code, is a clear refusal (it was a TypeError, an internal error)."""
    params = OtpParams(secret=b"12345678901234567890")
    assert len(UNICODE_DIGITS) > 600
    for digit in UNICODE_DIGITS:
        for code in (digit * 6, "12345" + digit, digit + "23456"):
            with pytest.raises(InputError, match="0 to 9"):
                diagnose(params, code)


def test_verify_refuses_full_width_digits_on_the_command_line(cli):
    result = cli("verify", "--code", "１２３４５６", stdin="otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP")
    assert result.returncode == 2
    assert result.stderr.decode().strip().splitlines() == [
        "otpburn: type the digits the token shows, 0 to 9 (spaces are fine)"]
