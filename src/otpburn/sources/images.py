"""Loading images safely: bounded size, clear messages for files that are not images."""

from __future__ import annotations

import io
import os
import warnings
from typing import TYPE_CHECKING

from otpburn.errors import InputError
from otpburn.files import read_input_file

if TYPE_CHECKING:
    from PIL import Image

# An 8K monitor is 33 Mpx and three 4K monitors 25 Mpx; larger is not a screenshot. Decoding holds 4 bytes a
# pixel (Pillow keeps RGB and RGBA in 32 bits), the grey conversion 2 more: 300 MB at this limit, whatever the
# file's own size (a flat 50 Mpx PNG compresses to a few hundred KB).
MAX_PIXELS = 50_000_000
MAX_SIDE = 65_535  # pixels a side: the most zxing-cpp reads (a full-page capture of a long page stays far below)
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
        data = read_input_file(source, "an image", MAX_FILE_BYTES)
    if not data:
        raise InputError(f"{label} is empty (0 bytes)")
    with warnings.catch_warnings():
        # Pillow's notes on a file's damaged metadata (a TIFF tag that points past the end) are not the user's: the
        # pixels are what is read, and a file whose pixels do not decode is refused below. A decompression bomb is.
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image: Image.Image = Image.open(io.BytesIO(data), formats=FORMATS)
            width, height = image.size
            if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
                raise InputError(f"{label} is {width}×{height} pixels; that is too large to be a screenshot")
            image.load()
        except InputError:
            raise
        except UnidentifiedImageError:
            raise InputError(f"{label} is not an image otpburn can read (PNG, JPEG, WebP, BMP, GIF, TIFF)") from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise InputError(f"{label} is too large to be a screenshot") from None
        except (OSError, SyntaxError, ValueError, TypeError) as exc:  # TypeError: a TIFF tag of the wrong type
            raise InputError(f"{label} is damaged or cut short ({exc})") from None
    if image.mode == "L":
        return image
    # Transparent parts go on white, as a screen would show them. Grey and alpha are taken apart (a byte a pixel
    # each) and blended in grey: compositing in RGBA would hold several 4-byte copies of a large image at once.
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        if image.mode != "RGBA":
            image = image.convert("RGBA")
        alpha = image.getchannel("A")
        grey = image.convert("L")
        del image  # the decoded picture goes before the blend needs its own two bytes a pixel
        return Image.composite(grey, Image.new("L", grey.size, 255), alpha)
    return image.convert("L")
