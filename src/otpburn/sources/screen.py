"""Capturing every monitor, and knowing when a capture shows nothing useful.

- X11, Windows, macOS: mss grabs each monitor separately at native resolution (one grab
  of a whole multi-monitor desktop allocates far more and is slower). The raw BGRX grab is
  kept as it is: the fast pass reads its green bytes in place (no numpy, no conversion).
- Wayland: the desktop's Screenshot portal (xdg-desktop-portal, over D-Bus with jeepney),
  then grim, gnome-screenshot or spectacle if installed — only where no portal answers: a
  screenshot the user refused in the portal is not taken another way. The file the portal
  wrote (it shows the seed's QR code) is deleted once read.

A capture that is one flat colour is what a refused permission looks like (macOS without
Screen Recording permission, a cancelled portal dialog); it is reported as such.
"""

from __future__ import annotations

import os
import secrets
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from otpburn.errors import InputError, OperationError, Remedy
from otpburn.sources.images import load_grayscale
from otpburn.sources.qr import as_array, bgrx_green_view
from otpburn.untrusted import tame

if TYPE_CHECKING:
    from PIL import Image

    from otpburn.sources.qr import Grey

BLANK_SPREAD = 6  # grey levels: a capture whose pixels all lie this close together is blank


@dataclass
class MonitorCapture(ABC):
    """One monitor's pixels as captured. The fast pass reads them as they came; the grey
    numpy image the deeper passes need is made only when they run."""

    index: int  # 1-based, as users number their monitors
    left: int
    top: int
    width: int
    height: int

    @abstractmethod
    def fast_source(self) -> object:
        """What the fast pass decodes, without numpy or a conversion of the whole frame."""

    @abstractmethod
    def crop(self, box: tuple[int, int, int, int]) -> Image.Image:
        """A part of the monitor as a picture (thumbnails), converting only that part."""

    @cached_property
    def pixels(self) -> Grey:
        """The monitor in grey (numpy), for the deeper passes, blank checks and saving."""
        return as_array(self.crop((0, 0, self.width, self.height)))


@dataclass
class GrabbedMonitor(MonitorCapture):
    """A raw grab (mss): 4 bytes per pixel, blue, green, red, unused."""

    bgrx: bytes | bytearray

    def fast_source(self) -> object:
        return bgrx_green_view(self.bgrx, self.width, self.height)

    def crop(self, box: tuple[int, int, int, int]) -> Image.Image:
        from PIL import Image

        x0, y0, x1, y1 = (max(0, box[0]), max(0, box[1]), min(self.width, box[2]), min(self.height, box[3]))
        if (x0, y0, x1, y1) == (0, 0, self.width, self.height):
            data = bytes(self.bgrx)
        else:
            stride = self.width * 4
            data = b"".join(bytes(self.bgrx[y * stride + x0 * 4: y * stride + x1 * 4]) for y in range(y0, y1))
        return Image.frombuffer("RGB", (x1 - x0, y1 - y0), data, "raw", "BGRX", 0, 1)


@dataclass
class PictureMonitor(MonitorCapture):
    """A capture that came as a picture (the Wayland portal, grim and friends), in grey."""

    picture: Image.Image

    @classmethod
    def of(cls, index: int, left: int, top: int, picture: Image.Image) -> PictureMonitor:
        grey = picture if picture.mode == "L" else picture.convert("L")
        return cls(index, left, top, grey.width, grey.height, grey)

    def fast_source(self) -> object:
        return self.picture

    def crop(self, box: tuple[int, int, int, int]) -> Image.Image:
        return self.picture.crop(box)


class CaptureError(OperationError):
    """The screen could not be captured; the message says why, the remedy is another source."""

    def __init__(self, message: str) -> None:
        super().__init__(message, remedy=Remedy.OTHER_SOURCE)


class ScreenshotRefusedError(CaptureError):
    """The desktop's screenshot portal answered, and the answer was no (denied, or its dialog cancelled)."""


