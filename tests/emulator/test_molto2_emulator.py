"""The Molto2 driver and burn against the emulated device in an in-process reader named like the real one.

(The same flows through pyscard -> pcscd -> vpcd are in tests/integration/test_molto2_pcsc.py.)
"""

import hashlib
import os
import stat
import time

import pytest

from otpburn.emulator.faults import Fault, FaultPlan
from otpburn.emulator.molto2 import Molto2Emulator, Molto2Memory
from otpburn.emulator.token2 import Token2Emulator
from otpburn.otp.params import Algorithm, OtpParams
from otpburn.provisioning.admin.molto2 import KeyChangeNotConfirmedError, confirm_new_key, sync_clocks, wait_for_reset
from otpburn.provisioning.burn.families import burn
from otpburn.provisioning.burn.molto2 import ProfileOccupiedError, authenticate
from otpburn.provisioning.burn.steps import BurnFailedError, BurnOptions, Molto2Options, TokenState
from otpburn.provisioning.records import attempts
from otpburn.tokens import molto2
from otpburn.tokens.detect import Credentials, UnknownTokenError, open_session
from otpburn.transport.channel import Channel
from otpburn.transport.virtual import VirtualReader
from tests.support.otp_reference import reference_totp, wait_for_step_start

READER = "TOKEN2 Molto2 [CCID Interface] 00 00"
FACTORY = molto2.FACTORY_CUSTOMER_KEY
SEED = b"molto2 profile seed!"  # 20 bytes


def session_on(card, name=READER, key=FACTORY, last_attempt=False):
    """A session opened as a front end opens one: with the customer key (asked for only when a write needs it)."""
    credentials = Credentials(molto2=molto2.Molto2Credentials(lambda: key, last_attempt))
    return open_session(Channel(VirtualReader(card, name=name).connect()), credentials)


def params(**changes):
    return OtpParams(secret=SEED, issuer="Example", account="amy", **changes)


def options(profile=0, title=None, **changes):
    return BurnOptions(molto2=Molto2Options(profile=profile, title=title), **changes)


def test_identified_by_its_reader_name_and_plain_reads_only():
    card = Molto2Emulator()
    session = session_on(card)
    assert isinstance(session, molto2.Molto2Session)
    assert session.info.serial == card.memory.serial and session.info.model == "Molto2"
    assert card.memory.log == ["info", "info"]  # device information and profile 0's public block
    assert card.memory.auth_attempts == 0


def test_a_molto2_on_a_reader_not_named_so_is_left_alone():
    card = Molto2Emulator()
    with pytest.raises(UnknownTokenError):
        session_on(card, name="ACS ACR122U 00 00")
    assert card.memory.auth_attempts == 0 and "info" in card.memory.log


def test_a_single_profile_token_is_never_sent_molto2_commands_elsewhere():
    session = session_on(Token2Emulator(), name="ACS ACR122U 00 00")
    assert not isinstance(session, molto2.Molto2Session)


@pytest.mark.parametrize(("digits", "period", "algorithm"), [(6, 30, Algorithm.SHA1), (8, 60, Algorithm.SHA256),
                                                             (10, 30, Algorithm.SHA1)])
def test_burn_one_profile_and_the_display_shows_rfc6238(digits, period, algorithm):
    card = Molto2Emulator()
    session = session_on(card)
    wait_for_step_start(period)
    report = burn(session, params(digits=digits, period=period, algorithm=algorithm), options(7, sync_clock=True))
    assert report.profile == 7 and report.title == "Example"
    digest = hashlib.sha256 if algorithm is Algorithm.SHA256 else hashlib.sha1
    now = time.time()
    assert card.profile_code(7, now) == reference_totp(SEED, now, period, digest, digits)
    profile = session.profile(7)
    assert (profile.occupied, profile.title, profile.algorithm, profile.digits, profile.period) == (
        True, "Example", algorithm, digits, period)
    assert card.memory.auth_attempts == 1


def test_the_write_order_never_leaves_a_seed_under_other_settings():
    card = Molto2Emulator()
    session = session_on(card)
    burn(session, params(), options(3, sync_clock=True))
    card.memory.log.clear()
    burn(session, params(digits=8, period=60), options(3, sync_clock=True, replace=True, title="Other"))
    writes = [entry for entry in card.memory.log if entry != "info"]
    assert writes == ["delete", "set_config", "set_title", "set_seed"]  # the old seed goes before new settings


def test_an_occupied_profile_is_refused_without_replace():
    card = Molto2Emulator()
    session = session_on(card)
    burn(session, params(), options(0, sync_clock=True))
    with pytest.raises(BurnFailedError) as failure:
        burn(session, params(), options(0))
    assert isinstance(failure.value.cause, ProfileOccupiedError) and failure.value.state is TokenState.UNTOUCHED
    assert card.memory.auth_attempts == 1  # refused before any authentication


def test_a_link_lost_after_the_settings_leaves_an_empty_profile():
    card = Molto2Emulator(faults=FaultPlan([Fault("drop-after", 0xD4)]))
    reader = VirtualReader(card, name=READER)
    session = open_session(Channel(reader.connect()), Credentials(molto2=molto2.Molto2Credentials(lambda: FACTORY)))
    with pytest.raises(BurnFailedError) as failure:
        burn(session, params(), options(1, sync_clock=True))
    assert failure.value.state is TokenState.PROFILE_EMPTY
    assert card.memory.profiles[1].seed is None


