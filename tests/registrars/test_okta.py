"""The Okta registrar (custom OTP factor) against the Okta contract server (tests/support/okta_contract.py).

This is a contract test: no Okta org is reachable from here.
"""

from __future__ import annotations

import json

import pytest

from otpburn.cli.wording import describe
from otpburn.errors import RegistrationError, RegistrationProblem, Remedy
from otpburn.otp import Algorithm, OtpParams, OtpType, hotp
from otpburn.provisioning.enrollment import (
    CodeOrigin,
    check_before_burn,
    code_from_seed,
    enroll,
    fixed_code,
    prepare,
)
from otpburn.provisioning.records import audit
from otpburn.registrars.base import Enrollment, RegistrationState
from otpburn.registrars.factory import open_registrar
from otpburn.registrars.settings import load_settings
from tests.support.okta_contract import OktaContractServer


@pytest.fixture
def okta(tmp_path):
    with OktaContractServer(tmp_path) as server:
        server.org.add_user("alice@example.com", "Alice", "Example")
        server.org.add_user("bob@example.com", "Bob", "Builder")
        yield server


def registrar(path, name="okta"):
    return open_registrar(load_settings(name, path))


def seed(secret=b"okta contract seed!!", **fields):
    return OtpParams(secret=secret, issuer="Acme", account="alice", **fields)


@pytest.mark.parametrize("encoding", ["base32", "hex", "base64"])
def test_enrol_and_activate_a_custom_otp_factor(okta, encoding):
    okta.org.profile.encoding = encoding
    path = okta.registrar_file(**{"secret-encoding": encoding})
    params = seed()
    okta_registrar = registrar(path)
    user = prepare(okta_registrar, params, "alice@example.com")
    result = enroll(okta_registrar, Enrollment("8659622000001", params, "alice@example.com"),
                    code_from_seed(params))
    assert result.registration.state is RegistrationState.ACTIVATED and result.code_origin is CodeOrigin.SEED
    assert result.registration.user == user and user.display_name == "Alice Example"
    (factor,) = okta.org.factors_of("alice@example.com")
    assert factor["status"] == "ACTIVE" and factor["_secret"] == params.secret
    entries = [e for e in audit.read_entries() if e.get("serial") == "8659622000001"]
    assert [(e["operation"], e["result"]) for e in entries][-2:] == [("register", "ok"), ("activate", "ok")]
    assert params.secret.hex() not in json.dumps(entries)


def test_an_hotp_sha256_profile(okta):
    okta.org.profile.totp, okta.org.profile.algorithm, okta.org.profile.digits = False, "SHA256", 8
    params = seed(type=OtpType.HOTP, algorithm=Algorithm.SHA256, digits=8)
    code = hotp(params.secret, 0, 8, Algorithm.SHA256)
    result = enroll(registrar(okta.registrar_file()), Enrollment("H1", params, "bob@example.com"),
                    fixed_code(code, CodeOrigin.TOKEN_DISPLAY))
    assert result.registration.activated


def test_a_code_the_profile_does_not_compute_is_named(okta):
    okta.org.profile.digits = 8  # the profile says 8 digits; the token shows 6
    params = seed()
    with pytest.raises(RegistrationError) as caught:
        enroll(registrar(okta.registrar_file()), Enrollment("T1", params, "alice@example.com"), code_from_seed(params))
    assert caught.value.problem is RegistrationProblem.CODE_REJECTED and caught.value.remedy is Remedy.TOKEN_CODE
    assert "factor profile's settings" in describe(caught.value)


def test_an_existing_factor_is_refused_before_the_burn_and_replaced_with_force(okta):
    path = okta.registrar_file()
    params = seed()
    enroll(registrar(path), Enrollment("T2", params, "alice@example.com"), code_from_seed(params))
    with pytest.raises(RegistrationError) as caught:  # the flow's check with the token on the reader
        check_before_burn(registrar(path), Enrollment("T3", params, "alice@example.com"))
    assert caught.value.problem is RegistrationProblem.DUPLICATE
    assert "Okta already has a custom OTP factor for alice@example.com" in str(caught.value)
    other = seed(b"the replacement seed")
    replaced = enroll(registrar(path), Enrollment("T3", other, "alice@example.com"), code_from_seed(other),
                      force=True)
    assert replaced.registration.replaced and replaced.registration.activated
    (factor,) = okta.org.factors_of("alice@example.com")
    assert factor["_secret"] == other.secret


@pytest.mark.parametrize("setup,problem,words", [
    (lambda okta: okta.registrar_file(token="wrong-token"), RegistrationProblem.SIGN_IN,
     "Okta refused the API token (Invalid token provided)"),
    (lambda okta: okta.org.__setattr__("allowed", False) or okta.registrar_file(), RegistrationProblem.PERMISSION,
     "may not do this (You do not have permission"),
])
def test_failures_are_named(okta, setup, problem, words):
    path = setup(okta)
    with pytest.raises(RegistrationError) as caught:
        enroll(registrar(path), Enrollment("F1", seed(), "alice@example.com"), None)
    assert caught.value.problem is problem and words in describe(caught.value)


def test_unknown_user_and_a_user_is_needed(okta):
    okta_registrar = registrar(okta.registrar_file())
    with pytest.raises(RegistrationError) as caught:
        prepare(okta_registrar, seed(), "nobody@example.com")
    assert caught.value.problem is RegistrationProblem.USER_NOT_FOUND
    with pytest.raises(RegistrationError) as caught:
        enroll(okta_registrar, Enrollment("N1", seed()), None)
    assert describe(caught.value).endswith("give --user NAME")  # the CLI's words for the remedy


def test_rate_limits_are_waited_out_until_the_reset_okta_names(okta):
    okta.org.throttle = 1
    assert registrar(okta.registrar_file()).find_user("bob@example.com").name == "bob@example.com"
    assert okta.org.requests.count(("GET", "/api/v1/users/bob@example.com")) == 2


def test_burn_registers_and_activates_on_the_virtual_token(cli, okta):
    path = okta.registrar_file()
    uri = "otpauth://totp/Acme:alice?secret=JBSWY3DPEHPK3PXPJBSWY3DP&issuer=Acme"
    burned = cli("burn", "--reader", "virtual", "--yes", "--register", "okta", "--user", "alice@example.com",
                 "--registrar-file", str(path), stdin=uri)
    out = burned.stdout.decode()
    assert burned.returncode == 0, burned.stderr.decode()
    assert "Registered 8659622000001 in Okta for alice@example.com (registered)." in out
    assert "Activated: Okta accepts the code shown by the token." in out
    (factor,) = okta.org.factors_of("alice@example.com")
    assert factor["status"] == "ACTIVE"


def test_register_check_signs_in_and_finds_the_user(cli, okta):
    path = str(okta.registrar_file())
    checked = cli("register", "okta", "--check", "--user", "bob@example.com", "--registrar-file", path)
    assert checked.returncode == 0, checked.stderr.decode()
    out = checked.stdout.decode()
    assert "bob@example.com" in out and okta.url.split("://")[1] in out
    refused = cli("register", "bad", "--check", "--registrar-file", str(okta.registrar_file("bad", token="nope")))
    assert refused.returncode != 0
    assert refused.stderr.decode().count("\n") == 1 and "Okta refused the API token" in refused.stderr.decode()
