"""The Entra registrar (MSAL sign-in, Microsoft Graph) against the Graph contract server.

This is a contract test: no tenant is reachable from here (see tests/support/graph_contract.py).
"""

import datetime
import hashlib
import json
import ssl

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from otpburn.cli.wording import describe
from otpburn.errors import RegistrationError, RegistrationProblem, Remedy
from otpburn.otp import Algorithm, OtpParams, OtpType
from otpburn.provisioning.enrollment import CodeOrigin, code_from_seed, enroll, prepare
from otpburn.provisioning.records import audit
from otpburn.registrars.base import Enrollment
from otpburn.registrars.entra import EntraRegistrar
from otpburn.registrars.factory import open_registrar
from otpburn.registrars.settings import load_settings
from tests.conftest import GRAPH_UPN as UPN
from tests.support.graph_contract import CLIENT_ID, DEVICES, decode_secret, totp


def registrar(path, name="entra", **kwargs):
    settings = load_settings(name, path)
    return EntraRegistrar(settings, **kwargs) if kwargs else open_registrar(settings)


def seed(secret=b"entra contract seed!", **fields):
    return OtpParams(secret=secret, issuer="Contoso", account=UPN, **fields)


@pytest.mark.parametrize("fields,hash_function", [({}, "hmacsha1"),
                                                  ({"algorithm": Algorithm.SHA256, "period": 60}, "hmacsha256")])
def test_create_assign_and_activate(graph, fields, hash_function):
    params = seed(**fields)
    entra = registrar(graph.registrar_file())
    user = prepare(entra, params, UPN)
    result = enroll(entra, Enrollment("TOTP0001", params, UPN, "Token2", "C302-i"), code_from_seed(params))
    assert result.registration.activated and result.code_origin is CodeOrigin.SEED
    device = graph.directory.device("TOTP0001")
    assert device["assignedTo"] == {"id": user.id, "displayName": "Amy Masters"}
    assert device["status"] == "activated" and device["hashFunction"] == hash_function
    assert (device["manufacturer"], device["model"], device["timeIntervalInSeconds"]) == ("Token2", "C302-i",
                                                                                        params.period)
    assert decode_secret(device) == params.secret
    entries = [e for e in audit.read_entries() if e.get("serial") == "TOTP0001"]
    assert [(e["operation"], e["result"]) for e in entries][-2:] == [("register", "ok"), ("activate", "ok")]


def test_duplicate_resume_and_force(graph):
    path = graph.registrar_file()
    params = seed()
    first = enroll(registrar(path), Enrollment("TOTP0002", params, UPN), None)
    assert first.code_origin is None and graph.directory.device("TOTP0002")["status"] == "assigned"
    again = enroll(registrar(path), Enrollment("TOTP0002", params, UPN), code_from_seed(params))
    assert again.registration.resumed and graph.directory.device("TOTP0002")["status"] == "activated"
    done = enroll(registrar(path), Enrollment("TOTP0002", params, UPN), code_from_seed(params))
    assert done.registration.resumed and done.registration.activated and done.code_origin is None

    with pytest.raises(RegistrationError) as caught:
        enroll(registrar(path), Enrollment("TOTP0002", params), None)  # nobody: another registration
    assert caught.value.problem is RegistrationProblem.DUPLICATE and caught.value.remedy is Remedy.REPLACE_TOKEN
    assert str(caught.value) == "Entra ID already has a token with serial TOTP0002 (assigned to Amy Masters)"
    other = seed(b"another entra seed!!")
    replaced = enroll(registrar(path), Enrollment("TOTP0002", other, UPN), code_from_seed(other), force=True)
    assert replaced.registration.replaced and decode_secret(graph.directory.device("TOTP0002")) == other.secret


def test_an_expired_access_token_is_refreshed_once(graph):
    entra = registrar(graph.registrar_file())
    entra.check()
    graph.directory.expire_tokens()
    assert entra.find_user(UPN).name == UPN
    token_requests = [r for r in graph.directory.requests if r[1] == "user"]
    assert len(token_requests) == 2


