"""The CLI as people meet it: help that names its values, suggestions for a mistyped command."""

from __future__ import annotations

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
