"""`otpburn-gui`: the desktop app's own entry point.

A windowed program on Windows (no console behind it) for the Start menu, a desktop file or the Dock, and
the quickest way to the window: no command-line parser to load first. `otpburn gui` opens the same window.
"""

from __future__ import annotations

import argparse
import sys

from otpburn.gui.platform_check import DesktopProblem, DesktopProblemKind, desktop_problem
from otpburn.installation import install_command


def problem_text(problem: DesktopProblem) -> str:
    """One line: what stops the window here and what to do."""
    if problem.kind is DesktopProblemKind.NO_PYSIDE:
        return f"the desktop app needs PySide6: {install_command('gui')}"
    if problem.kind is DesktopProblemKind.NO_DISPLAY:
        return "no display: run it from a desktop session (neither DISPLAY nor WAYLAND_DISPLAY is set)"
    return (f"Qt's X11 support needs libraries this system lacks ({', '.join(problem.missing)}): on Debian or "
            f"Ubuntu sudo apt install {' '.join(problem.packages())}; on Fedora sudo dnf install "
            f"{' '.join(problem.packages(debian=False))}")


def run(theme: str, program: str) -> int:
    """The window, or one line on standard error (exit 1) when it cannot open here — before Qt is loaded,
    so Qt's own abort (exit 134) is never what the user sees."""
    problem = desktop_problem()
    if problem is not None:
        print(f"{program}: {problem_text(problem)}", file=sys.stderr)
        return 1
    from otpburn.gui.app import main as open_window  # Qt: only once it can open

    return open_window(theme=theme)


def main() -> None:
    parser = argparse.ArgumentParser(prog="otpburn-gui", description="The otpburn desktop app.")
    parser.add_argument("--theme", choices=("system", "light", "dark"), default="system")
    # macOS passes a process serial number (-psn_…) to apps started from the Finder.
    arguments = parser.parse_args([argument for argument in sys.argv[1:] if not argument.startswith("-psn_")])
    sys.exit(run(arguments.theme, "otpburn-gui"))


if __name__ == "__main__":
    main()
