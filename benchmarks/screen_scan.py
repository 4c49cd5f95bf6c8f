"""The screen scan end to end: capture every monitor and find the code, on an Xvfb desktop
of a 4K monitor beside a 1920×2160 one (5760×2160 in all), the example page on the second.

Baseline in the same run: grabbing the monitors alone (mss), the floor no scan can beat.
Usage (Debian packages xvfb, x11-xserver-utils; python3 with tkinter): python benchmarks/screen_scan.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _harness import print_table, time_function  # noqa: E402
from tests.support.xvfb import Xvfb, show_image  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with Xvfb(5760, 2160, monitors=2) as display:
        os.environ["DISPLAY"] = display.display
        os.environ.pop("WAYLAND_DISPLAY", None)
        window = show_image(display, str(ROOT / "examples" / "2fa-setup-screenshot.png"), 2880 + 700, 900)
        try:
            from otpburn.sources.scan import scan_screen
            from otpburn.sources.screen import capture_monitors

            found = scan_screen()
            assert found.codes and found.codes[0].monitor == 2, "the example page was not found on monitor 2"
            import mss

            def grab_only():
                with mss.MSS() as grabber:
                    for monitor in grabber.monitors[1:]:
                        grabber.grab(monitor)

            rows = [
                time_function("mss grab of both monitors (baseline)", grab_only, args.runs),
                time_function("capture_monitors: grab + grey", capture_monitors, args.runs),
                time_function("scan_screen: grab + grey + find the code", scan_screen, args.runs),
            ]
        finally:
            window.terminate()
    print(f"screen scan of a 5760x2160 Xvfb desktop (two monitors), {args.runs} runs; peak = Python allocations")
    print_table(rows, rows[0], "peak py KiB")
    print(f"measured {time.strftime('%Y-%m-%d %H:%M')} UTC")


if __name__ == "__main__":
    main()
