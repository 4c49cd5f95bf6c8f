import pytest

from otpburn.otp import Algorithm, OtpParams, OtpType, code_window, hotp, matching_steps, totp

RFC4226_SECRET = b"12345678901234567890"
RFC4226_CODES = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]

RFC6238_KEYS = {
    Algorithm.SHA1: b"12345678901234567890",
    Algorithm.SHA256: b"12345678901234567890123456789012",
    Algorithm.SHA512: b"1234567890123456789012345678901234567890123456789012345678901234",
}
RFC6238_TIMES = [59, 1111111109, 1111111111, 1234567890, 2000000000, 20000000000]
RFC6238_CODES = {
    Algorithm.SHA1: ["94287082", "07081804", "14050471", "89005924", "69279037", "65353130"],
    Algorithm.SHA256: ["46119246", "68084774", "67062674", "91819424", "90698825", "77737706"],
    Algorithm.SHA512: ["90693936", "25091201", "99943326", "93441116", "38618901", "47863826"],
}


@pytest.mark.parametrize("counter,expected", list(enumerate(RFC4226_CODES)))
def test_rfc4226_appendix_d(counter, expected):
    assert hotp(RFC4226_SECRET, counter) == expected


@pytest.mark.parametrize("algorithm", list(Algorithm))
@pytest.mark.parametrize("index", range(len(RFC6238_TIMES)))
def test_rfc6238_appendix_b(algorithm, index):
    code = totp(RFC6238_KEYS[algorithm], RFC6238_TIMES[index], digits=8, algorithm=algorithm)
    assert code == RFC6238_CODES[algorithm][index]


def test_protocols_equivalence_examples():
    # protocols.md §1.8: JBSWY3DPEHPK3PXP and its zero-padded form give these codes.
    secret = bytes.fromhex("48656C6C6F21DEADBEEF")
    for key in (secret, secret + b"\0" * 10):
        assert totp(key, 59) == "996554"
        assert totp(key, 1700000000) == "324550"
        assert totp(key, 59, algorithm=Algorithm.SHA256) == "344551"
        assert totp(key, 1700000000, algorithm=Algorithm.SHA256) == "049486"


def test_code_window_totp():
    params = OtpParams(secret=RFC4226_SECRET, digits=8)
    window = code_window(params, at=59)
    assert window.current == "94287082"
    assert window.previous == totp(RFC4226_SECRET, 29, digits=8)
    assert window.next == totp(RFC4226_SECRET, 89, digits=8)
    assert window.seconds_left == 1
    assert code_window(params, at=60).seconds_left == 30
    assert code_window(params, at=60).step == 2


def test_code_window_hotp():
    params = OtpParams(secret=RFC4226_SECRET, type=OtpType.HOTP, counter=0)
    window = code_window(params)
    assert (window.previous, window.current, window.next) == ("", "755224", "287082")
    window = code_window(params.replace(counter=5))
    assert (window.previous, window.current, window.next) == ("338314", "254676", "287922")
    assert window.seconds_left == 0


def test_matching_steps_finds_offsets():
    params = OtpParams(secret=RFC4226_SECRET)
    at = 1_700_000_000
    assert matching_steps(params, totp(RFC4226_SECRET, at), at) == [0]
    assert matching_steps(params, totp(RFC4226_SECRET, at - 60), at, window=3) == [-2]
    assert matching_steps(params, "000000", at, window=0) in ([], [0])
