"""Inputs that are small on disk but large in memory are refused, or read within a fixed cap.

Each command runs in a child process whose own peak memory is measured, so a limit that holds only on
paper fails here."""

import sys

import pytest
from PIL import Image

from tests.support.rss import run_measured

MiB = 1024 * 1024


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the peak is read from /proc")
def test_an_88_megapixel_png_of_a_few_hundred_kilobytes_is_refused_before_decoding(tmp_path):
    path = tmp_path / "bomb.png"
    Image.new("RGBA", (11000, 8000), (0, 0, 0, 0)).save(path)
    assert path.stat().st_size < 2 * MiB
    result = run_measured("scan", "--image", str(path))
    assert result.returncode == 2 and "11000×8000 pixels; that is too large to be a screenshot" in result.stderr
    assert result.peak_bytes < 200 * MiB, result.peak_bytes // MiB  # the header was read, not the pixels


@pytest.mark.parametrize("size", [(200, 65_666), (65_536, 1)])
def test_an_image_longer_on_a_side_than_the_qr_reader_takes_is_refused(tmp_path, size):
    """A few megapixels, but more than 65 535 pixels on one side: zxing-cpp refuses such an image (ValueError)."""
    from otpburn.errors import InputError
    from otpburn.sources.images import load_grayscale

    path = tmp_path / "long.png"
    Image.new("L", size, 255).save(path)
    with pytest.raises(InputError, match=f"{size[0]}×{size[1]} pixels; that is too large to be a screenshot"):
        load_grayscale(str(path))
    Image.new("L", (size[0], 65_535) if size[1] > 1 else (65_535, 1), 255).save(path)
    load_grayscale(str(path))  # the longest side it takes


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the peak is read from /proc")
def test_the_largest_image_taken_stays_within_a_fixed_cap(tmp_path):
    path = tmp_path / "large.png"
    Image.new("RGBA", (10000, 5000), (255, 255, 255, 128)).save(path)  # 50 Mpx, the limit
    result = run_measured("scan", "--image", str(path))
    assert result.returncode == 3 and "no QR code found" in result.stderr  # decoded and searched, not refused
    # 4 bytes a pixel decoded and 2 for the grey blend (300 MB), on top of the program itself.
    assert result.peak_bytes < 450 * MiB, result.peak_bytes // MiB


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the peak is read from /proc")
def test_json_of_empty_objects_is_refused_before_parsing(tmp_path):
    path = tmp_path / "empty-objects.json"
    count = 11 * MiB  # 33 MiB of "{}," would take ~800 MB once parsed
    path.write_bytes(b"[" + b"{}," * count + b"{}]")
    result = run_measured("export", "--seed-file", str(path), "--format", "otpauth", "--output",
                          str(tmp_path / "out.txt"))
    assert result.returncode == 2 and "it would take over ten times its size in memory" in result.stderr
    assert result.peak_bytes < 200 * MiB, result.peak_bytes // MiB
