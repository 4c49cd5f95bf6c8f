"""The privacyIDEA registrar against a real privacyIDEA 3.14 server on loopback, and the same tests against
a real eduMFA 2.9 server (the privacyIDEA fork with the same REST API)."""

import hashlib
import http.server
import json
import socket
import time

import pytest

from otpburn.errors import RegistrationError, RegistrationProblem, Remedy
from otpburn.otp import Algorithm, OtpParams
from otpburn.provisioning.enrollment import CodeOrigin, code_from_seed, enroll, prepare, remove
from otpburn.provisioning.records import audit
from otpburn.registrars.base import Enrollment
from otpburn.registrars.factory import open_registrar
from otpburn.registrars.settings import load_settings
from tests.support.otp_reference import reference_totp
from tests.support.tls import HttpsServer

pytestmark = pytest.mark.privacyidea


@pytest.fixture(params=["privacyidea", "edumfa"])
def server(request):
    """Each test that talks to a server runs against both: privacyIDEA and eduMFA."""
    return request.getfixturevalue(request.param)


@pytest.fixture
def registrar_file(server, tmp_path):
    return server.registrar_file(tmp_path)


def opened(path, name="privacyidea"):
    return open_registrar(load_settings(name, path))


def params(secret: bytes, **fields) -> OtpParams:
    return OtpParams(secret=secret, issuer="Acme", account="alice@example.org", **fields)


@pytest.mark.parametrize("fields", [{}, {"algorithm": Algorithm.SHA256, "period": 60}])
def test_register_assign_and_validate(server, registrar_file, fields):
    seed = params(b"privacyidea secret 1" + bytes([len(fields)]), **fields)
    serial = f"T2PI{len(fields)}01"
    registrar = opened(registrar_file)
    assert prepare(registrar, seed, "alice").id == "alice@example"
    result = enroll(registrar, Enrollment(serial, seed, "alice", "Token2", "C302"), code_from_seed(seed))
    assert result.code_origin is CodeOrigin.SEED and result.registration.activated
    token = server.token(serial)
    assert (token["username"], token["user_realm"]) == ("alice", "example")
    assert token["tokentype"] == "totp" and token["otplen"] == 6
    assert token["info"]["hashlib"] == seed.algorithm.value.lower()
    assert token["info"]["timeStep"] == str(seed.period)
    assert "Token2 C302" in token["description"] and seed.fingerprint in token["description"]
    # The server holds this seed with these settings: the next step's code, computed independently, validates.
    digest = hashlib.sha256 if fields else hashlib.sha1
    assert server.validate(serial, reference_totp(seed.secret, time.time() + seed.period, seed.period, digest))
    entries = [e for e in audit.read_entries() if e.get("serial") == serial]
    assert [(e["operation"], e["result"]) for e in entries][-2:] == [("register", "ok"), ("activate", "ok")]
    assert all(seed.secret.hex() not in json.dumps(e) for e in entries)


def test_a_second_run_resumes_and_another_seed_is_a_duplicate(server, registrar_file):
    seed = params(b"privacyidea resume 01")
    registrar = opened(registrar_file)
    first = enroll(registrar, Enrollment("T2PIRESUME", seed, "bob"), None)
    assert not first.registration.resumed and first.code_origin is None
    again = enroll(opened(registrar_file), Enrollment("T2PIRESUME", seed, "bob"), code_from_seed(seed))
    assert again.registration.resumed and again.registration.activated

    other = params(b"privacyidea resume 02")
    with pytest.raises(RegistrationError) as caught:
        enroll(registrar, Enrollment("T2PIRESUME", other, "bob"), code_from_seed(other))
    assert caught.value.problem is RegistrationProblem.DUPLICATE and caught.value.remedy is Remedy.REPLACE_TOKEN
    assert "already has a token with serial T2PIRESUME (assigned to bob)" in str(caught.value)

    replaced = enroll(registrar, Enrollment("T2PIRESUME", other, "carol"), code_from_seed(other), force=True)
    assert replaced.registration.replaced and server.token("T2PIRESUME")["username"] == "carol"
    log = [(e["operation"], e["result"]) for e in audit.read_entries() if e.get("serial") == "T2PIRESUME"]
    assert ("remove", "ok") in log
    assert remove(registrar, "T2PIRESUME") and server.token("T2PIRESUME") is None
    assert not remove(registrar, "T2PIRESUME")


def test_a_wrong_code_is_rejected_and_the_token_stays_registered(server, registrar_file):
    seed = params(b"privacyidea wrong code")
    registrar = opened(registrar_file)
    wrong = (code_from_seed(seed)()[0][:-1] + "x")

    with pytest.raises(RegistrationError) as caught:
        enroll(registrar, Enrollment("T2PIWRONG", seed, "alice"), lambda: (wrong, CodeOrigin.TOKEN_DISPLAY))
    assert caught.value.problem is RegistrationProblem.CODE_REJECTED and caught.value.remedy is Remedy.TOKEN_CODE
    assert "privacyIDEA does not accept the code for T2PIWRONG (wrong otp value)" in str(caught.value)
    assert server.token("T2PIWRONG") is not None


