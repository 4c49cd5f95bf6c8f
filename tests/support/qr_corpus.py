"""A deterministic corpus of synthetic desktop captures holding QR codes (or none).

Used by the QR tests and by benchmarks/qr_scan.py. Every sample is drawn from a seeded
random generator, so the same seed always gives the same images.
"""

from __future__ import annotations

import base64
import io
import random
import string
from dataclasses import dataclass, field

import numpy as np
import segno
from PIL import Image, ImageDraw, ImageFilter, ImageFont

LAYOUTS = {
    "1080p": [(1920, 1080)],
    "1440p": [(2560, 1440)],
    "4k": [(3840, 2160)],
    "dual-1080p": [(1920, 1080), (1920, 1080)],
    "dual-4k": [(3840, 2160), (1920, 2160)],  # a 4K monitor beside a portrait-ish second one: 5760x2160
}

VARIATIONS = [
    "plain", "small-modules", "second-monitor", "hidpi-1.25", "hidpi-1.5", "hidpi-1.75", "dark-mode",
    "low-contrast", "jpeg", "blur", "rotation", "no-quiet-zone", "two-codes", "google-export", "no-code",
]


@dataclass
class Sample:
    variation: str
    layout: str
    image: np.ndarray  # grayscale desktop, all monitors side by side
    monitors: list[tuple[int, int, int, int]]  # (left, top, width, height) of each monitor
    expected: list[str] = field(default_factory=list)
    monitor_of_code: list[int] = field(default_factory=list)  # 1-based
    boxes: list[tuple[int, int, int, int]] = field(default_factory=list)  # x, y, width, height of each code


def otpauth_uri(rng: random.Random) -> str:
    secret = base64.b32encode(bytes(rng.getrandbits(8) for _ in range(rng.choice([10, 16, 20, 32])))).decode()
    issuer = rng.choice(["Atlassian", "GitHub", "Microsoft", "Discord", "ACME VPN", "Example"])
    user = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 10)))
    return f"otpauth://totp/{issuer}:{user}@example.com?secret={secret.rstrip('=')}&issuer={issuer.replace(' ', '%20')}"


def migration_uri(rng: random.Random, accounts: int = 3) -> str:
    def field_bytes(number: int, value: bytes) -> bytes:
        return bytes([number << 3 | 2, len(value)]) + value

    payload = b""
    for _ in range(accounts):
        entry = field_bytes(1, bytes(rng.getrandbits(8) for _ in range(20)))
        entry += field_bytes(2, f"user{rng.randint(1, 999)}@example.com".encode())
        entry += field_bytes(3, rng.choice([b"GitHub", b"Google", b"Dropbox"]))
        entry += bytes([4 << 3, 1, 5 << 3, 1, 6 << 3, 2])
        payload += field_bytes(1, entry)
    payload += bytes([2 << 3, 1, 3 << 3, 1, 4 << 3, 0])
    data = base64.b64encode(payload).decode().replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
    return f"otpauth-migration://offline?data={data}"


def qr_modules(text: str, border: int = 4) -> np.ndarray:
    """The code as a 0/1 array (1 = dark module), with `border` modules of quiet zone."""
    code = segno.make(text, error="m", micro=False)
    matrix = np.array([list(row) for row in code.matrix], dtype=np.uint8)
    return np.pad(matrix, border)


def render_code(text: str, module: int, scale: float = 1.0, border: int = 4, dark: int = 0, light: int = 255,
                rotate: float = 0.0) -> np.ndarray:
    modules = qr_modules(text, border)
    pixels = np.kron(modules, np.ones((module, module), dtype=np.uint8))
    image = np.where(pixels == 1, dark, light).astype(np.uint8)
    picture = Image.fromarray(image)
    if scale != 1.0:
        size = (round(picture.width * scale), round(picture.height * scale))
        picture = picture.resize(size, Image.Resampling.BILINEAR)
    if rotate:
        picture = picture.rotate(rotate, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=light)
    return np.asarray(picture)


def _font(size: int):
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default(size=size)


