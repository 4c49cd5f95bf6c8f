"""The bundle's `otpburn-gui` executable: the desktop app, started without a console window on Windows
and as the application of the macOS .app (Finder passes no command line)."""

import sys

from otpburn.cli.main import main

if __name__ == "__main__":
    main(["gui", *[argument for argument in sys.argv[1:] if not argument.startswith("-psn_")]])
