"""The CLI as people meet it: help that names its values, suggestions for a mistyped command."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from otpburn.cli.main import cli as otpburn_group


def options(command: click.Command, path: list[str]):
    """Every option of every command, with the command line that reaches it."""
    if isinstance(command, click.Group):
        context = click.Context(command)
        for name in command.list_commands(context):
            yield from options(command.get_command(context, name), [*path, name])
        return
    for param in command.params:
        if isinstance(param, click.Option):
            yield " ".join(path), param


def test_every_valued_option_names_its_value():
    """Help shows `--pick N` and `--wait SECONDS`, not click's `INTEGER RANGE` or `FLOAT`."""
    numeric = (click.types.IntParamType, click.types.FloatParamType)
    found = list(options(otpburn_group, []))
    unnamed = [f"{path} {param.opts[0]}" for path, param in found
               if not param.is_flag and param.metavar is None and isinstance(param.type, numeric)]
    assert len(found) > 100 and unnamed == []
    text = CliRunner().invoke(otpburn_group, ["burn", "--help"]).output
    assert "--pick N" in text and "--resume-timeout SECONDS" in text and "RANGE" not in text


@pytest.mark.parametrize("typed,suggested", [("brun", "'burn'"), ("reader", "'readers'"), ("exprot", "'export'")])
def test_a_mistyped_command_gets_the_nearest_one(cli, typed, suggested):
    result = cli(typed)
    err = result.stderr.decode()
    assert result.returncode == 2 and f"no command '{typed}'; did you mean {suggested}?" in err
    unknown = cli("frobnicate").stderr.decode()
    assert "the commands are: parse, scan, code" in unknown


def test_log_and_doctor_say_which_otpburn_and_where_the_log_is(cli, tmp_path):
    from otpburn import __version__

    log = tmp_path / "audit.jsonl"
    env = {"OTPBURN_AUDIT_LOG": str(log)}
    seed = tmp_path / "seed.txt"
    seed.write_text("otpauth://totp/A:a?secret=JBSWY3DPEHPK3PXP\n")
    assert cli("export", "--uri-file", str(seed), "--format", "otpauth", "--output", str(tmp_path / "o"),
               env=env).returncode == 0
    shown = cli("log", env=env).stdout.decode().splitlines()
    assert shown[0] == f"Audit log {log} (1 entry; otpburn {__version__})" and "export  ok" in shown[1]
    doctor = cli("doctor", "--ntp-server", "127.0.0.1:9", env=env).stdout.decode().splitlines()
    assert doctor[0] == f"otpburn {__version__}; audit log {log}"


def test_an_edited_audit_log_is_shown_line_by_line_and_a_log_that_is_no_file_is_named(cli, tmp_path, monkeypatch):
    """Anyone may edit the log: a line that is not a JSON object (a list, nesting deeper than Python parses, bytes
    that are not UTF-8) is an unreadable line, and the burns the dry runs look for skip it; a folder or a pipe where
    the log should be is named in one line (a pipe is not opened: the read would wait for a writer)."""
    from otpburn.provisioning.records import audit

    log = tmp_path / "audit.jsonl"
    env = {"OTPBURN_AUDIT_LOG": str(log)}
    burn = {"operation": "burn", "result": "ok", "serial": "8659622000001", "time": "2026-12-04T03:00:00Z"}
    log.write_bytes(b"[1, 2]\n" + b"[" * 100_000 + b"]" * 100_000 + b"\n\xff\xfe\n"
                    + json.dumps({**burn, "profile": [1]}).encode() + b"\n" + json.dumps(burn).encode() + b"\n")
    shown = cli("log", env=env)
    lines = shown.stdout.decode().splitlines()
    assert shown.returncode == 0 and lines[0].startswith(f"Audit log {log} (the last 5 entries")
    assert [line.endswith("unreadable line") for line in lines[1:]] == [True, True, True, False, False]
    last = cli("log", "--tail", "1", "--json", env=env)
    assert last.returncode == 0 and json.loads(last.stdout) == [burn]
    every = cli("log", "--tail", str(2**64), "--json", env=env)  # more than a deque can count: all of them
    assert every.returncode == 0 and len(json.loads(every.stdout)) == 5
    monkeypatch.setenv("OTPBURN_AUDIT_LOG", str(log))
    assert audit.last_burns("8659622000001") == {None: burn}  # the entry whose profile is a list is left out
    log.unlink()
    log.mkdir()
    assert audit.last_burns("8659622000001") == {}
    os.rmdir(log)
    os.mkfifo(log)
    for where in (log, tmp_path / "folder"):
        if where != log:
            where.mkdir()
        named = cli("log", env={"OTPBURN_AUDIT_LOG": str(where)})
        assert named.returncode == 2 and named.stderr.decode() == \
            f"otpburn: the audit log {where} is not a regular file\n"


def test_install_hints_match_this_installation():
    import sys

    from otpburn.installation import _requirements, install_command

    # The suite runs from an editable install of this checkout: its own interpreter, its own folder.
    root = Path(__file__).resolve().parents[2]
    assert install_command("pcsc") == f"{sys.executable} -m pip install -e '{root}[pcsc]'"
    assert any(r.startswith("pyscard") for r in _requirements("pcsc"))
    assert any(r.startswith("PySide6") for r in _requirements("gui"))


