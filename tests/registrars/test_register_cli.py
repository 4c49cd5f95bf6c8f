"""`otpburn register` end to end (the real entry point) against the real privacyIDEA server."""

import json

import pytest

from otpburn.otp import encode_base32

pytestmark = pytest.mark.privacyidea


def test_check_register_and_remove(cli, privacyidea, tmp_path):
    registrars = str(privacyidea.registrar_file(tmp_path))
    checked = cli("register", "privacyidea", "--check", "--user", "carol", "--registrar-file", registrars, "--json")
    assert checked.returncode == 0, checked.stderr
    answer = json.loads(checked.stdout)
    assert answer["server"] == "privacyIDEA 3.14" and answer["user"]["display_name"] == "Carol Jones"

    seed = tmp_path / "seed.txt"
    seed.write_text(f"otpauth://totp/Acme:carol?secret={encode_base32(b'register command 01')}")
    done = cli("register", "privacyidea", "--serial", "CLI0001", "--user", "carol", "--uri-file", str(seed),
               "--activate-with-computed-code", "--registrar-file", registrars)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().splitlines() == [
        "Registered CLI0001 in privacyIDEA for carol (registered).",
        "Activated: privacyIDEA accepts the code computed from the seed. (This proves the server holds the seed; "
        "compare the token's own code once.)"]
    assert privacyidea.token("CLI0001")["username"] == "carol"

    removed = cli("register", "privacyidea", "--serial", "CLI0001", "--remove", "--registrar-file", registrars)
    assert (removed.returncode, removed.stdout.decode().strip()) == (0, "Removed CLI0001.")
    assert privacyidea.token("CLI0001") is None


def test_a_seed_file_registers_each_token_for_its_user(cli, privacyidea, tmp_path):
    seeds = tmp_path / "pi.csv"
    seeds.write_text("# version: 2\n"
                     f"alice, flatfile, example, CLI0101, {b'seed file token 101'.hex()}, totp, 6, 30\n"
                     f"bob, flatfile, example, CLI0102, {b'seed file token 102'.hex()}, totp, 6, 30\n")
    result = cli("register", "privacyidea", "--seed-file", str(seeds), "--activate-with-computed-code",
                 "--registrar-file", str(privacyidea.registrar_file(tmp_path)), "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["serial"], r["user"], r["activated"]) for r in rows] == [("CLI0101", "alice", True),
                                                                         ("CLI0102", "bob", True)]


def test_without_a_code_it_registers_and_says_how_to_activate(cli, privacyidea, tmp_path):
    seed = tmp_path / "seed.txt"
    seed.write_text(encode_base32(b"register without code"))
    result = cli("register", "privacyidea", "--serial", "CLI0201", "--user", "alice", "--uri-file", str(seed),
                 "--registrar-file", str(privacyidea.registrar_file(tmp_path)))
    assert result.returncode == 0, result.stderr
    assert "Not activated: no code (run on a terminal to type it, or add --activate-with-computed-code)." \
        in result.stdout.decode()


@pytest.mark.parametrize("content,message", [
    (None, "there is no registrar file"),
    ("[privacyidea]\nurl = 'https://pi.example.org'\nadmin = 'a'\npassword = 'x'\n", "holds 'password' in clear"),
    ("[privacyidea\n", "is not valid TOML"),
])
def test_registrar_file_problems_are_one_line(cli, tmp_path, content, message):
    path = tmp_path / "registrars.toml"
    if content is not None:
        path.write_text(content)
    result = cli("register", "privacyidea", "--check", "--registrar-file", str(path))
    assert result.returncode == 2  # bad input: nothing was sent
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in lines[0]
    assert "fix the registrar file" in lines[0]


def test_the_admin_password_from_the_os_keyring(cli, privacyidea, tmp_path):
    from tests.support.privacyidea_server import ADMIN, ADMIN_PASSWORD, REALM

    registrars = tmp_path / "registrars.toml"
    registrars.write_text(f"[pi]\nsystem = 'privacyidea'\nurl = '{privacyidea.url}'\nadmin = '{ADMIN}'\n"
                          f"realm = '{REALM}'\nkeyring = true\n")
    env = {"PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring", "XDG_DATA_HOME": str(tmp_path / "data")}
    empty = cli("register", "pi", "--check", "--registrar-file", str(registrars), env=env)
    assert empty.returncode == 2  # a settings problem: nothing was sent
    assert ("the OS keyring holds no secret for service 'otpburn:pi', user 'admin'; store it with: keyring set "
            "otpburn:pi admin") in empty.stderr.decode()
    stored = cli_keyring_set(env, "otpburn:pi", ADMIN, ADMIN_PASSWORD)
    assert stored.returncode == 0, stored.stderr
    signed_in = cli("register", "pi", "--check", "--registrar-file", str(registrars), env=env)
    assert signed_in.returncode == 0, signed_in.stderr
    assert signed_in.stdout.decode().strip() == "Signed in: privacyIDEA 3.14."


def cli_keyring_set(env, service, user, password):
    """`keyring set SERVICE USER` as an administrator would run it, the password typed on stdin."""
    import os
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "keyring", "set", service, user], input=password + "\n",
                          capture_output=True, text=True, env={**os.environ, **env}, timeout=60)


def test_names_from_the_identity_system_are_shown_tamed(cli, graph):
    graph.directory.add_user("eve@contoso.onmicrosoft.com", "\x1b]0;pwned\x07Eve\u202e Example\n")
    registrars = str(graph.registrar_file())
    checked = cli("register", "entra", "--check", "--user", "eve@contoso.onmicrosoft.com", "--registrar-file",
                  registrars)
    assert checked.returncode == 0, checked.stderr
    out = checked.stdout.decode()
    assert "User eve@contoso.onmicrosoft.com (]0;pwned Eve Example) found." in out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