def test_a_throttled_request_waits_as_asked(graph):
    waits = []
    entra = registrar(graph.registrar_file(), sleep=waits.append)
    graph.directory.fail_next("create", 429, "TooManyRequests", "Too many requests", retry_after=7)
    graph.directory.fail_next("create", 503, "serviceNotAvailable", "Service unavailable", retry_after=2)
    enroll(entra, Enrollment("TOTP0003", seed(), UPN), code_from_seed(seed()))
    assert waits == [7.0, 2.0]
    assert graph.directory.requests.count(("POST", "create")) == 3
    assert "Microsoft Graph throttles otpburn (HTTP 429); waiting 7 s as it asks" in entra.notes

    graph.directory.fail_next("create", 503, times=10, retry_after=1)
    with pytest.raises(RegistrationError) as caught:
        enroll(entra, Enrollment("TOTP0004", seed(), UPN), None)
    assert caught.value.problem is RegistrationProblem.RATE_LIMITED and caught.value.retryable
    assert str(caught.value) == "Microsoft Graph is busy (HTTP 503) and asks to wait 1 s more"


def test_a_wait_of_hundreds_of_digits_is_more_than_a_day(graph):
    entra = registrar(graph.registrar_file(), sleep=pytest.fail)
    graph.directory.fail_next("create", 429, retry_after=int("9" * 400))  # as a float: inf
    with pytest.raises(RegistrationError) as caught:
        enroll(entra, Enrollment("TOTP0005", seed(), UPN), None)
    assert str(caught.value) == "Microsoft Graph throttles otpburn (HTTP 429) and asks to wait more than a day"


@pytest.mark.parametrize("setup,stage,problem,message", [
    (lambda d: d.granted.discard("Policy.ReadWrite.AuthenticationMethod"), "register", RegistrationProblem.PERMISSION,
     "Microsoft Graph refused this (Authorization_RequestDenied: Insufficient privileges to complete the operation.): "
     "the app registration needs the application permissions Policy.ReadWrite.AuthenticationMethod and "
     "UserAuthenticationMethod.ReadWrite.All, with admin consent"),
    (lambda d: d.granted.discard("UserAuthenticationMethod.ReadWrite.All"), "register",
     RegistrationProblem.PERMISSION, "UserAuthenticationMethod.ReadWrite.All, with admin consent"),
    (lambda d: setattr(d, "method_enabled", False), "register", RegistrationProblem.METHOD_DISABLED,
     "hardware OATH tokens are not enabled in this tenant"),
    (lambda d: d.fail_next("create", 400, "invalidRequest", "The user account is disabled."), "register",
     RegistrationProblem.REFUSED, "Microsoft Graph refused it (HTTP 400: invalidRequest: The user account is "
                                  "disabled.)"),
    (lambda d: d.fail_next("create", 500, "generalException", "General exception while processing."), "register",
     RegistrationProblem.SERVER, "Microsoft Graph failed (HTTP 500: generalException: General exception while "
                                 "processing.)"),
])
def test_graph_errors_are_named(graph, setup, stage, problem, message):
    setup(graph.directory)
    with pytest.raises(RegistrationError) as caught:
        enroll(registrar(graph.registrar_file()), Enrollment("TOTP0005", seed(), UPN), None)
    assert caught.value.problem is problem and caught.value.stage == stage
    assert message in str(caught.value)


