"""Draws examples/2fa-setup-screenshot.png: a browser window showing a 2FA setup page.

Run from the repository root: python scripts/make_example_screenshot.py
Needs segno and Pillow. The seed is the made-up one of examples/atlassian-account.txt.
"""

import io
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
URI = (ROOT / "examples" / "atlassian-account.txt").read_text().strip()


def font(size: int, bold: bool = False):
    for name in ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf",):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            pass
    return ImageFont.load_default(size=size)


def main() -> None:
    width, height = 1280, 800
    page = Image.new("RGB", (width, height), "#f4f5f7")
    draw = ImageDraw.Draw(page)
    # Browser chrome.
    draw.rectangle((0, 0, width, 74), fill="#dee1e6")
    for i, colour in enumerate(("#ff5f57", "#febc2e", "#28c840")):
        draw.ellipse((14 + i * 22, 12, 28 + i * 22, 26), fill=colour)
    draw.rounded_rectangle((90, 6, 340, 34), 8, fill="#ffffff")
    draw.text((104, 12), "Account settings", fill="#333333", font=font(14))
    draw.rounded_rectangle((14, 40, width - 14, 68), 14, fill="#ffffff")
    draw.text((34, 46), "id.example-atlassian.test/manage-profile/security/two-step-verification", fill="#444444",
              font=font(14))
    # Site header.
    draw.rectangle((0, 74, width, 130), fill="#0c66e4")
    draw.text((40, 90), "▲ Atlassian account", fill="#ffffff", font=font(22, bold=True))
    # Card.
    card = (190, 160, width - 190, height - 40)
    draw.rounded_rectangle(card, 10, fill="#ffffff", outline="#dfe1e6")
    x = card[0] + 48
    draw.text((x, card[1] + 36), "Connect an authenticator app", fill="#172b4d", font=font(28, bold=True))
    draw.text((x, card[1] + 86), "Step 2 of 3 · Two-step verification for alex.morgan@example.com", fill="#44546f",
              font=font(16))
    lines = [
        "1. Open your authenticator app or hardware token tool.",
        "2. Scan this QR code.",
        "3. Enter the 6-digit code the app shows.",
    ]
    for i, line in enumerate(lines):
        draw.text((x, card[1] + 140 + i * 32), line, fill="#172b4d", font=font(18))
    qr = segno.make(URI, error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=5, border=4)
    qr_image = Image.open(buffer).convert("RGB")
    page.paste(qr_image, (card[2] - qr_image.width - 60, card[1] + 120))
    draw.text((x, card[1] + 270), "Can't scan the code?", fill="#0c66e4", font=font(16, bold=True))
    draw.text((x, card[1] + 300), "Enter this key in your app instead:", fill="#44546f", font=font(16))
    key = URI.split("secret=")[1].split("&")[0]
    spaced = " ".join(key[i : i + 4] for i in range(0, len(key), 4))
    draw.text((x, card[1] + 328), spaced, fill="#172b4d", font=font(17))
    draw.rounded_rectangle((x, card[3] - 84, x + 110, card[3] - 44), 4, fill="#0c66e4")
    draw.text((x + 30, card[3] - 74), "Next", fill="#ffffff", font=font(17, bold=True))
    draw.text((x + 140, card[3] - 74), "Back", fill="#0c66e4", font=font(17))
    out = ROOT / "examples" / "2fa-setup-screenshot.png"
    page.save(out, optimize=True)
    print(f"wrote {out} ({out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
