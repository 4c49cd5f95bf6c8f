"""What the window needs from the system, found out before Qt is loaded.

Qt aborts (exit 134, "Reinstalling the application may fix this problem") when it has no display or when its
X11 platform plugin cannot load a system library the PySide6 wheels do not carry. These checks see both
first, so the launcher can say in one line what to do. No Qt import here.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import sys
from dataclasses import dataclass
from enum import Enum

# The system libraries Qt 6's xcb platform plugin loads (and the GL/font libraries QtGui loads) that a
# minimal desktop may lack, with the package that has each on Debian/Ubuntu and on Fedora.
XCB_LIBRARIES: dict[str, tuple[str, str]] = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
}
# Platforms that draw without a display server.
HEADLESS_PLATFORMS = ("offscreen", "minimal", "vnc", "eglfs", "linuxfb", "vkkhrdisplay")


class DesktopProblemKind(Enum):
    NO_PYSIDE = "no-pyside"
    NO_DISPLAY = "no-display"
    LIBRARIES = "libraries"


@dataclass(frozen=True)
class DesktopProblem:
    kind: DesktopProblemKind
    missing: tuple[str, ...] = ()  # library file names (LIBRARIES)

    def packages(self, debian: bool = True) -> list[str]:
        """The packages that hold the missing libraries, Debian/Ubuntu's or Fedora's names."""
        names = [XCB_LIBRARIES[library][0 if debian else 1] for library in self.missing]
        return list(dict.fromkeys(names))


def desktop_problem(environ: os._Environ[str] | dict[str, str] | None = None,
                    platform: str = sys.platform) -> DesktopProblem | None:
    """Why the window cannot open here, or None when Qt should manage."""
    env = os.environ if environ is None else environ
    if importlib.util.find_spec("PySide6") is None:
        return DesktopProblem(DesktopProblemKind.NO_PYSIDE)
    if not platform.startswith("linux"):
        return None  # Windows and macOS draw through the system itself
    chosen = env.get("QT_QPA_PLATFORM", "").split(":")[0].strip().lower()
    if chosen in HEADLESS_PLATFORMS:
        return None
    x11, wayland = bool(env.get("DISPLAY")), bool(env.get("WAYLAND_DISPLAY"))
    if not x11 and not wayland:
        return DesktopProblem(DesktopProblemKind.NO_DISPLAY)
    if chosen == "xcb" or (x11 and not wayland):
        missing = tuple(library for library in XCB_LIBRARIES if not _loads(library))
        if missing:
            return DesktopProblem(DesktopProblemKind.LIBRARIES, missing)
    return None


def _loads(library: str) -> bool:
    try:
        ctypes.CDLL(library)
    except OSError:
        return False
    return True
