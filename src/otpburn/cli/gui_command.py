"""`otpburn gui`: the desktop app."""

from __future__ import annotations

import click

from otpburn.errors import OperationError


@click.command()
@click.option("--theme", type=click.Choice(["system", "light", "dark"]), default="system", show_default=True)
def gui(theme: str) -> int:
    """Open the desktop app (seed, reader, token, burn, test in one window)."""
    try:
        from otpburn.gui.app import main
    except ImportError as exc:
        raise OperationError(f"the desktop app needs PySide6: pip install 'otpburn[gui]' ({exc.name} is missing)") \
            from None
    return main(theme=theme)
