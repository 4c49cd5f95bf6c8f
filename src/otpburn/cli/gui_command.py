"""`otpburn gui`: the desktop app, opened as `otpburn-gui` opens it."""

from __future__ import annotations

import click

from otpburn.gui.launch import run


@click.command()
@click.option("--theme", type=click.Choice(["system", "light", "dark"]), default="system", show_default=True)
def gui(theme: str) -> int:
    """Open the desktop app (seed, reader, token, burn, test, enroll in one window)."""
    return run(theme, "otpburn")
