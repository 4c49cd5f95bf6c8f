"""Reading the clipboard: an image (a copied screenshot) or text (a copied URI or secret)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from typing import TYPE_CHECKING

from otpburn.errors import InputError

if TYPE_CHECKING:
    from PIL import Image

_TEXT_COMMANDS = {
    "linux": [["wl-paste", "--no-newline", "--type", "text/plain"], ["xclip", "-selection", "clipboard", "-o"],
              ["xsel", "--clipboard", "--output"]],
    "darwin": [["pbpaste"]],
    "win32": [["powershell", "-NoProfile", "-Command", "Get-Clipboard -Raw"]],
}


def read_clipboard() -> Image.Image | str:
    """The image (a PIL image) or else the text on the clipboard; InputError when it holds neither."""
    image = _clipboard_image()
    if image is not None:
        return image
    text = _clipboard_text()
    if text and text.strip():
        return text
    raise InputError("the clipboard holds neither an image nor text; copy the QR code or the otpauth link first")


def _clipboard_image() -> Image.Image | None:
    try:
        from PIL import Image, ImageGrab
    except ImportError:  # pragma: no cover
        return None
    try:
        content = ImageGrab.grabclipboard()
    except Exception:  # no clipboard tool, no display, or text on the clipboard
        return None
    if isinstance(content, Image.Image):
        return content
    if isinstance(content, list) and content:  # copied image files (Windows, macOS)
        from otpburn.sources.images import load_grayscale

        return load_grayscale(content[0])
    return None


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
