"""burn --register through pyscard -> pcscd -> vpcd -> the emulated token, into a real privacyIDEA server.

The administrator types the code the emulated token displays at the prompt, on a terminal, as
at a desk; privacyIDEA must answer ACCEPT to /validate/check with it.
"""

import hashlib
import http.server
import json
import threading
import time
import urllib.error
import urllib.request

import pytest

from otpburn.emulator.stack import READER_NAME
from otpburn.otp import encode_base32
from otpburn.provisioning.records import audit
from tests.support.terminal import run_in_terminal

from .conftest import reference_totp
from .test_token2_pcsc import run

pytestmark = pytest.mark.privacyidea
CODE_PROMPT = "Type the code the token shows"


def uri(secret: bytes, **extra) -> str:
    query = "".join(f"&{k}={v}" for k, v in extra.items())
    return f"otpauth://totp/Acme:alice@example.org?secret={encode_base32(secret)}&issuer=Acme{query}"


@pytest.mark.parametrize("extra,period,digest", [([], 30, hashlib.sha1),
                                                 (["--algorithm", "SHA256", "--period", "60"], 60, hashlib.sha256)])
def test_burn_register_and_activate_with_the_code_the_token_displays(place_token, privacyidea, tmp_path, extra,
                                                                     period, digest):
    secret = b"register over pcsc" + bytes([period])
    serial = f"86596220{period:05d}"
    token = place_token(serial=serial)
    seed = tmp_path / "uri.txt"
    seed.write_text(uri(secret))
    registrars = privacyidea.registrar_file(tmp_path)
    status, shown = run_in_terminal(
        ["burn", "--reader", READER_NAME, "--uri-file", str(seed), "--sync-clock", "--yes", *extra,
         "--register", "privacyidea", "--user", "alice", "--registrar-file", str(registrars)],
        [(CODE_PROMPT, lambda: token.card.display_code(time.time()))])
    assert status == 0, shown
    assert "Registered " + serial + " in privacyIDEA for alice (registered)." in shown
    assert "Activated: privacyIDEA accepts the code shown by the token." in shown
    on_server = privacyidea.token(serial)
    assert (on_server["username"], on_server["user_realm"], on_server["info"]["timeStep"]) == ("alice", "example",
                                                                                             str(period))
    # The server and the token agree on the codes to come, too.
    later = time.time() + period
    assert privacyidea.validate(serial, reference_totp(secret, later, period, digest))
    assert token.card.display_code(later) == reference_totp(secret, later, period, digest)
    entries = [e for e in audit.read_entries() if e.get("serial") == serial]
    # The code typed is checked against the seed before it is sent to the server as the activation code.
    assert [(e["operation"], e["result"]) for e in entries] == [("burn", "started"), ("burn", "ok"),
                                                                ("verify", "match"), ("register", "ok"),
                                                                ("activate", "ok")]
    assert entries[-1]["verification"] == "shown by the token" and entries[-1]["assigned_to"] == "alice"


def test_a_duplicate_serial_is_refused_before_the_token_is_touched(place_token, privacyidea, tmp_path):
    serial = "8659622000321"
    privacyidea.admin("POST", "/token/init", {"type": "totp", "otpkey": "11" * 20, "genkey": "0", "serial": serial,
                                              "user": "bob", "realm": "example"})
    token = place_token(serial=serial)
    seed = tmp_path / "uri.txt"
    seed.write_text(uri(b"a seed for a taken serial"))
    result = run("burn", "--reader", READER_NAME, "--uri-file", str(seed), "--register", "privacyidea",
                 "--user", "alice", "--registrar-file", str(privacyidea.registrar_file(tmp_path)))
    assert result.returncode == 5, result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"otpburn: privacyIDEA already has a token with serial {serial} (assigned to bob); use --force to replace it")
    assert token.card.memory.seed is None  # nothing was burned
    assert privacyidea.token(serial)["username"] == "bob"


