"""The registrars against servers and networks that misbehave: proxies, nesting, size, trickle, echo,
redirects, escapes, and registrar files others could have changed."""

import os
import tracemalloc

import pytest

from otpburn.errors import RegistrationError, RegistrationProblem
from otpburn.otp import OtpParams
from otpburn.registrars.base import Enrollment
from otpburn.registrars.factory import open_registrar
from otpburn.registrars.settings import load_settings
from tests.support.hostile_server import HostileServer, RecordingProxy

PASSWORD = "correct horse battery staple"  # noqa: S105 (a test fixture)
SEED = b"hostile server seed!"
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy", "NO_PROXY",
                   "no_proxy")


@pytest.fixture
def no_proxies(monkeypatch):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def every_proxy_variable(monkeypatch, url):
    for name in PROXY_VARIABLES:
        if "no" not in name.lower():
            monkeypatch.setenv(name, url)


def pi_file(folder, url, **extra):
    password = folder / "pw"
    password.write_text(PASSWORD + "\n")
    password.chmod(0o600)
    lines = [f'url = "{url}"', 'admin = "admin"', f'password-file = "{password}"',
             *(f"{key} = {value}" for key, value in extra.items())]
    path = folder / "registrars.toml"
    path.write_text("[pi]\nsystem = \"privacyidea\"\n" + "\n".join(lines) + "\n")
    path.chmod(0o600)
    return path


def refused(path, name="pi"):
    with pytest.raises(RegistrationError) as caught:
        registrar = open_registrar(load_settings(name, path))
        try:
            registrar.check()
        finally:
            registrar.close()
    return caught.value


# -- proxies ---------------------------------------------------------------------------------------

@pytest.mark.privacyidea
def test_plain_http_to_loopback_never_goes_through_a_proxy(privacyidea, tmp_path, no_proxies):
    with RecordingProxy() as proxy:
        every_proxy_variable(no_proxies, proxy.url)
        registrar = open_registrar(load_settings("privacyidea", privacyidea.registrar_file(tmp_path)))
        try:
            assert registrar.check()  # signed in: /auth with the password went straight to the server
            registrar.find_user("alice")
        finally:
            registrar.close()
    assert proxy.requests == []


def test_https_goes_through_the_environments_proxy_only_by_connect(graph, no_proxies):
    with RecordingProxy() as proxy:
        no_proxies.setenv("HTTPS_PROXY", proxy.url)
        registrar = open_registrar(load_settings("entra", graph.registrar_file()))
        try:
            registrar.check()
            registrar.find_user("amy@contoso.onmicrosoft.com")
        finally:
            registrar.close()
    port = graph.url.rsplit(":", 1)[1]
    assert proxy.requests and all(line == f"CONNECT 127.0.0.1:{port} HTTP/1.1" for line in proxy.requests)
    # the client secret and the user asked for crossed the proxy inside TLS only
    assert b"contract-client-secret" not in proxy.relayed and b"amy@contoso" not in proxy.relayed


def test_no_proxy_and_a_direct_choice_in_the_registrar_file_are_honoured(graph, no_proxies):
    with RecordingProxy() as proxy:
        no_proxies.setenv("HTTPS_PROXY", proxy.url)
        no_proxies.setenv("NO_PROXY", "127.0.0.1")
        registrar = open_registrar(load_settings("entra", graph.registrar_file()))
        registrar.check()
        registrar.close()
        no_proxies.delenv("NO_PROXY")
        registrar = open_registrar(load_settings("direct", graph.registrar_file(name="direct", proxy="none")))
        registrar.check()
        registrar.close()
    assert proxy.requests == []


def test_a_proxy_named_in_the_registrar_file_is_used_by_connect(graph, no_proxies):
    with RecordingProxy() as proxy:
        notes = []
        registrar = open_registrar(load_settings("entra", graph.registrar_file(proxy=proxy.url)), notify=notes.append)
        registrar.check()
        registrar.close()
    assert proxy.requests and all(line.startswith("CONNECT 127.0.0.1:") for line in proxy.requests)
    assert any(f"through the proxy {proxy.url}" in note for note in notes)


@pytest.mark.parametrize("proxy, message", [
    ("http://user:secret@127.0.0.1:3128", "carries a user name or password in clear"),
    ("socks5://127.0.0.1:1080", "is not an http:// or https:// proxy (socks5)"),
])
def test_proxies_the_registrar_file_may_not_name(graph, no_proxies, proxy, message):
    error = refused(graph.registrar_file(proxy=proxy), "entra")
    assert error.problem is RegistrationProblem.SETTINGS and message in str(error)
    assert "secret" not in str(error)


def test_credentials_in_a_registrar_url_are_refused_and_never_shown(tmp_path, no_proxies):
    error = refused(pi_file(tmp_path, "https://admin:hunter22@pi.example.org"))
    assert error.problem is RegistrationProblem.SETTINGS
    assert "carries a user name or password in its address" in str(error) and "hunter22" not in str(error)


def test_a_plain_http_sign_in_address_elsewhere_is_refused(graph, no_proxies):
    error = refused(graph.registrar_file(**{"login-url": "http://login.example.org"}), "entra")
    assert error.problem is RegistrationProblem.SETTINGS and "plain http to another machine" in str(error)


# -- hostile answers -------------------------------------------------------------------------------

