"""Reading the clipboard: an image (a copied screenshot) or text (a copied URI or secret)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from typing import TYPE_CHECKING

from otpburn.errors import InputError, OperationError
from otpburn.files import read_at_most
from otpburn.sources.images import MAX_FILE_BYTES, MAX_PIXELS, load_grayscale

if TYPE_CHECKING:
    from PIL import Image

_TEXT_COMMANDS = {
    "linux": [["wl-paste", "--no-newline", "--type", "text/plain"], ["xclip", "-selection", "clipboard", "-o"],
              ["xsel", "--clipboard", "--output"]],
    "darwin": [["pbpaste"]],
    "win32": [["powershell", "-NoProfile", "-Command", "Get-Clipboard -Raw"]],
}


class ClipboardUnavailableError(OperationError):
    """The clipboard cannot be read here at all (no display, or no tool that reads it): not that it is empty."""


def read_clipboard() -> Image.Image | str:
    """The image (a PIL image) or else the text on the clipboard; InputError when it holds neither."""
    if sys.platform.startswith("linux"):
        _require_linux_clipboard()
    image = _clipboard_image()
    if image is not None:
        return image
    text = _clipboard_text()
    if text and text.strip():
        return text
    raise InputError("the clipboard holds neither an image nor text; copy the QR code or the otpauth link first")


def _require_linux_clipboard() -> None:
    """On Linux the clipboard is the display's, read through a tool: without either, saying it holds nothing would
    send the user to copy again."""
    wayland, x11 = bool(os.environ.get("WAYLAND_DISPLAY")), bool(os.environ.get("DISPLAY"))
    if not wayland and not x11:
        raise ClipboardUnavailableError("the clipboard cannot be read: there is no graphical display (neither "
                                        "WAYLAND_DISPLAY nor DISPLAY is set)")
    tools = (("wl-paste",) if wayland else ()) + (("xclip", "xsel") if x11 else ())
    if not any(shutil.which(tool) for tool in tools):
        needed = " or ".join((["wl-paste (the wl-clipboard package)"] if wayland else []) + (["xclip"] if x11 else []))
        raise ClipboardUnavailableError(f"reading the clipboard needs {needed}; install it")


# Image types read from a Linux clipboard, in order of preference: those the image decoders take.
IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp", "image/bmp", "image/gif", "image/tiff")


def _clipboard_image() -> Image.Image | None:
    if sys.platform.startswith("linux"):
        # Read the bytes here and decode them like --image (the same decoders and size limits): Pillow's
        # grabclipboard() would open whatever the clipboard holds with every decoder, PostScript (Ghostscript)
        # included, and with no pixel limit.
        data = _linux_clipboard_image_bytes()
        if data is None:
            return None

        return load_grayscale(data, "the image on the clipboard")
    try:
        from PIL import Image, ImageGrab
    except ImportError:  # pragma: no cover
        return None
    try:
        content = ImageGrab.grabclipboard()  # the system's own bitmap (Windows DIB, macOS PNG)
    except Exception:  # no clipboard, or text on it
        return None
    if isinstance(content, Image.Image):
        if content.width * content.height > MAX_PIXELS:
            raise InputError(f"the image on the clipboard is {content.width}×{content.height} pixels; that is too "
                             "large to be a screenshot")
        return content
    if isinstance(content, list) and content:  # copied image files (Windows, macOS)

        return load_grayscale(content[0])
    return None


def _linux_clipboard_image_bytes() -> bytes | None:
    """The clipboard's image as bytes (wl-paste on Wayland, else xclip), if it offers a type we decode."""
    if os.environ.get("WAYLAND_DISPLAY") and shutil.which("wl-paste"):
        lister, reader = ["wl-paste", "--list-types"], ["wl-paste", "--no-newline", "--type"]
    elif os.environ.get("DISPLAY") and shutil.which("xclip"):
        lister = ["xclip", "-selection", "clipboard", "-t", "TARGETS", "-o"]
        reader = ["xclip", "-selection", "clipboard", "-o", "-t"]
    else:
        return None
    try:
        listed = subprocess.run(lister, capture_output=True, timeout=5)
    except (subprocess.SubprocessError, OSError):
        return None
    offered = set(listed.stdout.decode("utf-8", errors="replace").split()) if listed.returncode == 0 else set()
    wanted = next((kind for kind in IMAGE_TYPES if kind in offered), None)
    if wanted is None:
        return None
    try:
        with subprocess.Popen([*reader, wanted], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as tool:
            assert tool.stdout is not None  # noqa: S101 (PIPE was asked for)
            data = read_at_most(tool.stdout, MAX_FILE_BYTES)
            tool.kill()
    except OSError:
        return None
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"the image on the clipboard is larger than {MAX_FILE_BYTES // 2**20} MiB; that is not a "
                         "screenshot")
    return data or None


def _clipboard_text() -> str | None:
    platform = "linux" if sys.platform.startswith("linux") else sys.platform
    for command in _TEXT_COMMANDS.get(platform, []):
        if not shutil.which(command[0]):
            continue
        try:
            result = subprocess.run(command, capture_output=True, timeout=5)
        except (subprocess.SubprocessError, OSError):
            continue
        if result.returncode == 0 and result.stdout:
            return result.stdout.decode("utf-8", errors="replace")
    return None
