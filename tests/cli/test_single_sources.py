"""Lists the CLI and the window show come from the library's one table each: the export formats, the display
timeouts. (The window keeps its own copies so that it paints before the library loads; they are held equal
here.)"""

from __future__ import annotations

import click

from otpburn.cli.batch_command import batch
from otpburn.cli.burn_command import burn
from otpburn.cli.export_commands import export_cmd
from otpburn.cli.options import FORMAT_WORDS
from otpburn.gui.burn_panel import DISPLAY_TIMEOUTS as WINDOW_TIMEOUTS
from otpburn.gui.burn_panel import EXPORT_FORMATS as WINDOW_FORMATS
from otpburn.provisioning.records.exports import FORMATS
from otpburn.tokens.base import DISPLAY_TIMEOUTS


def option(command: click.Command, name: str) -> click.Option:
    found = next(p for p in command.params if isinstance(p, click.Option) and name in p.opts)
    assert isinstance(found, click.Option)
    return found


def help_text(command: click.Command) -> str:
    with click.Context(command, info_name=command.name) as ctx:
        return command.get_help(ctx)


def test_every_list_of_export_formats_is_the_table():
    names = list(FORMATS)
    assert "duo" in names
    choice = option(export_cmd, "--format").type
    assert isinstance(choice, click.Choice) and list(choice.choices) == names
    assert list(FORMAT_WORDS) == names
    assert [name for name, _label in WINDOW_FORMATS if name != "none"] == names
    for command in (export_cmd, burn, batch):
        text = " ".join(help_text(command).split())
        assert all(name in text for name in names), command.name


def test_display_timeouts_are_the_token_layers():
    assert WINDOW_TIMEOUTS == DISPLAY_TIMEOUTS
    for command in (burn, batch):
        choice = option(command, "--display-timeout").type
        assert isinstance(choice, click.Choice) and list(choice.choices) == [str(s) for s in DISPLAY_TIMEOUTS]
