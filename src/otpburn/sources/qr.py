"""Finding QR codes in images: zxing-cpp, restricted to QR codes, in a cascade of passes.

The first pass is the fast one that reads most screenshots (inverted codes included).
Only when it finds nothing do slower passes run, within a time budget: other
binarizers, upscaling for 1-2 px modules, and an added white margin for codes that
touch the edge of the image.
"""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass(frozen=True)
class FoundCode:
    text: str
    x: int
    y: int
    width: int
    height: int
    pass_name: str = "fast"
    monitor: int | None = None  # 1-based, for screen captures

    def __repr__(self) -> str:  # the text may hold a secret
        return f"FoundCode(<{len(self.text)} chars>, at {self.x},{self.y} {self.width}x{self.height}, {self.pass_name})"


def _read(image, **options):
    import zxingcpp

    return zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode, try_rotate=False,
                                  try_downscale=False, try_invert=True, **options)


def _found(barcodes, scale: float, offset: int, pass_name: str) -> list[FoundCode]:
    found = []
    for barcode in barcodes:
        position = barcode.position
        xs = [p.x for p in (position.top_left, position.top_right, position.bottom_left, position.bottom_right)]
        ys = [p.y for p in (position.top_left, position.top_right, position.bottom_left, position.bottom_right)]
        x0, y0 = (min(xs) - offset) / scale, (min(ys) - offset) / scale
        found.append(FoundCode(barcode.text, round(x0), round(y0), round((max(xs) - min(xs)) / scale),
                               round((max(ys) - min(ys)) / scale), pass_name))
    return found


def decode(image, budget: float = 1.0) -> list[FoundCode]:
    """Every QR code in a grayscale PIL image, with positions in the image's pixels."""
    import zxingcpp
    from PIL import Image, ImageOps

    found = _found(_read(image), 1.0, 0, "fast")
    if found:
        return found
    deadline = time.monotonic() + budget
    width, height = image.size

    def passes():
        yield "fixed threshold", image, 1.0, 0, {"binarizer": zxingcpp.Binarizer.FixedThreshold}
        margin = max(16, min(width, height) // 20)
        bordered = ImageOps.expand(image, border=margin, fill=255)
        yield "margin", bordered, 1.0, margin, {}
        if width * height <= 9_000_000:
            yield "upscale", image.resize((width * 2, height * 2), Image.Resampling.BICUBIC), 2.0, 0, {}
            yield "upscale nearest", image.resize((width * 2, height * 2), Image.Resampling.NEAREST), 2.0, 0, {}
        yield "histogram", image, 1.0, 0, {"binarizer": zxingcpp.Binarizer.GlobalHistogram}
        if width * height >= 4_000_000:
            yield "downscale", image.resize((width // 2, height // 2), Image.Resampling.BOX), 0.5, 0, {}

    for name, candidate, scale, offset, options in passes():
        if time.monotonic() > deadline:
            break
        found = _found(_read(candidate, **options), scale, offset, name)
        if found:
            return found
    return []
