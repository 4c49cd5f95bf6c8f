"""Loading images safely: bounded size, clear messages for files that are not images."""

from __future__ import annotations

import io
import os
import warnings
from typing import TYPE_CHECKING

from otpburn.errors import InputError

if TYPE_CHECKING:
    from PIL import Image

MAX_PIXELS = 100_000_000  # three 8K monitors side by side is ~100 Mpx; larger is not a screenshot
MAX_FILE_BYTES = 200 * 1024 * 1024
# Only these decoders are ever used: Pillow would otherwise also hand an EPS/PostScript file
# (whatever its name) to Ghostscript, turning a "screenshot" into a program that runs.
FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "GIF", "TIFF")


def load_grayscale(source: str | os.PathLike[str] | bytes, name: str | None = None) -> Image.Image:
    """A PIL grayscale ('L') image from a path or from bytes, or InputError saying what is wrong."""
    from PIL import Image, UnidentifiedImageError

    label = name or (str(source) if not isinstance(source, bytes) else "the image")
    if isinstance(source, bytes):
        data = source
    else:
        from otpburn.files import read_input_file

        data = read_input_file(source, "an image", MAX_FILE_BYTES)
    if not data:
        raise InputError(f"{label} is empty (0 bytes)")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=FORMATS)
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise InputError(f"{label} is {width}×{height} pixels; that is too large to be a screenshot")
            image.load()
        except InputError:
            raise
        except UnidentifiedImageError:
            raise InputError(f"{label} is not an image otpburn can read (PNG, JPEG, WebP, BMP, GIF, TIFF)") from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise InputError(f"{label} is too large to be a screenshot") from None
        except (OSError, SyntaxError, ValueError) as exc:
            raise InputError(f"{label} is damaged or cut short ({exc})") from None
    if image.mode != "L":
        return _flatten(image).convert("L")
    return image


def _flatten(image: Image.Image) -> Image.Image:
    """Put transparent images on white, as a screen would show them."""
    from PIL import Image

    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba)
    return image