def draw_clutter(rng: random.Random, width: int, height: int, background: int, ink: int) -> Image.Image:
    """A desktop-like screen: a title bar, windows, text lines, buttons and icons."""
    screen = Image.new("L", (width, height), background)
    draw = ImageDraw.Draw(screen)
    draw.rectangle((0, 0, width, 32), fill=(background + ink) // 2)
    for _ in range(rng.randint(2, 5)):  # windows
        x0, y0 = rng.randint(0, width - 300), rng.randint(40, height - 200)
        x1, y1 = min(width, x0 + rng.randint(300, 1100)), min(height, y0 + rng.randint(200, 800))
        draw.rectangle((x0, y0, x1, y1), outline=ink, fill=background)
        draw.rectangle((x0, y0, x1, y0 + 26), fill=(background * 3 + ink) // 4)
    font = _font(rng.choice([13, 15, 18]))
    for _ in range(rng.randint(25, 60)):  # text lines
        x, y = rng.randint(0, width - 200), rng.randint(40, height - 20)
        words = " ".join("".join(rng.choice(string.ascii_letters) for _ in range(rng.randint(2, 9)))
                         for _ in range(rng.randint(3, 12)))
        draw.text((x, y), words, fill=ink, font=font)
    for _ in range(rng.randint(5, 15)):  # buttons and icons
        x, y = rng.randint(0, width - 60), rng.randint(40, height - 40)
        size = rng.randint(16, 48)
        draw.rectangle((x, y, x + size, y + size), fill=rng.choice([ink, (background + ink) // 2]))
    return screen


def _place(screen: np.ndarray, code: np.ndarray, rng: random.Random, left: int, width: int,
           height: int) -> tuple[int, int]:
    ch, cw = code.shape
    x = rng.randint(left, max(left, left + width - cw - 1))
    y = rng.randint(40, max(40, height - ch - 1))
    screen[y:y + ch, x:x + cw] = code
    return x, y


def make_sample(rng: random.Random, variation: str, layout: str | None = None) -> Sample:
    layout = layout or rng.choice(list(LAYOUTS))
    sizes = LAYOUTS[layout]
    if variation == "second-monitor" and len(sizes) == 1:
        layout, sizes = "dual-1080p", LAYOUTS["dual-1080p"]
    total_width, total_height = sum(w for w, _ in sizes), max(h for _, h in sizes)
    dark_mode = variation == "dark-mode"
    background, ink = (32, 220) if dark_mode else (rng.randint(235, 255), rng.randint(0, 60))
    monitors, left = [], 0
    desktop = np.zeros((total_height, total_width), dtype=np.uint8)
    for width, height in sizes:
        desktop[:height, left:left + width] = np.asarray(draw_clutter(rng, width, height, background, ink))
        monitors.append((left, 0, width, height))
        left += width
    sample = Sample(variation, layout, desktop, monitors)
    if variation == "no-code":
        return _finish(sample, rng)

    count = 2 if variation == "two-codes" else 1
    for index in range(count):
        text = migration_uri(rng) if variation == "google-export" else otpauth_uri(rng)
        module = rng.randint(1, 2) if variation == "small-modules" else rng.randint(2, 6)
        scale = float(variation.split("-")[1]) if variation.startswith("hidpi") else 1.0
        if variation.startswith("hidpi"):
            module = 1
        dark, light = (0, 255)
        if dark_mode:
            dark, light = 235, 30  # light modules on a dark page
        elif variation == "low-contrast":
            dark, light = rng.randint(90, 120), rng.randint(170, 200)
        border = 0 if variation == "no-quiet-zone" else 4
        rotate = rng.uniform(2, 12) * rng.choice([-1, 1]) if variation == "rotation" else 0.0
        code = render_code(text, module, scale, border, dark, light, rotate)
        monitor = len(monitors) if variation == "second-monitor" else rng.randint(1, len(monitors))
        if count == 2:
            monitor = index + 1 if len(monitors) > 1 else 1
        mleft, _, mwidth, mheight = monitors[monitor - 1]
        if count == 2 and len(monitors) == 1:  # two codes on one screen: left and right halves
            mwidth //= 2
            mleft += index * mwidth
        x, y = _place(desktop, code, rng, mleft, mwidth, mheight)
        if variation == "no-quiet-zone":  # content pressed right against the code on two sides
            ch, cw = code.shape
            desktop[y:y + ch, max(0, x - 6):x] = rng.choice([0, 60])
            desktop[max(0, y - 6):y, x:x + cw] = ink
        sample.expected.append(text)
        sample.monitor_of_code.append(monitor)
        sample.boxes.append((x, y, code.shape[1], code.shape[0]))
    return _finish(sample, rng)


def _finish(sample: Sample, rng: random.Random) -> Sample:
    image = Image.fromarray(sample.image)
    if sample.variation == "jpeg":
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=rng.randint(55, 85))
        image = Image.open(buffer).convert("L")
    elif sample.variation == "blur":
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.6, 1.0)))
    sample.image = np.ascontiguousarray(np.asarray(image))
    return sample


def corpus(seed: int = 2026, per_variation: int = 6, layouts: list[str] | None = None):
    """Yield samples: `per_variation` of each variation, layouts cycling through `layouts`."""
    rng = random.Random(seed)
    names = layouts or list(LAYOUTS)
    for variation in VARIATIONS:
        for index in range(per_variation):
            yield make_sample(rng, variation, names[index % len(names)])