def is_wayland() -> bool:
    return bool(os.environ.get("WAYLAND_DISPLAY")) or os.environ.get("XDG_SESSION_TYPE") == "wayland"


def capture_monitors() -> list[MonitorCapture]:
    if sys.platform.startswith("linux") and is_wayland():
        return _capture_wayland()
    return _capture_mss()


def _capture_mss() -> list[MonitorCapture]:
    try:
        import mss
    except ImportError:
        raise CaptureError("screen capture needs the 'mss' package (pip install mss)") from None
    if sys.platform.startswith("linux") and not os.environ.get("DISPLAY"):
        raise CaptureError("no graphical display to capture (DISPLAY is not set)")
    try:
        factory = getattr(mss, "MSS", None) or mss.mss  # mss 10 renamed the entry point
        with factory() as grabber:
            captures: list[MonitorCapture] = []
            for index, monitor in enumerate(grabber.monitors[1:], start=1):
                shot = grabber.grab(monitor)
                captures.append(GrabbedMonitor(index, monitor["left"], monitor["top"], shot.width, shot.height,
                                               shot.raw))
            return captures
    except mss.exception.ScreenShotError as exc:
        raise CaptureError(f"the screen could not be captured ({exc})") from None


def _capture_wayland() -> list[MonitorCapture]:
    """Wayland hides other windows from X11 grabs: ask the portal, then the usual tools."""
    errors = []
    try:
        path = _portal_screenshot()
        try:
            return [PictureMonitor.of(1, 0, 0, load_grayscale(path))]
        finally:
            # The portal wrote it for us (GNOME into ~/Pictures): it shows the seed, so it does not stay.
            try:
                os.unlink(path)
            except OSError:
                pass
    except ScreenshotRefusedError:
        raise  # the user's answer: no other tool is tried behind it
    except CaptureError as exc:
        errors.append(str(exc))
    for tool, args in (("grim", ["{out}"]), ("gnome-screenshot", ["-f", "{out}"]),
                       ("spectacle", ["-b", "-n", "-o", "{out}"])):
        if not shutil.which(tool):
            continue
        handle, out = tempfile.mkstemp(suffix=".png")
        os.close(handle)
        try:
            subprocess.run([tool, *[a.format(out=out) for a in args]], check=True, timeout=30,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            return [PictureMonitor.of(1, 0, 0, load_grayscale(out))]
        except (subprocess.SubprocessError, OSError, InputError) as exc:
            errors.append(f"{tool}: {exc}")
        finally:
            os.unlink(out)
    raise CaptureError(
        "this Wayland desktop did not allow a screenshot (" + "; ".join(errors) + "). Allow screenshots for this "
        "app in the desktop's privacy settings"
    )


PORTAL_NAME = "org.freedesktop.portal.Desktop"
PORTAL_REQUEST = "/org/freedesktop/portal/desktop/request"
FILE_CLOCK_SLACK = 2.0  # seconds: file systems keep modification times coarser than the clock


def _portal_screenshot(timeout: float = 60.0) -> str:
    """org.freedesktop.portal.Screenshot.Screenshot; returns the path of the PNG it wrote.

    Any client on the session bus can send a Response signal, so the answer is taken only from the
    portal itself (its unique bus name, asked of the bus before the request), on a request path nobody
    can predict (a random handle token), and only if it names a file the portal has just created for
    us: a spoofed answer could otherwise feed otpburn a picture of its choosing, or have it delete a file.
    """
    try:
        from jeepney import DBusAddress, HeaderFields, MatchRule, message_bus, new_method_call
        from jeepney.io.blocking import Proxy, open_dbus_connection
    except ImportError:
        raise CaptureError("the screenshot portal needs the 'jeepney' package (pip install jeepney)") from None
    token = "otpburn_" + secrets.token_hex(16)
    requested = time.time()
    try:
        with open_dbus_connection(bus="SESSION") as connection:
            bus = Proxy(message_bus, connection)
            owner = bus.GetNameOwner(PORTAL_NAME)[0]  # fails when no portal runs
            sender = connection.unique_name.lstrip(":").replace(".", "_")
            request_path = f"{PORTAL_REQUEST}/{sender}/{token}"
            rule = MatchRule(type="signal", sender=owner, interface="org.freedesktop.portal.Request",
                             member="Response", path=request_path)
            bus.AddMatch(rule)
            portal = DBusAddress("/org/freedesktop/portal/desktop", bus_name=PORTAL_NAME,
                                 interface="org.freedesktop.portal.Screenshot")
            with connection.filter(rule) as queue:
                call = new_method_call(portal, "Screenshot", "sa{sv}",
                                       ("", {"handle_token": ("s", token), "interactive": ("b", False)}))
                reply = connection.send_and_get_reply(call, timeout=timeout)
                if reply.header.message_type.name == "error":
                    raise CaptureError(f"the screenshot portal refused: {tame(str(reply.body), 120)}")
                if reply.body[0] != request_path:  # portals before 0.9 ignore handle_token: not trusted
                    raise CaptureError("the screenshot portal answered on a request path otpburn did not ask for")
                signal = connection.recv_until_filtered(queue, timeout=timeout)
                if signal.header.fields.get(HeaderFields.sender) != owner:  # the filter says so; checked again
                    raise CaptureError("a screenshot answer came from another program than the portal")
    except CaptureError:
        raise
    except Exception as exc:  # no session bus, no portal, timeout
        raise CaptureError(f"the screenshot portal is not available ({type(exc).__name__})") from None
    response, results = signal.body
    if response != 0:  # 1: the user cancelled; 2: refused (no permission, or another failure)
        raise ScreenshotRefusedError("the desktop's screenshot portal refused the screenshot (cancelled, or not "
                                     "allowed for this app in its privacy settings)")
    uri = results.get("uri", ("s", ""))[1]
    return _portal_file(uri, requested)


def _portal_file(uri: str, requested: float) -> str:
    """The path `uri` names, if it is a regular file of ours the portal created after `requested`."""
    parts = urlsplit(uri)
    path = unquote(parts.path)
    try:
        info = os.lstat(path)
    except OSError:
        info = None
    fresh = info is not None and info.st_mtime >= requested - FILE_CLOCK_SLACK
    ours = info is not None and (not hasattr(os, "getuid") or info.st_uid == os.getuid())
    if parts.scheme != "file" or info is None or not stat.S_ISREG(info.st_mode) or not ours or not fresh:
        raise CaptureError("the screenshot portal's answer names a file it did not just make for otpburn; it was "
                           "neither read nor removed")
    return path


def blank_monitors(captures: list[MonitorCapture]) -> list[int]:
    """Indexes of captures that are one flat colour (no permission, or a blank screen)."""
    blank = []
    for capture in captures:
        sample = capture.pixels[::8, ::8]
        if int(sample.max()) - int(sample.min()) <= BLANK_SPREAD:
            blank.append(capture.index)
    return blank


def blank_capture_advice() -> str:
    if sys.platform == "darwin":
        return ("the screen capture came back blank: give your terminal (or otpburn) Screen Recording permission "
                "in System Settings > Privacy & Security > Screen Recording, then restart it")
    if sys.platform.startswith("linux") and is_wayland():
        return ("the screen capture came back blank: this Wayland desktop did not share the screen; allow it in the "
                "screenshot dialog or the desktop's privacy settings")
    return ("the screen capture came back blank (one flat colour): is the screen locked or asleep, or is screen "
            "capture blocked?")


def compose(captures: list[MonitorCapture]) -> Grey:
    """All monitors in one grayscale image, placed as on the desktop (to save what was captured)."""
    import numpy as np

    left = min(c.left for c in captures)
    top = min(c.top for c in captures)
    width = max(c.left + c.width for c in captures) - left
    height = max(c.top + c.height for c in captures) - top
    desktop = np.zeros((height, width), dtype=np.uint8)
    for capture in captures:
        x, y = capture.left - left, capture.top - top
        desktop[y:y + capture.height, x:x + capture.width] = capture.pixels
    return desktop