@pytest.mark.parametrize("how,message", [
    ("password", "the privacyIDEA server refused the sign-in of admin (Authentication failed.); check the account "
                 "and the secret the registrar file names"),
    ("down", "cannot reach the privacyIDEA server at http://127.0.0.1:{port} (connection refused); try again once it "
             "answers (a token already burned keeps its seed: 'otpburn register' finishes it)"),
    ("tls", "the certificate of the privacyIDEA server (https://127.0.0.1:{port}) cannot be verified; name the CA "
            "that signed it with ca-file in the registrar file"),
])
def test_sign_in_failures_stop_before_the_burn(place_token, privacyidea, tmp_path, how, message):
    from tests.support.privacyidea_server import free_port
    from tests.support.tls import HttpsServer

    token = place_token(serial="8659622000654")
    seed = tmp_path / "uri.txt"
    seed.write_text(uri(b"sign-in failures seed"))
    port = free_port()
    if how == "password":
        registrars = privacyidea.registrar_file(tmp_path)
        (tmp_path / "privacyidea-password").write_text("wrong\n")
    elif how == "down":
        registrars = privacyidea.registrar_file(tmp_path, url=f"http://127.0.0.1:{port}")
    with HttpsServer(http.server.BaseHTTPRequestHandler, tmp_path) as tls:
        if how == "tls":
            port = tls.httpd.server_address[1]
            registrars = privacyidea.registrar_file(tmp_path, url=tls.url)
        result = run("burn", "--reader", READER_NAME, "--uri-file", str(seed), "--register", "privacyidea",
                     "--user", "alice", "--registrar-file", str(registrars))
    assert result.returncode == 5
    lines = [line for line in result.stderr.splitlines() if not line.startswith("otpburn: warning:")]
    assert lines == ["otpburn: " + message.format(port=port)]
    assert "Traceback" not in result.stderr
    assert token.card.memory.seed is None


class FailingProxy(http.server.BaseHTTPRequestHandler):
    """privacyIDEA behind a proxy that fails /token/init with a 500 (a server fault after the burn)."""

    upstream = ""
    fail_init = True

    def _forward(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith("/token/init") and self.fail_init:
            self.send_response(500)
            self.send_header("Content-Length", "21")
            self.end_headers()
            self.wfile.write(b"Internal Server Error")
            return
        request = urllib.request.Request(self.upstream + self.path, data=body or None, method=self.command,  # noqa: S310
                                         headers={k: v for k, v in self.headers.items() if k.lower() != "host"})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (loopback)
                status, data = answer.status, answer.read()
        except urllib.error.HTTPError as exc:
            status, data = exc.code, exc.read()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_DELETE = _forward

    def log_message(self, *args):
        pass


def test_a_server_fault_after_the_burn_leaves_it_burned_and_register_finishes(place_token, privacyidea, tmp_path):
    secret = b"server fault then resume"
    serial = "8659622000987"
    token = place_token(serial=serial)
    seed = tmp_path / "uri.txt"
    seed.write_text(uri(secret))
    proxy_handler = type("Proxy", (FailingProxy,), {"upstream": privacyidea.url})
    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), proxy_handler)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        registrars = privacyidea.registrar_file(tmp_path, url=f"http://127.0.0.1:{proxy.server_address[1]}")
        result = run("burn", "--reader", READER_NAME, "--uri-file", str(seed), "--register", "privacyidea",
                     "--user", "carol", "--registrar-file", str(registrars), "--json")
        assert result.returncode == 5, result.stderr
        assert token.card.memory.seed == secret.hex()  # burned, and it stays burned
        report = json.loads(result.stdout)
        assert report["result"] == "burned" and report["registration"]["problem"] == "server"
        assert "otpburn: the privacyIDEA server failed (HTTP 500); try again once it answers" in result.stderr
        assert (f"finish with: otpburn register privacyidea --serial {serial} --user carol --uri-file {seed}"
                in result.stderr)
        assert privacyidea.token(serial) is None

        proxy_handler.fail_init = False  # the server is mended: the line it printed finishes the job
        status, shown = run_in_terminal(
            ["register", "privacyidea", "--serial", serial, "--user", "carol", "--uri-file", str(seed),
             "--registrar-file", str(registrars)],
            [(f"Type the code token {serial} shows now", lambda: token.card.display_code(time.time()))])
        assert status == 0, shown
        assert "Activated: privacyIDEA accepts the code shown by the token." in shown
        assert privacyidea.token(serial)["username"] == "carol"
    finally:
        proxy.shutdown()
        proxy.server_close()