def test_usage_errors_under_json_are_json_too(cli):
    result = cli("burn", "--json", "--nope")
    assert result.returncode == 2
    error = json.loads(result.stdout)["error"]
    assert error == {"message": "No such option '--nope'. Did you mean '--force'?", "kind": "UsageError",
                     "remedy": None, "exit_code": 2}


@pytest.mark.parametrize("command", [["register", "pi", "--user"], ["register", "pi", "--serial"], ["burn", "--user"],
                                     ["burn", "--upn"]])
def test_text_for_an_identity_system_that_is_not_utf8_is_a_usage_error(cli, command):
    """Bytes typed in another encoding reach Python as lone surrogates, which no request or file can carry: the
    option is named before anything starts, not an internal error where the text is encoded."""
    result = cli(*command, "am\udcffy")
    stderr = result.stderr.decode()
    assert result.returncode == 2 and f"'{command[-1]}': holds bytes that are not UTF-8 text" in stderr, stderr


def test_a_code_given_as_an_argument_is_shown_where_it_belongs(cli):
    result = cli("verify", "123456")
    assert result.returncode == 2 and "otpburn verify --code 123456" in result.stderr.decode()
    secret = cli("verify", "JBSWY3DPEHPK3PXP", "--code", "123456")
    assert secret.returncode == 2 and "JBSWY3DPEHPK3PXP" not in secret.stderr.decode() + secret.stdout.decode()


def test_a_registrar_file_problem_is_bad_input_not_a_failed_registration(cli, tmp_path):
    uri = "otpauth://totp/A:a?secret=JBSWY3DPEHPK3PXP"
    result = cli("burn", "--reader", "virtual", "--yes", "--register", "pi", "--user", "x", "--registrar-file",
                 str(tmp_path / "none.toml"), stdin=uri)
    assert result.returncode == 2
    assert result.stderr.decode().startswith(f"otpburn: there is no registrar file {tmp_path / 'none.toml'}; ")


def on_a_terminal(*args: str, env: dict[str, str] | None = None) -> str:
    """What a command prints to a real terminal (a pseudo-terminal), colour codes included."""
    import os
    import pty
    import subprocess
    import sys

    main, secondary = pty.openpty()
    try:
        environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
        subprocess.run([sys.executable, "-m", "otpburn", *args], stdout=secondary, stderr=secondary,
                       stdin=subprocess.DEVNULL, env={**environment, **(env or {})}, timeout=60, check=False)
        os.close(secondary)
        chunks = []
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the terminal's other end is closed: all read
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks).decode()
    finally:
        os.close(main)


def test_marks_are_coloured_on_a_terminal_unless_asked_not_to(tmp_path):
    uri = tmp_path / "seed.txt"
    uri.write_text("otpauth://totp/A:a?secret=JBSWY3DPEHPK3PXP\n")
    args = ("verify", "--uri-file", str(uri), "--code", "000000", "--at", "0")
    green_or_red = ("\x1b[31m", "\x1b[32m")
    assert any(code in on_a_terminal(*args) for code in green_or_red)
    assert "\x1b[" not in on_a_terminal(*args, env={"NO_COLOR": "1"})
    assert "\x1b[" not in on_a_terminal("--no-color", *args)


def test_a_burn_stopped_between_two_steps_says_after_not_at():
    from otpburn.cli.wording import describe
    from otpburn.provisioning.burn.steps import BurnCancelledError, BurnFailedError, Step, TokenState

    between = BurnFailedError(Step.ERASE, BurnCancelledError(), TokenState.PROFILE_EMPTY, None,
                              [Step.AUTHENTICATE, Step.ERASE])
    inside = BurnFailedError(Step.CONFIG, BurnCancelledError(), TokenState.PROFILE_EMPTY, None,
                             [Step.AUTHENTICATE, Step.ERASE])
    assert describe(between).startswith("burn stopped after 'erase profile': cancelled (Ctrl+C). The profile holds")
    assert describe(inside).startswith("burn stopped at 'write settings': cancelled (Ctrl+C). The profile holds")


def test_parse_lists_a_file_of_several_links(cli, tmp_path):
    links = tmp_path / "links.txt"
    links.write_text("otpauth://totp/A:a?secret=JBSWY3DPEHPK3PXP&issuer=A\n"
                     "otpauth://hotp/B:b?secret=GEZDGNBVGY3TQOJQ&issuer=B&counter=3\n")
    result = cli("parse", "--file", str(links), "--json")
    assert result.returncode == 0, result.stderr.decode()
    listed = json.loads(result.stdout)
    assert listed["kind"] == "otpauth list" and [a["place"] for a in listed["accounts"]] == ["line 1", "line 2"]
    assert "JBSWY3DP" not in result.stdout.decode()  # the secret stays masked unless --show-secret
    shown = cli("parse", "--file", str(links)).stdout.decode()
    assert shown.startswith("Kind: 2 accounts (otpauth list); burn them with --seed-file") and "control" not in shown
