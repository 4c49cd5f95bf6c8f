"""The YKOATH driver against the emulated applet through the in-process virtual reader."""

import time

import pytest

from otpburn.cli.wording import describe, exit_code_for
from otpburn.emulator.ykoath import OathState, YkoathEmulator
from otpburn.errors import InputError, Remedy, VerificationError
from otpburn.otp import Algorithm, OtpParams, OtpType, totp
from otpburn.otp.refusals import RefusalKind
from otpburn.provisioning.burn.families import burn
from otpburn.provisioning.burn.steps import BurnFailedError, BurnOptions
from otpburn.tokens.detect import Credentials, open_session
from otpburn.tokens.ykoath import (
    OathCredentials,
    PasswordRequiredError,
    WrongPasswordError,
    YkoathSession,
    time_challenge,
)
from otpburn.transport import Channel, VirtualReader
from otpburn.transport.status import StatusWordError

SECRET = b"12345678901234567890"


def session_for(card, password=None) -> YkoathSession:
    """A session opened as a front end opens one: with the applet's password, when one was given."""
    credentials = Credentials(oath=OathCredentials((lambda: password) if password is not None else None))
    session = open_session(Channel(VirtualReader(card).connect()), credentials)
    assert isinstance(session, YkoathSession)
    return session


def params(**changes):
    return OtpParams(secret=SECRET, issuer="Example", account="alice@google.com").replace(**changes)


def test_burn_verifies_automatically():
    card = YkoathEmulator()
    report = burn(session_for(card), params(), BurnOptions())
    assert report.credential == "Example:alice@google.com"
    assert report.verification.matches and report.verification.token_code == report.verification.host_code
    assert card.code("Example:alice@google.com", time_challenge(59, 30)) == "287082"


@pytest.mark.parametrize(
    "changes,name",
    [
        ({"algorithm": Algorithm.SHA512, "digits": 8}, "Example:alice@google.com"),
        ({"secret": b"0123456789"}, "Example:alice@google.com"),  # 10-byte key: padded to 14
        ({"secret": bytes(range(100)), "algorithm": Algorithm.SHA256}, "Example:alice@google.com"),  # hashed
        ({"period": 60}, "60/Example:alice@google.com"),
        ({"account": "a" * 55}, "Example:" + "a" * 55),
    ],
)
def test_unusual_credentials_burn_and_verify(changes, name):
    card = YkoathEmulator()
    report = burn(session_for(card), params(**changes), BurnOptions())
    assert report.credential == name and report.verification.matches


def test_name_too_long_is_refused_before_writing():
    card = YkoathEmulator()
    with pytest.raises(BurnFailedError, match="at most 64"):
        burn(session_for(card), params(account="a" * 60), BurnOptions())
    assert card.state.credentials == {}


def test_existing_name_needs_overwrite():
    card = YkoathEmulator()
    burn(session_for(card), params(), BurnOptions())
    with pytest.raises(BurnFailedError, match="already holds a credential") as failure:
        burn(session_for(card), params(secret=b"another secret 1234"), BurnOptions())
    report = burn(session_for(card), params(secret=b"another secret 1234"), BurnOptions(replace=True))
    assert report.verification.matches
    assert failure.value.cause is not None and failure.value.cause.remedy is Remedy.FORCE


def test_hotp_is_stored_without_moving_its_counter():
    card = YkoathEmulator()
    report = burn(session_for(card), params(type=OtpType.HOTP, counter=5), BurnOptions())
    assert report.verification is None
    assert card.state.credentials[b"Example:alice@google.com"].counter == 5


def test_password_protected_applet():
    card = YkoathEmulator()
    card.set_password("correct horse")
    with pytest.raises(BurnFailedError, match="password protected"):
        burn(session_for(card), params(), BurnOptions())
    with pytest.raises(BurnFailedError) as info:
        burn(session_for(card, "wrong"), params(), BurnOptions())
    assert isinstance(info.value.cause, WrongPasswordError)
    assert card.state.validate_attempts == 1  # never retried
    report = burn(session_for(card, "correct horse"), params(), BurnOptions())
    assert report.verification.matches


def test_password_set_and_removed_by_the_driver():
    card = YkoathEmulator()
    session = session_for(card)
    session.set_password("s3cret")
    session = session_for(card)
    assert session.locked
    with pytest.raises(PasswordRequiredError):
        session.list()
    session.validate("s3cret")
    session.set_password(None)
    assert not session_for(card).locked


def test_full_applet_reports_no_space():
    card = YkoathEmulator(OathState(capacity=3))
    for index in range(3):
        burn(session_for(card), params(account=f"user{index}"), BurnOptions())
    with pytest.raises(BurnFailedError, match="the applet is full"):
        burn(session_for(card), params(account="user3"), BurnOptions())


def test_long_lists_are_chained():
    card = YkoathEmulator(OathState(capacity=40))
    session = session_for(card)
    for index in range(30):
        session.put(params(account=f"someone.with.a.long.name.{index:02d}@example.com"))
    names = [c.name for c in session.list()]
    assert len(names) == 30 and names[-1].endswith("29@example.com")
    codes = session.calculate_all(time_challenge(time.time(), 30))
    assert len(codes) == 30 and all(len(code) == 6 for code in codes.values())


def test_delete_and_missing_credential():
    card = YkoathEmulator()
    session = session_for(card)
    session.put(params())
    session.delete("Example:alice@google.com")
    assert session.list() == []
    with pytest.raises(StatusWordError, match="no such credential"):
        session.delete("Example:alice@google.com")


def test_touch_credentials_compute_when_asked():
    card = YkoathEmulator()
    session = session_for(card)
    session.put(params(), touch=True)
    now = time.time()
    assert session.calculate_all(time_challenge(now, 30)) == {"Example:alice@google.com": None}
    assert session.calculate("Example:alice@google.com", time_challenge(now, 30)) == totp(SECRET, now)


def test_mismatch_is_a_verification_failure(monkeypatch):
    card = YkoathEmulator()
    session = session_for(card)
    monkeypatch.setattr(session, "calculate", lambda name, challenge: "000000")
    with pytest.raises(BurnFailedError) as info:
        burn(session, params(), BurnOptions())
    assert isinstance(info.value.cause, VerificationError) and exit_code_for(info.value) == 4


def test_refusals_for_the_family():
    card = YkoathEmulator()
    with pytest.raises(BurnFailedError) as info:
        burn(session_for(card), params(digits=9), BurnOptions())
    assert isinstance(info.value.cause, InputError)


def test_hotp_counter_beyond_four_bytes_is_refused_before_anything_is_written():
    card = YkoathEmulator()
    with pytest.raises(BurnFailedError) as failure:
        burn(session_for(card), params(type=OtpType.HOTP, counter=2**32), BurnOptions())
    assert str(failure.value.step) == "preflight" and card.state.credentials == {}
    (refusal,) = failure.value.cause.refusals
    assert (refusal.kind, refusal.wanted, refusal.allowed) == (RefusalKind.COUNTER, 2**32, (4294967295,))
    assert "HOTP counter starts at 4294967295 at most, not 4294967296" in describe(failure.value)
