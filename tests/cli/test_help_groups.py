"""--help of burn, batch and register: options in named groups, then examples that are real command lines."""

from __future__ import annotations

import shlex

import click
import pytest
from click.testing import CliRunner

from otpburn.cli.main import cli as otpburn_group

COMMANDS = ["burn", "batch", "register"]


def _command(name: str) -> click.Command:
    command = otpburn_group.get_command(click.Context(otpburn_group), name)
    assert command is not None
    return command


@pytest.mark.parametrize("name", COMMANDS)
def test_help_shows_groups_then_examples(name):
    command = _command(name)
    result = CliRunner().invoke(otpburn_group, [name, "--help"])
    assert result.exit_code == 0
    text = result.output
    for title, _ in command.groups:
        assert f"\n{title}:\n" in text
    assert text.index("Other options:") < text.index("Examples:")
    # Every option is shown once, in its group or under "Other options".
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert text.count(f"  {param.opts[0]} ") + text.count(f"  {param.opts[0]}\n") >= 1, param.opts[0]


@pytest.mark.parametrize("name", COMMANDS)
def test_every_example_is_a_command_line_otpburn_accepts(name):
    command = _command(name)
    assert command.examples
    for line, meaning in command.examples:
        words = shlex.split(line)
        assert words[:2] == ["otpburn", name] and meaning
        with command.make_context(name, words[2:]) as context:  # parses options and arguments, runs nothing
            assert context.params is not None


def test_a_group_naming_a_missing_option_is_caught():
    from otpburn.cli.common import GroupedCommand

    with pytest.raises(RuntimeError, match="--nope"):
        GroupedCommand("x", params=[click.Option(["--yes"])], groups=[("G", ["--yes", "--nope"])])


def test_choices_any_case_are_shown_as_spelled():
    """Typed in any case; help and errors spell them as the token and the standards do (click would case-fold)."""
    runner = CliRunner()
    assert "[SHA1|SHA256|SHA512]" in runner.invoke(otpburn_group, ["burn", "--help"]).output
    assert "OTPC-P2-i|" in runner.invoke(otpburn_group, ["emulate", "token2", "--help"]).output
    wrong = runner.invoke(otpburn_group, ["random", "--algorithm", "md5"])
    assert wrong.exit_code == 2 and "'md5' is not one of 'SHA1', 'SHA256', 'SHA512'." in wrong.output
