"""The Duo registrar (Admin API) against the Duo contract server (tests/support/duo_contract.py).

This is a contract test: no Duo account is reachable from here. Our request signatures are judged by Duo's
own Python client (`duo-client`), directly below and on every request the contract server receives.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import time

import pytest
from duo_client.client import normalize_params, sign

from otpburn.cli.wording import describe
from otpburn.errors import RegistrationError, RegistrationProblem, Remedy
from otpburn.otp import Algorithm, OtpParams, OtpType, hotp
from otpburn.provisioning.enrollment import enroll, prepare
from otpburn.provisioning.records import audit
from otpburn.registrars.base import Enrollment, RegistrationState
from otpburn.registrars.duo import authorization, canonical_body, signature
from otpburn.registrars.factory import open_registrar
from otpburn.registrars.settings import load_settings
from tests.support.duo_contract import IKEY, READ, SKEY, WRITE, DuoContractServer


@pytest.fixture
def duo(tmp_path):
    with DuoContractServer(tmp_path) as server:
        server.account.add_user("alice", "Alice Example")
        server.account.add_user("bob", "Bob Builder")
        yield server


def registrar(path, name="duo"):
    return open_registrar(load_settings(name, path))


def seed(secret=b"duo contract seed 20", **fields):
    return OtpParams(secret=secret, issuer="Acme", account="alice", **fields)


SIGNED_REQUESTS = [
    ("GET", "/admin/v1/users", {"username": "alice"}, None),
    ("GET", "/admin/v1/tokens", {"type": "t6", "serial": "8659622000001"}, None),
    ("GET", "/admin/v1/users", {"username": "ümlaut user+tag@example.com ~*'()!"}, None),
    ("GET", "/admin/v1/tokens", {"limit": "1", "offset": "0"}, None),
    ("POST", "/admin/v1/tokens", {}, {"type": "t6", "serial": "8659622000001", "secret": "31" * 20,
                                      "totp_step": "30"}),
    ("POST", "/admin/v1/users/DUABC123/tokens", {}, {"token_id": "DHXYZ789"}),
    ("DELETE", "/admin/v1/tokens/DHXYZ789", {}, None),
]


@pytest.mark.parametrize("method,path,params,fields", SIGNED_REQUESTS)
def test_signatures_equal_the_official_clients(method, path, params, fields):
    """The same request signed by our code and by duo_client's `sign` (signature version 5, HMAC-SHA512)."""
    date = email.utils.formatdate()
    body = canonical_body(fields) if fields is not None else ""
    ours = authorization(IKEY, signature(SKEY, date, method, "API-Example.DuoSecurity.com", path, params, body))
    if fields is not None:  # the client puts a POST's parameters in its JSON body, signed by their hash
        assert body == json.dumps(fields, sort_keys=True, separators=(",", ":"))
    theirs = sign(IKEY, SKEY, method, "API-Example.DuoSecurity.com", path, date, 5,
                  {} if fields is not None else normalize_params(params), body=body, digestmod=hashlib.sha512)
    assert ours == theirs


def test_register_a_totp_token_for_a_user(duo):
    duo_registrar = registrar(duo.registrar_file())
    params = seed(period=60, digits=8)
    user = prepare(duo_registrar, params, "alice")
    result = enroll(duo_registrar, Enrollment("8659622000001", params, "alice"), None)
    registration = result.registration
    assert registration.state is RegistrationState.READY and registration.user == user
    token = duo.account.token("8659622000001")
    assert (token["type"], token["totp_step"], token["_secret"]) == ("t8", 60, params.secret)
    alice = next(u for u in duo.account.users.values() if u["username"] == "alice")
    assert alice["tokens"] == [token["token_id"]]
    entries = [e for e in audit.read_entries() if e.get("serial") == "8659622000001"]
    assert [(e["operation"], e["result"]) for e in entries][-1:] == [("register", "ok")]
    assert params.secret.hex() not in json.dumps(entries)


def test_resume_duplicate_force_and_remove(duo):
    path = duo.registrar_file()
    params = seed()
    enroll(registrar(path), Enrollment("DUO0002", params, "alice"), None)
    again = enroll(registrar(path), Enrollment("DUO0002", params, "alice"), None)
    assert again.registration.resumed and len(duo.account.tokens) == 1
    with pytest.raises(RegistrationError) as caught:
        enroll(registrar(path), Enrollment("DUO0002", params, "bob"), None)
    assert caught.value.problem is RegistrationProblem.DUPLICATE and caught.value.remedy is Remedy.REPLACE_TOKEN
    assert describe(caught.value) .startswith("Duo already has a token with serial DUO0002 (assigned to alice)")
    other = seed(b"another duo seed 20!")
    replaced = enroll(registrar(path), Enrollment("DUO0002", other, "bob"), None, force=True)
    assert replaced.registration.replaced and duo.account.token("DUO0002")["_secret"] == other.secret
    assert registrar(path).remove("DUO0002") and duo.account.token("DUO0002") is None
    assert not registrar(path).remove("DUO0002")


