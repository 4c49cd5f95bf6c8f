"""`otpburn completion SHELL`: the shell's completion script, from click's own completion support."""

from __future__ import annotations

import click
from click.shell_completion import get_completion_class

SHELLS = ("bash", "zsh", "fish")

# Where each shell reads a completion script from at start-up (printed by --help, and in the README).
INSTALL_HINTS = {
    "bash": "otpburn completion bash > ~/.local/share/bash-completion/completions/otpburn",
    "zsh": "otpburn completion zsh > \"${fpath[1]}/_otpburn\"  (or: eval \"$(otpburn completion zsh)\" in ~/.zshrc)",
    "fish": "otpburn completion fish > ~/.config/fish/completions/otpburn.fish",
}


@click.command(epilog="\b\nInstall it where the shell looks for it:\n" + "\n".join(
    f"  {hint}" for hint in INSTALL_HINTS.values()))
@click.argument("shell", type=click.Choice(SHELLS), metavar="SHELL")
@click.pass_context
def completion(ctx: click.Context, shell: str) -> None:
    """Print the completion script for SHELL (bash, zsh or fish).

    Commands, options and choices complete with Tab; file options complete file names.
    """
    root = ctx.find_root()
    completer = get_completion_class(shell)
    assert completer is not None  # noqa: S101 - every name in SHELLS is one click ships
    click.echo(completer(root.command, {}, "otpburn", "_OTPBURN_COMPLETE").source())