def test_unknown_user_and_wrong_password(server, registrar_file, tmp_path):
    with pytest.raises(RegistrationError) as caught:
        prepare(opened(registrar_file), None, "zed")
    assert caught.value.problem is RegistrationProblem.USER_NOT_FOUND
    assert str(caught.value) == "privacyIDEA knows no user 'zed' in realm example"

    (tmp_path / "privacyidea-password").write_text("not the password\n")
    with pytest.raises(RegistrationError) as caught:
        opened(registrar_file).check()
    assert caught.value.problem is RegistrationProblem.SIGN_IN and caught.value.remedy is Remedy.REGISTRAR_SIGN_IN
    # the server's own words in brackets: "Authentication failed." (privacyIDEA), "Authentication failure. Wrong
    # credentials" (eduMFA)
    assert str(caught.value) in ("the privacyIDEA server refused the sign-in of admin (Authentication failed.)",
                                 "the privacyIDEA server refused the sign-in of admin (Authentication failure. "
                                 "Wrong credentials)")


def test_server_down(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    path = write_file(tmp_path, url=f"http://127.0.0.1:{port}")
    with pytest.raises(RegistrationError) as caught:
        opened(path).check()
    assert caught.value.problem is RegistrationProblem.UNREACHABLE and caught.value.retryable
    assert str(caught.value) == (f"cannot reach the privacyIDEA server at http://127.0.0.1:{port} "
                                 "(connection refused)")
    assert caught.value.remedy is Remedy.RESUME_REGISTRATION


class Fails(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        body = b"<html>Internal Server Error</html>"
        self.send_response(500)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_tls_failure_then_a_500_once_the_ca_is_named(tmp_path):
    with HttpsServer(Fails, tmp_path) as server:
        path = write_file(tmp_path, url=server.url)
        with pytest.raises(RegistrationError) as caught:
            opened(path).check()
        assert caught.value.problem is RegistrationProblem.TLS and caught.value.remedy is Remedy.REGISTRAR_CA
        assert str(caught.value) == f"the certificate of the privacyIDEA server ({server.url}) cannot be verified"

        path = write_file(tmp_path, url=server.url, **{"ca-file": str(server.ca)})
        with pytest.raises(RegistrationError) as caught:
            opened(path).check()
        assert caught.value.problem is RegistrationProblem.SERVER and caught.value.status == 500
        assert str(caught.value) == "the privacyIDEA server failed (HTTP 500)"


def write_file(folder, **values):
    password = folder / "pw"
    password.write_text("x\n")
    password.chmod(0o600)
    values = {"url": "https://pi.example.org", "admin": "admin", "password-file": str(password), **values}
    path = folder / "registrars.toml"
    path.write_text("[privacyidea]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in values.items()))
    return path


@pytest.mark.parametrize("values,message", [
    ({"url": "http://pi.example.org"}, "is plain http to another machine"),
    ({"password": "hunter2"}, "holds 'password' in clear; put it in a file readable only by you"),
    ({"passwort-file": "x"}, "has keys a privacyidea section does not use: passwort-file"),
    ({"timeout": "soon"}, "'timeout' in [privacyidea] of"),
])
def test_settings_problems_are_named(tmp_path, values, message):
    path = write_file(tmp_path, **values)
    with pytest.raises(RegistrationError) as caught:
        opened(path)
    assert message in str(caught.value) and caught.value.problem is RegistrationProblem.SETTINGS
    assert "hunter2" not in str(caught.value)


def test_a_password_file_others_can_read_is_refused(tmp_path):
    path = write_file(tmp_path)
    (tmp_path / "pw").chmod(0o644)
    with pytest.raises(RegistrationError) as caught:
        opened(path).check()
    assert f"{tmp_path / 'pw'} (password-file) can be read by other users" in str(caught.value)


def test_missing_file_and_section(tmp_path):
    with pytest.raises(RegistrationError, match="there is no registrar file"):
        load_settings("privacyidea", tmp_path / "none.toml")
    path = write_file(tmp_path)
    with pytest.raises(RegistrationError, match=r"has no \[entra\] section \(it has: privacyidea\)"):
        load_settings("entra", path)


def test_the_example_registrar_file_is_valid():
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "examples" / "registrars.toml"
    names = ("privacyidea", "entra", "duo", "okta")
    assert {name: load_settings(name, example).system for name in names} == {name: name for name in names}


def test_an_address_httpx_cannot_use_is_a_settings_problem(tmp_path):
    path = write_file(tmp_path, url="https://pi exa\u0001mple.org")
    with pytest.raises(RegistrationError) as caught:
        opened(path).check()
    assert caught.value.problem is RegistrationProblem.SETTINGS
    # the control character the file held is not printed: it comes out as a space
    assert str(caught.value) == "the privacyIDEA server has an address httpx cannot use: 'https://pi exa mple.org'"