def test_an_hotp_token_found_from_an_earlier_run_is_resynchronised(duo):
    path = duo.registrar_file()
    params = seed(type=OtpType.HOTP, counter=5)
    enroll(registrar(path), Enrollment("HOTP0001", params, "alice"), None)
    token = duo.account.token("HOTP0001")
    assert token["_counter"] == 5
    token["_counter"] = 0  # Duo's counter fell behind the token's
    enroll(registrar(path), Enrollment("HOTP0001", params, "alice"), None)
    assert token["_counter"] == 8  # resynchronised with the codes of counters 5, 6 and 7
    assert ("POST", f"/admin/v1/tokens/{token['token_id']}/resync") in duo.account.requests
    assert hotp(params.secret, 5) not in json.dumps(audit.read_entries())


def wrong_secret_key(duo):
    (duo.folder / "duo-skey").write_text("x" * 40 + "\n")


@pytest.mark.parametrize("setup,problem,words", [
    (wrong_secret_key, RegistrationProblem.SIGN_IN,
     "refused otpburn's signed request (Invalid signature in request credentials)"),
    (lambda duo: duo.account.granted.discard(WRITE), RegistrationProblem.PERMISSION,
     "give it 'Grant write resource' in the Duo Admin Panel"),
    (lambda duo: duo.account.fail_next("users", 500, 50000, "Internal error"), RegistrationProblem.SERVER,
     "Duo's Admin API failed (HTTP 500"),
])
def test_failures_are_named(duo, setup, problem, words):
    path = duo.registrar_file()
    setup(duo)
    with pytest.raises(RegistrationError) as caught:
        enroll(registrar(path), Enrollment("FAIL0001", seed(), "alice"), None)
    assert caught.value.problem is problem
    assert words in describe(caught.value)


def test_a_missing_read_permission_is_named_before_the_burn(duo):
    duo.account.granted.discard(READ)
    with pytest.raises(RegistrationError) as caught:
        prepare(registrar(duo.registrar_file()), seed(), "alice")
    assert caught.value.problem is RegistrationProblem.PERMISSION and "'Grant read resource'" in str(caught.value)


def test_unknown_user_and_settings_duo_cannot_hold(duo):
    duo_registrar = registrar(duo.registrar_file())
    with pytest.raises(RegistrationError) as caught:
        prepare(duo_registrar, seed(), "nobody")
    assert caught.value.problem is RegistrationProblem.USER_NOT_FOUND and "'nobody'" in str(caught.value)
    with pytest.raises(RegistrationError) as refused:
        prepare(duo_registrar, seed(algorithm=Algorithm.SHA256), "alice")
    assert describe(refused.value) == "Duo takes only SHA1 tokens, not SHA256"


def test_a_throttled_request_backs_off_and_goes_on(duo):
    duo.account.fail_next("users", 429, 42901, "Too many requests")
    user = registrar(duo.registrar_file()).find_user("alice")
    assert user.name == "alice"
    assert [route for route in duo.account.requests if route == ("GET", "/admin/v1/users")] == [
        ("GET", "/admin/v1/users")] * 2


def test_a_request_dated_far_from_duos_clock_says_so(duo, monkeypatch):
    real = email.utils.formatdate
    monkeypatch.setattr(email.utils, "formatdate",  # this PC an hour behind (the server's own Date header too)
                        lambda timeval=None, localtime=False, usegmt=False: real(time.time() - 3600, localtime,
                                                                                 usegmt))
    with pytest.raises(RegistrationError) as caught:
        registrar(duo.registrar_file()).check()
    assert caught.value.problem is RegistrationProblem.SIGN_IN and "this PC's clock is off" in str(caught.value)


def test_burn_and_batch_register_on_the_virtual_token(cli, duo, tmp_path):
    path = duo.registrar_file()
    uri = "otpauth://totp/Acme:alice?secret=JBSWY3DPEHPK3PXPJBSWY3DP&issuer=Acme"
    burned = cli("burn", "--reader", "virtual", "--yes", "--register", "duo", "--user", "alice",
                 "--registrar-file", str(path), stdin=uri)
    out = burned.stdout.decode()
    assert burned.returncode == 0, burned.stderr.decode()
    assert "Registered 8659622000001 in Duo for alice (registered)." in out
    assert "Duo has no activation step" in out
    token = duo.account.token("8659622000001")
    assert token is not None and token["type"] == "t6"

    # A batch takes each token's user from the seed file: an Entra-style CSV names bob.
    assert registrar(path).remove("8659622000001")
    seeds = tmp_path / "seeds.csv"
    seeds.write_text("upn,serial number,secret key,time interval,manufacturer,model\n"
                     "bob,8659622000001,KRSXG5CTMVRXEZLUKRSXG5CT,30,Token2,OTPC-P2-i\n")
    batch = cli("batch", str(seeds), "--reader", "virtual", "--register", "duo", "--registrar-file", str(path),
                "--reburn", "--json")
    assert batch.returncode == 0, batch.stderr.decode()
    report = json.loads(batch.stdout)
    assert [(row["result"], row["registration"]) for row in report["rows"]] == [("burned", "ready")]
    bob = next(u for u in duo.account.users.values() if u["username"] == "bob")
    assert bob["tokens"] == [duo.account.token("8659622000001")["token_id"]]


def test_register_check_signs_in_and_finds_the_user(cli, duo):
    checked = cli("register", "duo", "--check", "--user", "alice", "--registrar-file", str(duo.registrar_file()))
    assert checked.returncode == 0, checked.stderr.decode()
    assert "alice" in checked.stdout.decode()
    refused = cli("register", "bad", "--check", "--registrar-file", str(duo.registrar_file("bad", skey="x" * 40)))
    assert refused.returncode != 0 and refused.stderr.decode().count("\n") == 1
