"""`otpburn-gui`: the desktop app's own entry point.

A windowed program on Windows (no console behind it) for the Start menu, a desktop file or the Dock, and
the quickest way to the window: no command-line parser to load first. `otpburn gui` opens the same window.
"""

from __future__ import annotations

import argparse
import sys


def main() -> None:
    parser = argparse.ArgumentParser(prog="otpburn-gui", description="The otpburn desktop app.")
    parser.add_argument("--theme", choices=("system", "light", "dark"), default="system")
    # macOS passes a process serial number (-psn_…) to apps started from the Finder.
    arguments = parser.parse_args([argument for argument in sys.argv[1:] if not argument.startswith("-psn_")])
    try:
        from otpburn.gui.app import main as open_window
    except ImportError as exc:
        print(f"otpburn-gui: the desktop app needs PySide6: pip install 'otpburn[gui]' ({exc.name} is missing)",
              file=sys.stderr)
        sys.exit(1)
    sys.exit(open_window(theme=arguments.theme))


if __name__ == "__main__":
    main()