def test_unknown_user_wrong_code_and_wrong_secret(graph, tmp_path):
    path = graph.registrar_file()
    with pytest.raises(RegistrationError) as caught:
        prepare(registrar(path), seed(), "nobody@contoso.onmicrosoft.com")
    assert caught.value.problem is RegistrationProblem.USER_NOT_FOUND
    assert str(caught.value) == "Entra ID has no user 'nobody@contoso.onmicrosoft.com'"

    params = seed()
    right = totp(params.secret, __import__("time").time(), 30, hashlib.sha1)
    wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"
    with pytest.raises(RegistrationError) as caught:
        enroll(registrar(path), Enrollment("TOTP0006", params, UPN), lambda: (wrong, CodeOrigin.TOKEN_DISPLAY))
    assert caught.value.problem is RegistrationProblem.CODE_REJECTED and caught.value.remedy is Remedy.TOKEN_CODE
    assert "Entra ID does not accept the code (invalidRequest: The verification code is invalid.)" == str(caught.value)

    (tmp_path / "client-secret").write_text("wrong secret\n")
    with pytest.raises(RegistrationError) as caught:
        registrar(path).check()
    assert caught.value.problem is RegistrationProblem.SIGN_IN
    assert str(caught.value).startswith("Entra ID refused otpburn's sign-in (invalid_client: AADSTS7000215")
    assert "wrong secret" not in str(caught.value)


def test_settings_the_identity_system_cannot_hold_are_refused_before_any_request(graph):
    entra = registrar(graph.registrar_file())
    for params, words in [(seed(algorithm=Algorithm.SHA512), "Entra ID takes only SHA1 or SHA256 tokens, not SHA512"),
                          (seed(digits=8), "Entra ID takes only 6-digit codes, not 8"),
                          (seed(type=OtpType.HOTP), "Entra ID takes only TOTP tokens, not HOTP"),
                          (seed(period=45), "Entra ID takes only periods of 30 s or 60 s, not 45 s")]:
        with pytest.raises(RegistrationError) as refused:
            prepare(entra, params, UPN)
        assert refused.value.problem is RegistrationProblem.REFUSED
        assert describe(refused.value) == words
    assert graph.directory.requests == []


def test_device_code_sign_in_is_cached_privately(graph):
    shown = []
    path = graph.registrar_file(sign_in="device-code")
    entra = EntraRegistrar(load_settings("entra", path), notify=shown.append)
    assert entra.check() == "tenant contoso.onmicrosoft.com"
    assert any("enter the code ABCD-EFGH" in text for text in shown)
    cache = graph.folder / "entra.cache"
    assert cache.stat().st_mode & 0o777 == 0o600
    again = EntraRegistrar(load_settings("entra", path), notify=shown.append)
    before = len(shown)
    again.check()
    assert not any("ABCD-EFGH" in text for text in shown[before:])  # signed in from the cache


def test_certificate_sign_in(graph):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "otpburn station")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    pem = graph.folder / "station.pem"
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()) + cert.public_bytes(serialization.Encoding.PEM))
    pem.chmod(0o600)
    entra = registrar(graph.registrar_file(sign_in="certificate", **{"certificate-file": str(pem)}))
    assert entra.check() == "tenant contoso.onmicrosoft.com"


@pytest.mark.parametrize("change,message", [
    ({"extra": 1}, "Invalid property 'extra'"),
    ({"timeIntervalInSeconds": "30"}, "Cannot convert the value of property 'timeIntervalInSeconds'"),
    ({"secretKey": "A" * 129}, "at most 128 characters"),
    ({"hashFunction": "hmacsha512"}, "not a valid hardwareOathTokenHashFunction"),
    ({"timeIntervalInSeconds": 45}, "must be 30 or 60"),
])
def test_the_contract_refuses_what_graph_refuses(graph, change, message):
    entra = registrar(graph.registrar_file())
    token = entra._token()
    body = {"serialNumber": "X1", "manufacturer": "Token2", "model": "C302", "secretKey": "GEZDGNBV",
            "timeIntervalInSeconds": 30, **change}
    answer = httpx.post(graph.url + DEVICES, json=body, headers={"Authorization": f"Bearer {token}"},
                        verify=ssl.create_default_context(cafile=str(graph.ca)))
    assert answer.status_code == 400 and message in json.loads(answer.content)["error"]["message"]
    assert CLIENT_ID not in answer.text
