"""Finding QR codes in images: zxing-cpp restricted to QR codes, in a cascade of passes.

1. One fast pass over the whole grayscale image (inverted codes included). It reads
   most screenshots in a few milliseconds.
2. Only when it falls short: candidate regions (blocks of dense, high-contrast detail of
   a QR code's size and squareness) are cropped, given an artificial white margin (for
   codes pressed against other content) and decoded again as they are, upscaled (1-2 px
   modules, fractional HiDPI scaling) and with other binarizers (blur, low contrast).
3. Then whole-image passes with other binarizers, as long as the work budget lasts.

The budget is counted in work (pixels handed to the decoder), never in seconds, so an image
gives the same result on an idle laptop and on a saturated one.

zxing-cpp only reports a QR code whose Reed-Solomon check passed, so every pass is safe
to accept; results are de-duplicated by text.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    from PIL import Image

    Grey = npt.NDArray[np.uint8]

CELL = 8  # pixels per cell of the contrast map used to find candidate regions
MIN_CONTRAST = 48  # grey levels between the darkest and lightest pixel of a "busy" cell
MAX_CANDIDATES = 8
# Work a decode may do beyond the fast pass, in pixels handed to zxing: this many times the
# image, plus a floor for small images. Measured on the benchmark corpus (90 captures up to
# dual 4K): every code found needed at most 0.15x its image; a capture without a code, where
# every pass runs, needed at most 6.2x. The bound keeps a pathological image (hundreds of
# code-like regions) finite and the result the same on any machine.
WORK_PER_PIXEL = 6.0
MIN_WORK = 4_000_000
Box = tuple[int, int, int, int]


class WorkBudget:
    """Decoding work left, in pixels: the same image always gets the same effort."""

    def __init__(self, pixels: int) -> None:
        self.left = pixels
        self.spent = 0

    def spend(self, pixels: int) -> bool:
        """Take `pixels` of work if there is that much left."""
        if pixels > self.left:
            return False
        self.left -= pixels
        self.spent += pixels
        return True


@dataclass(frozen=True)
class FoundCode:
    text: str
    x: int
    y: int
    width: int
    height: int
    pass_name: str = "fast"  # noqa: S105 (the decoding pass, not a password)
    monitor: int | None = None  # 1-based, for screen captures

    def __repr__(self) -> str:  # the text may hold a secret
        return (f"FoundCode(<{len(self.text)} chars>, at {self.x},{self.y} {self.width}x{self.height}, "
                f"{self.pass_name}, monitor={self.monitor})")

    def moved(self, dx: int, dy: int, monitor: int | None = None) -> FoundCode:
        return replace(self, x=self.x + dx, y=self.y + dy, monitor=monitor)


def _zxing() -> ModuleType:
    import zxingcpp

    return zxingcpp


def _read(array: Any, binarizer: Any = None) -> list[Any]:
    zxingcpp = _zxing()
    options = {} if binarizer is None else {"binarizer": binarizer}
    return list(zxingcpp.read_barcodes(array, formats=zxingcpp.BarcodeFormat.QRCode, try_rotate=False,
                                       try_downscale=False, try_invert=True, **options))


def bgrx_green_view(buffer: bytes | bytearray, width: int, height: int) -> Any:
    """A BGRX screen grab as zxing reads it in place: its green bytes as the luminance.

    Green carries most of a pixel's luma, and reading it with a pixel stride of 4 costs no
    copy and no numpy. The last row is left out: the view starts one byte into the buffer.
    """
    zxingcpp = _zxing()
    return zxingcpp.ImageView(memoryview(buffer)[1:], width, max(1, height - 1), zxingcpp.ImageFormat.Lum,
                              width * 4, 4)


def fast_pass(source: Any) -> list[FoundCode]:
    """The quick whole-image pass alone, on anything zxing reads (numpy, a PIL image, a view)."""
    return _codes(_read(source), 1.0, 0, 0, "fast")


def _codes(barcodes: Iterable[Any], scale: float, dx: float, dy: float, pass_name: str) -> list[FoundCode]:
    found = []
    for barcode in barcodes:
        p = barcode.position
        xs = [q.x for q in (p.top_left, p.top_right, p.bottom_left, p.bottom_right)]
        ys = [q.y for q in (p.top_left, p.top_right, p.bottom_left, p.bottom_right)]
        found.append(FoundCode(
            barcode.text,
            round(min(xs) / scale + dx), round(min(ys) / scale + dy),
            round((max(xs) - min(xs)) / scale), round((max(ys) - min(ys)) / scale),
            pass_name,
        ))
    return found


def as_array(image: Image.Image | npt.ArrayLike) -> Grey:
    """A C-contiguous uint8 grayscale numpy array from a PIL image or an array."""
    import numpy as np
    from PIL import Image

    if isinstance(image, Image.Image):
        if image.mode != "L":
            image = image.convert("L")
        return np.asarray(image)
    array: Grey = np.asarray(image)
    if array.ndim == 3:  # BGRA/BGR/RGB screen grabs: a luma approximation is enough for decoding
        luma = (array[..., 0].astype(np.uint16) * 29 + array[..., 1].astype(np.uint16) * 150
                + array[..., 2].astype(np.uint16) * 77) >> 8
        array = luma.astype(np.uint8)
    return np.ascontiguousarray(array)


class _Collector:
    def __init__(self, expect: int) -> None:
        self.expect = expect
        self.codes: list[FoundCode] = []

    def add(self, codes: list[FoundCode]) -> bool:
        for code in codes:
            if all(code.text != known.text for known in self.codes):
                self.codes.append(code)
        return len(self.codes) >= self.expect


def decode(image: Image.Image | npt.ArrayLike, work: float = WORK_PER_PIXEL, expect: int = 1,
           budget: WorkBudget | None = None, fast_pass_done: bool = False) -> list[FoundCode]:
    """Every QR code found in a grayscale image (PIL image or numpy array).

    Stops once `expect` distinct codes are found or the work budget (`work` times the image's
    pixels beyond the fast pass, unless a `budget` is given) is spent. `fast_pass_done`: the
    caller already ran `fast_pass` on this image and found nothing.
    """
    array = as_array(image)
    collector = _Collector(expect)
    if not fast_pass_done and collector.add(fast_pass(array)):
        return collector.codes
    if budget is None:
        budget = WorkBudget(int(work * array.size) + MIN_WORK)
    zxingcpp = _zxing()
    for tight, loose in candidate_regions(array):
        for region in (tight, loose):
            if collector.add(_decode_region(array, region, budget)):
                return collector.codes
            if budget.left <= 0:
                return collector.codes
    height, width = array.shape
    whole_passes = [("fixed threshold", zxingcpp.Binarizer.FixedThreshold),
                    ("global histogram", zxingcpp.Binarizer.GlobalHistogram)]
    for name, binarizer in whole_passes:
        if not budget.spend(array.size):
            break
        if collector.add(_codes(_read(array, binarizer), 1.0, 0, 0, name)):
            break
    if len(collector.codes) < expect and width * height <= 2_500_000 and budget.spend(4 * array.size):
        upscaled = _resize(array, 2.0, smooth=True)
        collector.add(_codes(_read(upscaled), 2.0, 0, 0, "upscale"))
    return collector.codes


def _resize(array: Grey, factor: float, smooth: bool) -> Grey:
    import numpy as np
    from PIL import Image

    image = Image.fromarray(array)
    size = (max(1, round(array.shape[1] * factor)), max(1, round(array.shape[0] * factor)))
    method = Image.Resampling.BICUBIC if smooth else Image.Resampling.NEAREST
    return np.asarray(image.resize(size, method))


def _decode_region(array: Grey, region: Box, budget: WorkBudget) -> list[FoundCode]:
    """Crop, add a white margin, and try the region as is, upscaled, and with other binarizers."""
    import numpy as np

    zxingcpp = _zxing()
    x0, y0, x1, y1 = region
    crop = array[y0:y1, x0:x1]
    light = int(np.percentile(crop, 90))
    dark_mode = float(crop.mean()) < 110
    fill = int(np.percentile(crop, 10)) if dark_mode else light
    margin = max(8, (x1 - x0) // 8)
    padded = np.pad(crop, margin, mode="constant", constant_values=fill)
    attempts = [
        ("region", 1.0, True, None),
        ("region upscale", 2.0, True, None),
        ("region upscale nearest", 3.0, False, None),
        ("region fixed threshold", 2.0, True, zxingcpp.Binarizer.FixedThreshold),
        ("region histogram", 2.0, True, zxingcpp.Binarizer.GlobalHistogram),
    ]
    for name, factor, smooth, binarizer in attempts:
        if not budget.spend(round(padded.size * factor * factor)):
            break
        candidate = padded if factor == 1.0 else _resize(padded, factor, smooth)
        found = _codes(_read(candidate, binarizer), factor, x0 - margin, y0 - margin, name)
        if found:
            return found
    return []


def candidate_regions(array: Grey) -> list[tuple[Box, Box]]:
    """(tight, loose) boxes (x0, y0, x1, y1) of square-ish blocks of dense detail, best first."""
    import numpy as np

    height, width = array.shape
    rows, cols = height // CELL, width // CELL
    if rows < 2 or cols < 2:
        return []
    cells = array[: rows * CELL, : cols * CELL].reshape(rows, CELL, cols, CELL)
    spread = cells.max(axis=(1, 3)).astype(np.int16) - cells.min(axis=(1, 3)).astype(np.int16)
    busy = (spread >= MIN_CONTRAST).astype(np.int32)
    # Keep cells whose 3x3 neighbourhood is mostly busy: a QR code is a solid block of detail,
    # while window borders and text lines are thin and would chain everything together.
    padded = np.pad(busy, 1)
    neighbourhood = sum(padded[dr:dr + rows, dc:dc + cols] for dr in range(3) for dc in range(3))
    dense = (neighbourhood >= 7) & (busy == 1)
    boxes: list[tuple[float, Box, Box]] = []
    for r0, c0, r1, c1, _count in _components(dense):
        h, w = r1 - r0 + 1, c1 - c0 + 1
        if h < 2 or w < 2 or h > 160 or w > 160:  # 16 px .. 1280 px
            continue
        pad = 2
        box = (max(0, (c0 - pad) * CELL), max(0, (r0 - pad) * CELL),
               min(width, (c1 + 1 + pad) * CELL), min(height, (r1 + 1 + pad) * CELL))
        tight = _trim(array, box)
        tw, th = tight[2] - tight[0], tight[3] - tight[1]
        if tw < 16 or th < 16:
            continue
        aspect = tw / th
        if not 0.6 <= aspect <= 1.6:
            continue
        # About half of a QR code's modules are dark; text, icons and bars are far from half.
        dark = _dark_fraction(array[tight[1]:tight[3], tight[0]:tight[2]])
        if not 0.25 <= dark <= 0.75:
            continue
        # Judge the tight box, not the component: a code touching a window border or a text
        # line joins their component without looking any less like a code itself.
        inner = dense[tight[1] // CELL:(tight[3] + CELL - 1) // CELL, tight[0] // CELL:(tight[2] + CELL - 1) // CELL]
        density = float(inner.mean()) if inner.size else 0.0
        score = density - abs(1 - aspect) - abs(0.5 - dark) + min(tw * th, 40_000) / 100_000
        boxes.append((score, tight, box))
    boxes.sort(key=lambda item: -item[0])
    return [(tight, box) for _, tight, box in boxes[:MAX_CANDIDATES]]


def _dark_fraction(crop: Grey) -> float:
    import numpy as np

    low, high = np.percentile(crop, (5, 95))
    return float(np.count_nonzero(crop <= (int(low) + int(high)) // 2)) / crop.size


def _longest_run(flags: Sequence[bool] | npt.NDArray[np.bool_]) -> tuple[int, int]:
    best: tuple[int, int] = (0, 0)
    start: int | None = None
    best_span = -1
    for index, flag in enumerate(list(flags) + [False]):
        if flag and start is None:
            start = index
        elif not flag and start is not None:
            if index - start > best_span:
                best, best_span = (start, index), index - start
            start = None
    return best


def _trim(array: Grey, box: Box) -> Box:
    """Shrink a box to the block of rows and columns that change colour often, as a QR code does.

    Solid bars, borders and blank space pressed against a code change colour rarely, so they
    fall outside; the tight box can then be given the quiet zone the code lacks.
    """
    import numpy as np

    x0, y0, x1, y1 = box
    crop = array[y0:y1, x0:x1]
    low, high = np.percentile(crop, (5, 95))
    if high - low < MIN_CONTRAST:
        return box
    binary = crop > (int(low) + int(high)) // 2
    top, bottom, left, right = 0, crop.shape[0], 0, crop.shape[1]
    for _ in range(2):  # rows within the column run, then columns within the row run
        part = binary[top:bottom, left:right]
        row_changes = np.count_nonzero(np.diff(part, axis=1), axis=1)
        r_start, r_end = _longest_run(row_changes >= 4)
        top, bottom = top + r_start, top + r_end
        part = binary[top:bottom, left:right]
        col_changes = np.count_nonzero(np.diff(part, axis=0), axis=0)
        c_start, c_end = _longest_run(col_changes >= 4)
        left, right = left + c_start, left + c_end
        if bottom - top < 8 or right - left < 8:
            return box
    return (x0 + left, y0 + top, x0 + right, y0 + bottom)


def _components(mask: npt.NDArray[np.bool_]) -> list[tuple[int, int, int, int, int]]:
    """4-connected components of a boolean grid: (r0, c0, r1, c1, cells) each."""
    import numpy as np

    seen = np.zeros(mask.shape, dtype=bool)
    rows, cols = mask.shape
    found: list[tuple[int, int, int, int, int]] = []
    for start in zip(*np.nonzero(mask), strict=True):
        r, c = int(start[0]), int(start[1])
        if seen[r, c]:
            continue
        seen[r, c] = True
        queue = deque([(r, c)])
        r0 = r1 = r
        c0 = c1 = c
        count = 0
        while queue:
            r, c = queue.popleft()
            count += 1
            r0, r1, c0, c1 = min(r0, r), max(r1, r), min(c0, c), max(c1, c)
            for nr, nc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
                if 0 <= nr < rows and 0 <= nc < cols and mask[nr, nc] and not seen[nr, nc]:
                    seen[nr, nc] = True
                    queue.append((nr, nc))
        found.append((r0, c0, r1, c1, count))
    return found