def test_deeply_nested_json_is_one_line_not_an_internal_error(tmp_path, no_proxies):
    with HostileServer("nested") as server:
        error = refused(pi_file(tmp_path, server.url))
    assert error.problem is RegistrationProblem.SERVER and "not privacyIDEA's API" in str(error)


def test_a_huge_answer_is_cut_off_early(tmp_path, no_proxies):
    with HostileServer("huge") as server:
        tracemalloc.start()
        error = refused(pi_file(tmp_path, server.url))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert server.httpd.gave_up.wait(10)
    assert error.problem is RegistrationProblem.SERVER and "larger than any it should" in str(error)
    assert peak < 32 * 1024 * 1024, peak  # the answer's 4 MiB cap, not its 300 MB
    assert server.sent < 100 * 1024 * 1024


def test_a_trickling_server_does_not_outlive_the_timeout(tmp_path, no_proxies):
    with HostileServer("trickle") as server:
        error = refused(pi_file(tmp_path, server.url, timeout=2))
        assert server.httpd.gave_up.wait(10)
    assert error.problem is RegistrationProblem.UNREACHABLE and "did not answer within 2 s" in str(error)
    # At one byte per 0.2 s the server needs a minute for its 300 bytes; the client gave up well before.
    assert server.sent < 100


def test_a_server_quoting_the_password_gets_it_masked(tmp_path, no_proxies):
    with HostileServer("echo") as server:
        error = refused(pi_file(tmp_path, server.url))
        assert PASSWORD.replace(" ", "+") in server.bodies[0]  # it was sent (form-encoded), and quoted back
    assert PASSWORD not in str(error) and PASSWORD.replace(" ", "+") not in str(error)
    assert "password=•••" in str(error)


def test_a_server_quoting_the_seed_gets_it_masked(tmp_path, no_proxies):
    with HostileServer("echo") as server:
        path = pi_file(tmp_path, server.url)
        registrar = open_registrar(load_settings("pi", path))
        registrar._auth = "session"  # signed in already: the refusal comes for the seed's request
        with pytest.raises(RegistrationError) as caught:
            registrar.register(Enrollment("HOSTILE1", OtpParams(secret=SEED)))
        registrar.close()
    assert SEED.hex() in server.bodies[-1] and SEED.hex() not in str(caught.value)


def test_a_redirect_is_not_followed(tmp_path, no_proxies):
    with HostileServer("redirect") as server:
        error = refused(pi_file(tmp_path, server.url))
    assert error.problem is RegistrationProblem.SERVER and "HTTP 302" in str(error)
    assert len(server.bodies) == 1  # one request; nothing went to the address it named


def test_terminal_escapes_from_a_server_are_not_shown(tmp_path, no_proxies):
    with HostileServer("escapes") as server:
        error = refused(pi_file(tmp_path, server.url))
    text = str(error)
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text and "\n" not in text
    assert "FAKE: burned ok" in text  # the words stay, on the same line


# -- registrar files others could have changed -----------------------------------------------------

@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
@pytest.mark.parametrize("change, message", [
    (lambda path: path.chmod(0o666), "can be changed by other users"),
    (lambda path: path.chmod(0o620), "can be changed by other users"),
    (lambda path: path.parent.chmod(0o777), "can be changed by other users; make it yours alone (chmod go-w"),
])
def test_a_registrar_file_others_could_change_is_not_used(tmp_path, no_proxies, change, message):
    folder = tmp_path / "config"
    folder.mkdir(mode=0o700)
    path = pi_file(folder, "https://pi.example.org")
    change(path)
    error = refused(path)
    assert error.problem is RegistrationProblem.SETTINGS and message in str(error)


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_a_registrar_file_that_is_a_link_is_not_used(tmp_path, no_proxies):
    shared = tmp_path / "shared"
    shared.mkdir()
    target = pi_file(shared, "https://pi.example.org")
    target.chmod(0o666)
    link = tmp_path / "registrars.toml"
    link.symlink_to(target)
    error = refused(link)
    assert "is a symbolic link" in str(error)


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
def test_a_ca_file_others_could_change_is_not_used(graph, no_proxies):
    graph.ca.chmod(0o666)
    error = refused(graph.registrar_file(), "entra")
    assert error.problem is RegistrationProblem.SETTINGS and "(ca-file) can be changed by other users" in str(error)


@pytest.mark.skipif(os.name == "nt", reason="FIFOs")
def test_a_fifo_as_a_password_file_does_not_hang(tmp_path, no_proxies):
    path = pi_file(tmp_path, "https://pi.example.org")
    (tmp_path / "pw").unlink()
    os.mkfifo(tmp_path / "pw", 0o600)
    error = refused(path)
    assert "is not a regular file" in str(error)


@pytest.mark.skipif(os.name == "nt", reason="links and FIFOs")
@pytest.mark.parametrize("kind", ["link", "fifo"])
def test_the_token_cache_is_never_a_link_or_a_fifo(graph, no_proxies, tmp_path, kind):
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    victim.chmod(0o644)
    cache = tmp_path / "cache"
    if kind == "link":
        cache.symlink_to(victim)
    else:
        os.mkfifo(cache, 0o600)
    registrar = open_registrar(load_settings("dc", graph.registrar_file(
        name="dc", **{"sign-in": "device-code", "token-cache": str(cache)})))
    with pytest.raises(RegistrationError) as caught:
        registrar._persisted_cache()
    registrar.close()
    assert "the Entra token cache is not used" in str(caught.value)
    assert victim.read_text() == "keep me" and oct(victim.stat().st_mode & 0o777) == "0o644"