def test_a_wrong_key_is_sent_once_and_names_the_attempts_left():
    card = Molto2Emulator()
    session = session_on(card, key=b"not the key")
    with pytest.raises(BurnFailedError) as failure:
        burn(session, params(), options(0))
    cause = failure.value.cause
    assert isinstance(cause, molto2.WrongCustomerKeyError) and cause.remaining == 9
    assert "9 attempts remain" in str(cause) and card.memory.auth_attempts == 1
    assert attempts.remaining(card.memory.serial) == 9
    # The same process never tries again, not even with the right key.
    with pytest.raises(molto2.AlreadyRefusedError):
        session_on(card).authenticate(FACTORY)
    assert card.memory.auth_attempts == 1


def test_one_attempt_left_needs_consent_and_a_success_forgets_the_count():
    card = Molto2Emulator(Molto2Memory(attempts_left=2))
    with pytest.raises(molto2.WrongCustomerKeyError):
        authenticate(session_on(card, key=b"wrong"))
    molto2.forget_refusals()  # a new run
    with pytest.raises(molto2.LastAttemptError):
        authenticate(session_on(card))
    assert card.memory.auth_attempts == 1
    authenticate(session_on(card, last_attempt=True))
    assert attempts.remaining(card.memory.serial) is None and card.memory.attempts_left == 10


def test_a_locked_device_is_reported_as_locked():
    card = Molto2Emulator(Molto2Memory(attempts_left=1))
    with pytest.raises(molto2.DeviceLockedError):
        authenticate(session_on(card, key=b"wrong", last_attempt=True))
    assert card.memory.locked
    molto2.forget_refusals()
    with pytest.raises(molto2.DeviceLockedError):  # remembered: not even sent again
        authenticate(session_on(card))
    assert card.memory.auth_attempts == 1


def test_the_key_change_completes_only_after_the_button():
    card = Molto2Emulator()
    session = session_on(card)
    authenticate(session)
    assert session.change_key(b"NEW-CUSTOMER-KEY") is True
    assert card.memory.key == molto2.sm4_key(FACTORY).hex()  # nothing changed before the press
    with pytest.raises(KeyChangeNotConfirmedError):
        confirm_new_key(session, b"NEW-CUSTOMER-KEY")
    molto2.forget_refusals()
    session = session_on(card)
    authenticate(session)
    session.change_key(b"NEW-CUSTOMER-KEY")
    assert card.press_button() == "key"
    confirm_new_key(session, b"NEW-CUSTOMER-KEY")
    assert card.memory.key == molto2.sm4_key(b"NEW-CUSTOMER-KEY").hex()


def test_factory_reset_waits_for_the_button_within_its_budget():
    card = Molto2Emulator()
    session = session_on(card)
    burn(session, params(), options(2, sync_clock=True))
    assert session.factory_reset() is True
    with pytest.raises(molto2.ButtonNotPressedError):
        wait_for_reset(session, [2], checks=2)
    card.press_button()
    assert wait_for_reset(session, [2], checks=2) is True
    assert not session.profile(2).occupied and card.memory.key == molto2.sm4_key(FACTORY).hex()


def test_delete_needs_no_key_and_keeps_the_title():
    card = Molto2Emulator()
    session = session_on(card)
    burn(session, params(), options(4, sync_clock=True))
    fresh = session_on(card)
    fresh.delete(4)
    assert (fresh.profile(4).occupied, fresh.profile(4).title) == (False, "Example")
    with pytest.raises(molto2.ProfileEmptyError):
        fresh.delete(4)
    assert card.memory.auth_attempts == 1


def test_a_first_molto2_has_fifty_profiles():
    session = session_on(Molto2Emulator(Molto2Memory(profile_count=50)))
    assert len(session.profiles()) == 50 and session.profile_count == 50


def test_the_emulator_state_file_is_private(tmp_path):
    path = tmp_path / "molto2.json"
    card = Molto2Emulator(state_path=path)
    burn(session_on(card), params(), options(0, sync_clock=True))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again = Molto2Emulator(state_path=path)
    assert again.memory.profiles[0].seed == SEED.hex()


def test_the_emulator_refuses_a_bad_mac_and_an_le_on_the_profile_read():
    card = Molto2Emulator()
    session = session_on(card)
    authenticate(session)
    apdu = molto2.title_apdu(0, "x", molto2.sm4_key(FACTORY)).to_bytes()
    assert card.process(apdu[:-1] + bytes((apdu[-1] ^ 1,)))[-2:] == bytes.fromhex("6988")
    assert card.process(bytes.fromhex("80410000017000"))[-2:] == bytes.fromhex("6FFB")
    assert card.memory.profiles[0].title == ""



def test_clock_only_writes_set_every_profile_and_keep_seeds_and_settings():
    card = Molto2Emulator()
    session = session_on(card)
    burn(session, params(digits=8, period=60), options(0, sync_clock=True))
    burn(session, params(), options(1, sync_clock=True))
    for slot in card.memory.profiles[:2]:
        slot.clock_offset = -400.0  # clocks that drifted for years
    sync_clocks(session, [0, 1])
    wait_for_step_start(60)
    now = time.time()
    assert card.profile_code(0, now) == reference_totp(SEED, now, 60, hashlib.sha1, 8)
    assert card.profile_code(1, now) == reference_totp(SEED, now)
    assert (card.memory.profiles[0].digits, card.memory.profiles[0].title) == (8, "Example")
    assert all(abs(slot.clock_offset) < 1.1 for slot in card.memory.profiles[:2])
