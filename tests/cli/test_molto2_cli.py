"""Molto2 commands against the built-in virtual Molto2 and the virtual single-profile token: each refusal
is one line with its exit code, and nothing is written."""

import json
import os
import re

import pytest

from tests.support.migration_payloads import _entry, export_link

URI = "otpauth://totp/Example:amy?secret=JBSWY3DPEHPK3PXP&issuer=Example"


@pytest.fixture
def uri_file(tmp_path):
    path = tmp_path / "uri.txt"
    path.write_text(URI)
    return str(path)


def one_line(result):
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr.decode(), lines
    return lines[0]


def molto2_memory():
    return json.loads(open(os.environ["OTPBURN_VIRTUAL_MOLTO2"]).read())


def test_a_burn_without_a_profile_names_the_option(cli, uri_file):
    result = cli("burn", "--reader", "virtual-molto2", "--uri-file", uri_file, "--default-customer-key")
    assert result.returncode == 2
    assert "say which profile to burn; use --profile N or --profile next-free" in one_line(result)
    assert not any(p["seed"] for p in molto2_memory()["profiles"])


def test_profile_options_on_a_single_profile_token_are_refused(cli, uri_file):
    result = cli("burn", "--reader", "virtual", "--uri-file", uri_file, "--profile", "3")
    assert result.returncode == 2 and "holds no profiles" in one_line(result)
    result = cli("profiles", "--reader", "virtual")
    assert result.returncode == 2 and "has no profiles; this command is for a Token2 Molto2" in one_line(result)


@pytest.mark.parametrize(("args", "message"), [
    (("--profile", "100"), "--profile wants a number from 0 to 99 or 'next-free'"),
    (("--profile", "²"), "--profile wants a number from 0 to 99 or 'next-free'"),
    (("--profile", "1" * 5000), "--profile wants a number from 0 to 99 or 'next-free'"),
    (("--profile", "next-free", "--title", "a title far too long"), "12 bytes"),
])
def test_bad_profile_and_title_are_one_line(cli, uri_file, args, message):
    result = cli("burn", "--reader", "virtual-molto2", "--uri-file", uri_file, "--default-customer-key", *args)
    assert result.returncode == 2 and message in one_line(result)


def test_delete_of_an_empty_profile_and_a_fill_that_does_not_fit(cli, tmp_path):
    result = cli("delete", "--profile", "5", "--reader", "virtual-molto2", "--yes")
    assert result.returncode == 2 and "profile 5 holds no seed; nothing was deleted" in one_line(result)
    export = tmp_path / "export.txt"
    export.write_text(export_link(*(_entry(bytes([n]) * 20, f"user{n}", "Site") for n in range(3))))
    result = cli("fill", str(export), "--reader", "virtual-molto2", "--first-profile", "98", "--default-customer-key")
    assert result.returncode == 2 and "3 accounts but 2 free profiles from 98 on; nothing was written" in (
        result.stderr.decode())
    assert not any(p["seed"] for p in molto2_memory()["profiles"])


def test_a_key_needs_a_file_the_flag_or_a_terminal(cli, uri_file):
    result = cli("burn", "--reader", "virtual-molto2", "--uri-file", uri_file, "--profile", "0")
    assert result.returncode == 2 and "needs its customer key" in one_line(result)
    assert "--customer-key-file" in result.stderr.decode()
    assert molto2_memory()["auth_attempts"] == 0
    result = cli("change-key", "--reader", "virtual-molto2", "--default-customer-key")
    assert result.returncode == 2 and "needs a terminal" in one_line(result)


