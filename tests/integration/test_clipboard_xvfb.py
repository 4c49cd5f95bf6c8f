"""`scan --clipboard` on a real X clipboard: Xvfb, with xclip owning the selection.

The clipboard's image is decoded like --image: the same decoders (never Ghostscript, whatever type the
clipboard claims) and the same pixel limit."""

import json
import os
import shutil
import stat
import subprocess
import sys
import time

import pytest
from PIL import Image

from tests.conftest import skip_unless_required
from tests.support.xvfb import Xvfb

pytestmark = pytest.mark.xvfb

EXAMPLE = "examples/2fa-setup-screenshot.png"


@pytest.fixture(scope="module")
def screen():
    if not shutil.which("xclip"):
        skip_unless_required("xclip is not installed (Debian: apt-get install xclip)")
    with Xvfb(640, 480) as display:
        yield display


def offer(screen, data: bytes, kind: str) -> subprocess.Popen:
    """xclip owns the clipboard with `data` as `kind` until it is stopped."""
    owner = subprocess.Popen(["xclip", "-selection", "clipboard", "-t", kind, "-i"], stdin=subprocess.PIPE,
                             env=screen.env)
    owner.stdin.write(data)
    owner.stdin.close()
    for _ in range(100):  # until the selection answers with this type
        listed = subprocess.run(["xclip", "-selection", "clipboard", "-t", "TARGETS", "-o"], capture_output=True,
                                env=screen.env, timeout=5)
        if kind.encode() in listed.stdout:
            return owner
        time.sleep(0.05)
    raise RuntimeError("xclip did not take the clipboard")


def scan_clipboard(screen, *args, path=None):
    env = {**screen.env, **({"PATH": path} if path else {})}
    return subprocess.run([sys.executable, "-m", "otpburn", "scan", "--clipboard", *args], capture_output=True,
                          text=True, env=env, timeout=60, stdin=subprocess.DEVNULL)


def test_a_copied_screenshot_is_scanned(screen):
    with open(EXAMPLE, "rb") as image:
        owner = offer(screen, image.read(), "image/png")
    try:
        result = scan_clipboard(screen, "--json")
    finally:
        owner.terminate()
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["seeds"][0]["issuer"] == "Atlassian"


def test_postscript_offered_as_a_png_never_reaches_ghostscript(screen, tmp_path):
    tools = tmp_path / "bin"
    tools.mkdir()
    marker = tmp_path / "ghostscript-ran"
    fake_gs = tools / "gs"
    fake_gs.write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n")
    fake_gs.chmod(stat.S_IRWXU)
    postscript = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 100 100\nnewpath 0 0 moveto showpage\n%%EOF\n"
    owner = offer(screen, postscript, "image/png")
    try:
        result = scan_clipboard(screen, path=f"{tools}:{os.environ['PATH']}")
    finally:
        owner.terminate()
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "otpburn: the image on the clipboard is not an image otpburn can read (PNG, JPEG, WebP, BMP, GIF, TIFF)"]
    assert not marker.exists()


def test_a_huge_image_on_the_clipboard_is_refused(screen, tmp_path):
    path = tmp_path / "huge.png"
    Image.new("L", (12000, 12000), 255).save(path)  # 144 Mpx, a few hundred KB
    owner = offer(screen, path.read_bytes(), "image/png")
    try:
        result = scan_clipboard(screen)
    finally:
        owner.terminate()
    assert result.returncode == 2 and "the image on the clipboard is too large to be a screenshot" in result.stderr
