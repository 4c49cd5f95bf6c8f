"""`otpburn scan` on image files through the real entry point."""

import io
import json
import struct
import zlib

import numpy as np
import pytest
import segno
from PIL import Image

from tests.support.qr_corpus import migration_uri


def qr_png(text: str, path, scale: int = 6):
    buffer = io.BytesIO()
    segno.make(text).save(buffer, kind="png", scale=scale, border=4)
    path.write_bytes(buffer.getvalue())
    return str(path)


def huge_png_header(path, width=20000, height=20000):
    """A valid PNG signature and IHDR claiming a huge image, then a tiny IDAT."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 10))
                     + chunk(b"IEND", b""))
    return str(path)


def test_scan_image_json(cli):
    result = cli("scan", "--image", "examples/2fa-setup-screenshot.png", "--json")
    data = json.loads(result.stdout)
    assert result.returncode == 0
    assert data["codes"][0]["kind"] == "otpauth-totp" and data["codes"][0]["monitor"] is None
    assert "secret" not in data["seeds"][0]
    shown = json.loads(cli("scan", "--image", "examples/2fa-setup-screenshot.png", "--json", "--show-secret").stdout)
    assert shown["seeds"][0]["secret"] == "N52HAYTVOJXCAZLYMFWXA3DFEBZWKZLE"


def test_google_export_is_expanded_and_picked(cli, tmp_path):
    import random

    path = qr_png(migration_uri(random.Random(3), accounts=3), tmp_path / "export.png", scale=4)
    result = cli("scan", "--image", path)
    assert result.returncode == 0 and "3 seeds found" in result.stdout.decode()
    picked = json.loads(cli("scan", "--image", path, "--pick", "2", "--json").stdout)
    assert len(picked["seeds"]) == 1
    assert cli("scan", "--image", path, "--pick", "4").returncode == 2


def test_non_seed_code_exits_1_with_advice(cli, tmp_path):
    path = qr_png("https://example.com/welcome", tmp_path / "link.png")
    result = cli("scan", "--image", path)
    assert result.returncode == 1 and "ordinary web link" in result.stdout.decode()


def test_several_files_and_stdin(cli, tmp_path):
    first = qr_png("otpauth://totp/A:a?secret=JBSWY3DPEHPK3PXP", tmp_path / "a.png")
    second = qr_png("otpauth://totp/B:b?secret=KRSXG5CTMVRXEZLU", tmp_path / "b.png")
    data = json.loads(cli("scan", "--image", first, "--image", second, "--json").stdout)
    assert [c["found_in"] for c in data["codes"]] == [first, second]
    with open(first, "rb") as handle:
        piped = cli("scan", "--image", "-", "--json", stdin=handle.read())
    assert json.loads(piped.stdout)["codes"][0]["found_in"] == "standard input"


@pytest.mark.parametrize("fmt", ["JPEG", "WEBP", "BMP", "GIF", "TIFF"])
def test_image_formats(cli, tmp_path, fmt):
    png = qr_png("otpauth://totp/A:a?secret=JBSWY3DPEHPK3PXP", tmp_path / "code.png")
    path = tmp_path / f"code.{fmt.lower()}"
    Image.open(png).convert("RGB").save(path, fmt)
    assert cli("scan", "--image", str(path)).returncode == 0


def test_damaged_metadata_is_not_the_users_noise(cli, tmp_path):
    """A TIFF whose pixels decode but one of whose tags points past the file's end (seen when fuzzing): the code
    is read, and Pillow's own warning about the tag does not reach the terminal."""
    png = qr_png("otpauth://totp/A:a?secret=JBSWY3DPEHPK3PXP", tmp_path / "code.png")
    path = tmp_path / "code.tif"
    Image.open(png).convert("L").save(path, "TIFF")
    data = bytearray(path.read_bytes())
    assert data[:4] == b"II*\0"
    directory = struct.unpack_from("<I", data, 4)[0]
    entries = struct.unpack_from("<H", data, directory)[0]
    last = directory + 2 + 12 * (entries - 1)  # the last entry: a tag Pillow does not need to decode the pixels
    struct.pack_into("<HHII", data, last, 305, 2, 10**7, 8)  # Software, text, ten million characters
    path.write_bytes(data)
    result = cli("scan", "--image", str(path))
    assert result.returncode == 0, result.stderr.decode()
    assert result.stderr == b""


def test_no_code_exits_3(cli, tmp_path):
    path = tmp_path / "photo.png"
    Image.fromarray(np.random.default_rng(1).integers(0, 255, (400, 600), dtype=np.uint8)).save(path)
    result = cli("scan", "--image", str(path))
    assert result.returncode == 3 and "no QR code found" in result.stderr.decode()


def test_bad_files_exit_2_with_one_line(cli, tmp_path):
    good = qr_png("otpauth://totp/A:a?secret=JBSWY3DPEHPK3PXP", tmp_path / "good.png")
    data = open(good, "rb").read()
    cases = {
        "zero.png": b"",
        "text.png": b"this is not an image\n",
        "cut.png": data[: len(data) // 3],
        "corrupt.png": data[:60] + bytes(200) + data[260:],
        "huge.png": None,
    }
    for name, content in cases.items():
        path = tmp_path / name
        if content is None:
            huge_png_header(path)
        else:
            path.write_bytes(content)
        result = cli("scan", "--image", str(path))
        err = result.stderr.decode()
        assert result.returncode == 2, (name, err)
        assert err.count("\n") == 1 and "Traceback" not in err, (name, err)
    assert "too large" in cli("scan", "--image", str(tmp_path / "huge.png")).stderr.decode()
    assert cli("scan", "--image", str(tmp_path)).returncode == 2  # a folder


def test_one_source_at_a_time(cli):
    result = cli("scan", "--image", "examples/2fa-setup-screenshot.png", "--clipboard")
    assert result.returncode == 2 and "choose one of" in result.stderr.decode()


@pytest.mark.parametrize("session,needed", [({"DISPLAY": "", "WAYLAND_DISPLAY": ""}, "there is no graphical display"),
                                            ({"DISPLAY": ":99", "WAYLAND_DISPLAY": ""}, "needs xclip;"),
                                            ({"DISPLAY": "", "WAYLAND_DISPLAY": "wayland-9"},
                                             "needs wl-paste (the wl-clipboard package);")])
def test_a_clipboard_that_cannot_be_read_is_not_called_empty(cli, tmp_path, session, needed):
    """With no display, or no tool that reads the display's clipboard (PATH holds none here), the line says so:
    "holds neither an image nor text" would send the user to copy the code again."""
    result = cli("scan", "--clipboard", env={**session, "PATH": str(tmp_path)})
    err = result.stderr.decode()
    assert result.returncode == 1 and needed in err and "holds neither" not in err, err