def test_a_burn_trace_shows_no_key_check(cli, uri_file):
    """The title is known (it is on the command line); the trace must not carry its cryptogram, which would
    let anyone test customer-key guesses offline."""
    from otpburn.tokens import molto2

    result = cli("burn", "--reader", "virtual-molto2", "--uri-file", uri_file, "--default-customer-key",
                 "--profile", "7", "--title", "GitHub", "--trace", "--force")
    assert result.returncode == 0, result.stderr.decode()
    trace = result.stderr.decode()
    key = molto2.sm4_key(molto2.FACTORY_CUSTOMER_KEY)
    cryptogram = molto2.title_apdu(7, "GitHub", key).data
    assert "[SET TITLE] 84" in trace
    flat = trace.replace(" ", "").upper()
    assert cryptogram[:16].hex().upper() not in flat and cryptogram[-4:].hex().upper() not in flat
    secure = [line for line in trace.splitlines() if line.startswith(">> [SET")]
    assert len(secure) == 3  # settings, title, seed: each shows its header and length only
    for line in secure:
        assert re.fullmatch(r">> \[SET [A-Z]+\] 84( [0-9A-F]{2}){4} <redacted \d+ bytes>", line), line


@pytest.mark.parametrize("spoil", ["missing folder", "link", "damaged"])
def test_no_authentication_while_the_attempts_cannot_be_counted(cli, uri_file, tmp_path, spoil):
    """A refused key whose count cannot be kept would let later runs spend the last attempt unasked: otpburn
    sends no authentication at all unless the attempts file reads cleanly and can be written first."""
    attempts = tmp_path / "attempts.json"
    if spoil == "missing folder":
        attempts = tmp_path / "no-such-folder" / "attempts.json"
    elif spoil == "link":
        (tmp_path / "elsewhere.json").write_text("{}")
        attempts.symlink_to(tmp_path / "elsewhere.json")
    else:
        attempts.write_text('{"MOLTO2": ')
    key_file = tmp_path / "key"
    key_file.write_text("a wrong customer key")
    result = cli("burn", "--reader", "virtual-molto2", "--uri-file", uri_file, "--customer-key-file", str(key_file),
                 "--profile", "3", env={"OTPBURN_ATTEMPTS_FILE": str(attempts)})
    assert result.returncode == 1
    line = one_line(result)
    assert "does not authenticate while it cannot count them. Nothing was sent to the token" in line
    memory = molto2_memory()
    assert memory["auth_attempts"] == 0 and memory["attempts_left"] == memory["max_attempts"]



HOSTILE_TITLE = "\x1b]0;pwn\x07\x1b[2J"  # sets the terminal's title, then clears the screen: 12 bytes, as a title


def test_a_title_from_the_device_never_reaches_the_terminal_or_the_log_raw(cli, uri_file):
    assert cli("profiles", "--reader", "virtual-molto2").returncode == 0  # the virtual device exists now
    memory = molto2_memory()
    memory["profiles"][4].update(title=HOSTILE_TITLE, seed="31" * 20)
    with open(os.environ["OTPBURN_VIRTUAL_MOLTO2"], "w") as stream:
        json.dump(memory, stream)
    outputs = [cli("profiles", "--reader", "virtual-molto2"),
               cli("profiles", "--reader", "virtual-molto2", "--json"),
               cli("burn", "--reader", "virtual-molto2", "--uri-file", uri_file, "--default-customer-key",
                   "--profile", "4"),
               cli("delete", "--profile", "4", "--reader", "virtual-molto2", "--yes"),
               cli("log"), cli("log", "--json")]
    assert outputs[2].returncode == 2 and "profile 4 (']0;pwn [2J') already holds a seed" in one_line(outputs[2])
    for result in outputs:
        text = (result.stdout + result.stderr).decode()
        assert "\x1b" not in text and "\x07" not in text, text
    assert json.loads(outputs[1].stdout)["profiles"][0]["title"] == HOSTILE_TITLE  # JSON keeps the data, escaped
    with open(os.environ["OTPBURN_AUDIT_LOG"], encoding="utf-8") as log:
        written = log.read()
    assert "]0;pwn" in written and "\x1b" not in written and "\\u001b" not in written
