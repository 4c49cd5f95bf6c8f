"""Write otpburn's man pages (otpburn.1 and one per command) from the CLI's own help, with click-man.

Usage: python scripts/make_man_pages.py OUTPUT_DIR

The date is the last commit's (or SOURCE_DATE_EPOCH), so the same source gives the same pages.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import click
from click_man.core import write_man_pages

from otpburn import __version__
from otpburn.cli.main import COMMANDS, cli


def build_date() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        try:
            epoch = subprocess.run(["git", "log", "-1", "--format=%ct"], capture_output=True, text=True,
                                   check=True, cwd=Path(__file__).resolve().parent).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            epoch = str(int(time.time()))
    return time.strftime("%Y-%m-%d", time.gmtime(int(epoch)))


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    target = Path(sys.argv[1])
    target.mkdir(parents=True, exist_ok=True)
    # click-man walks a group's `commands`; the real group loads its commands only when used.
    context = click.Context(cli, info_name="otpburn")
    every_command = {name: cli.get_command(context, name) for name in COMMANDS}
    eager = click.Group("otpburn", commands=every_command, params=cli.params, help=cli.help,
                        context_settings=cli.context_settings)
    write_man_pages("otpburn", eager, version=__version__, target_dir=str(target), date=build_date())
    print(f"man pages: {len(list(target.glob('*.1')))} in {target}")


if __name__ == "__main__":
    main()
