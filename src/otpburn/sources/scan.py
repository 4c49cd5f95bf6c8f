"""Scanning image files for QR codes: the part of `otpburn scan` that needs no screen."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from otpburn.errors import InputError
from otpburn.sources.images import load_grayscale
from otpburn.sources.qr import FoundCode, decode


@dataclass
class ScanResult:
    codes: list[FoundCode] = field(default_factory=list)
    origins: list[str] = field(default_factory=list)  # where each code was found

    def add(self, codes: list[FoundCode], origin: str) -> None:
        for code in codes:
            if all(code.text != known.text for known in self.codes):
                self.codes.append(code)
                self.origins.append(origin)


def scan_images(paths: list[str]) -> ScanResult:
    """Decode every image; NoCodeFound when none holds a QR code."""
    result = ScanResult()
    for path in paths:
        if path == "-":
            image = load_grayscale(sys.stdin.buffer.read(), "the image on standard input")
        else:
            image = load_grayscale(path)
        result.add(decode(image), path)
    if not result.codes:
        raise NoCodeFound(
            f"no QR code found in {', '.join(paths)}; make sure the whole code is visible and sharp "
            "(zoom the page in, or take the screenshot again)"
        )
    return result


class NoCodeFound(InputError):
    exit_code = 3
