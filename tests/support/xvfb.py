"""Xvfb displays for screen-capture and GUI tests, with optional RandR monitors."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path


class Xvfb:
    """An Xvfb server on a free display number, unix socket only (-nolisten tcp).

    `monitors` splits the one screen into RandR 1.5 monitors side by side. The server
    runs with -noreset: otherwise it resets when its last client disconnects, and the
    monitors set by `xrandr` vanish with the reset.
    """

    def __init__(self, width: int, height: int, monitors: int = 1) -> None:
        self.width, self.height, self.monitors = width, height, monitors
        self.display = ""
        self.process: subprocess.Popen | None = None

    def start(self) -> Xvfb:
        if not shutil.which("Xvfb"):
            raise RuntimeError("Xvfb is not installed (Debian: apt-get install xvfb)")
        number = next(n for n in range(90, 200) if not Path(f"/tmp/.X11-unix/X{n}").exists()
                      and not Path(f"/tmp/.X{n}-lock").exists())
        self.display = f":{number}"
        self.process = subprocess.Popen(
            ["Xvfb", self.display, "-screen", "0", f"{self.width}x{self.height}x24", "-nolisten", "tcp", "-noreset"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not Path(f"/tmp/.X11-unix/X{number}").exists():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("Xvfb did not start")
            time.sleep(0.05)
        if self.monitors > 1:
            self._split()
        return self

    def _split(self) -> None:
        width = self.width // self.monitors
        for index in range(self.monitors):
            output = "screen" if index == 0 else "none"
            geometry = f"{width}/{width * 254 // 960}x{self.height}/{self.height * 254 // 960}+{index * width}+0"
            subprocess.run(["xrandr", "--setmonitor", f"MONITOR{index + 1}", geometry, output], env=self.env,
                           check=True, capture_output=True)

    @property
    def env(self) -> dict[str, str]:
        env = {**os.environ, "DISPLAY": self.display}
        env.pop("WAYLAND_DISPLAY", None)
        env["XDG_SESSION_TYPE"] = "x11"
        return env

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=5)

    def __enter__(self) -> Xvfb:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


SHOW_IMAGE = r"""
import sys, tkinter
root = tkinter.Tk()
root.overrideredirect(True)
photo = tkinter.PhotoImage(file=sys.argv[1])
root.geometry(f"{photo.width()}x{photo.height()}+{sys.argv[2]}+{sys.argv[3]}")
tkinter.Label(root, image=photo, borderwidth=0).pack()
root.update()
print("shown", flush=True)
root.mainloop()
"""


def show_image(xvfb: Xvfb, png: str, x: int, y: int) -> subprocess.Popen:
    """A borderless window showing `png` at (x, y); returns once it is on screen."""
    import sys

    process = subprocess.Popen([sys.executable, "-c", SHOW_IMAGE, png, str(x), str(y)], env=xvfb.env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    if "shown" not in line:
        raise RuntimeError(f"the image window did not open: {process.stderr.read()}")
    time.sleep(0.2)  # let the server draw it
    return process
