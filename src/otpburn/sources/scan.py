"""Scanning for QR codes in image files, on every monitor, or on the clipboard."""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from otpburn.errors import InputError, NothingFoundError, Remedy
from otpburn.files import read_at_most, write_private
from otpburn.sources.clipboard import read_clipboard
from otpburn.sources.images import MAX_FILE_BYTES, load_grayscale
from otpburn.sources.qr import FoundCode, decode, fast_pass
from otpburn.sources.screen import MonitorCapture, blank_capture_advice, blank_monitors, capture_monitors, compose

if TYPE_CHECKING:
    from PIL import Image

    from otpburn.sources.qr import Grey
    from otpburn.sources.screen import MonitorCapture


class NoCodeFoundError(NothingFoundError):
    """No QR code where we looked."""


@dataclass
class ScanResult:
    codes: list[FoundCode] = field(default_factory=list)
    origins: list[str] = field(default_factory=list)  # where each code was found
    thumbnails: list[Image.Image | None] = field(default_factory=list)  # small pictures of where each code was
    seconds: float = 0.0

    def add(self, codes: list[FoundCode], origin: str, image: Image.Image | Grey | MonitorCapture | None = None,
            dx: int = 0, dy: int = 0) -> None:
        for code in codes:
            if all(code.text != known.text for known in self.codes):
                self.codes.append(code)
                self.origins.append(origin)
                self.thumbnails.append(_thumbnail(image, code, dx, dy) if image is not None else None)


THUMBNAIL_SIZE = 160


def _thumbnail(image: Image.Image | Grey | MonitorCapture, code: FoundCode, dx: int = 0, dy: int = 0) -> Image.Image:
    """The code and its surroundings, at most THUMBNAIL_SIZE pixels wide, for front ends to show."""
    from PIL import Image

    picture = image if isinstance(image, Image.Image | MonitorCapture) else Image.fromarray(image)
    x, y = code.x - dx, code.y - dy
    margin = max(code.width, code.height)
    box = (max(0, x - margin), max(0, y - margin), min(picture.width, x + code.width + margin),
           min(picture.height, y + code.height + margin))
    crop = picture.crop(box)
    crop.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE))
    return crop


def scan_images(paths: list[str]) -> ScanResult:
    """Decode every image; NoCodeFoundError when none holds a QR code."""
    started = time.perf_counter()
    result = ScanResult()
    for path in paths:
        if path == "-":  # read no more than a file may hold
            data = read_at_most(sys.stdin.buffer, MAX_FILE_BYTES)
            if len(data) > MAX_FILE_BYTES:
                raise InputError(f"the image on standard input is over {MAX_FILE_BYTES // 2**20} MiB; that is not "
                                 "a screenshot")
            image = load_grayscale(data, "the image on standard input")
        else:
            image = load_grayscale(path)
        result.add(decode(image), "standard input" if path == "-" else path, image)
    result.seconds = time.perf_counter() - started
    if not result.codes:
        raise NoCodeFoundError(
            f"no QR code found in {', '.join(paths)}; make sure the whole code is visible and sharp "
            "(zoom the page in, or take the screenshot again)"
        )
    return result


def scan_screen(delay: float = 0.0, save_to: str | None = None, force: bool = False,
                countdown: Callable[[int], None] | None = None) -> ScanResult:
    """Capture every monitor (after `delay` seconds) and decode each one."""
    for left in range(int(round(delay)), 0, -1):
        if countdown:
            countdown(left)
        time.sleep(1)
    captures = capture_monitors()
    started = time.perf_counter()
    if save_to:
        _save_capture(compose(captures), save_to, force)
    result = ScanResult()
    # The fast pass on every monitor first: the monitor with the code answers in milliseconds,
    # and the deeper passes (tens of milliseconds a monitor) run only when no monitor had one.
    for capture in captures:
        found = [code.moved(capture.left, capture.top, capture.index) for code in fast_pass(capture.fast_source())]
        result.add(found, f"monitor {capture.index}", capture, capture.left, capture.top)
    if not result.codes:
        for capture in captures:
            found = [code.moved(capture.left, capture.top, capture.index)
                     for code in decode(capture.pixels, fast_pass_done=True)]
            result.add(found, f"monitor {capture.index}", capture, capture.left, capture.top)
    result.seconds = time.perf_counter() - started
    if not result.codes:
        blank = blank_monitors(captures)
        if len(blank) == len(captures):
            raise NoCodeFoundError(blank_capture_advice(), remedy=Remedy.OTHER_SOURCE)
        monitors = f"{len(captures)} monitor{'s' if len(captures) > 1 else ''}"
        hint = " (monitor " + ", ".join(map(str, blank)) + " came back blank)" if blank else ""
        raise NoCodeFoundError(
            f"no QR code found on {monitors}{hint}; show the whole code (zoom the page in if it is tiny)",
            remedy=Remedy.SCAN_AGAIN)
    return result


def scan_clipboard() -> ScanResult:
    content = read_clipboard()
    result = ScanResult()
    if isinstance(content, str):
        result.add([FoundCode(content.strip(), 0, 0, 0, 0, "clipboard text")], "clipboard (text)")
        return result
    image = content if content.mode == "L" else content.convert("L")
    result.add(decode(image), "clipboard (image)", image)
    if not result.codes:
        raise NoCodeFoundError("the image on the clipboard holds no QR code that could be read")
    return result


def _save_capture(pixels: Grey, path: str, force: bool) -> None:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG")
    write_private(path, buffer.getvalue(), force=force)  # it may show a seed: private to the user
