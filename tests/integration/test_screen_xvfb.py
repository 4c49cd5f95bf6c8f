"""Scanning a real X screen: Xvfb split into two RandR monitors, the QR code on the second."""

import json
import os
import subprocess
import sys

import pytest

from tests.support.xvfb import Xvfb, show_image

EXAMPLE = "examples/2fa-setup-screenshot.png"


def scan(env, *args):
    return subprocess.run([sys.executable, "-m", "otpburn", "scan", *args], capture_output=True, text=True,
                          env=env, timeout=60, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def two_monitors():
    with Xvfb(3840, 1080, monitors=2) as display:
        yield display


def test_code_on_second_monitor_is_found_and_located(two_monitors, tmp_path):
    window = show_image(two_monitors, EXAMPLE, 1920 + 300, 100)
    try:
        capture = tmp_path / "capture.png"
        result = scan(two_monitors.env, "--screen", "--json", "--save-capture", str(capture))
    finally:
        window.terminate()
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    (code,) = data["codes"]
    assert code["monitor"] == 2 and code["kind"] == "otpauth-totp"
    assert 1920 + 300 <= code["position"]["x"] <= 1920 + 300 + 1280
    assert data["seeds"][0]["issuer"] == "Atlassian" and "secret" not in data["seeds"][0]
    assert capture.stat().st_mode & 0o777 == 0o600
    from PIL import Image

    assert Image.open(capture).size == (3840, 1080)


def test_human_output_names_the_monitor(two_monitors):
    window = show_image(two_monitors, EXAMPLE, 1920 + 40, 0)
    try:
        result = scan(two_monitors.env)
    finally:
        window.terminate()
    assert result.returncode == 0, result.stderr
    assert "QR code 1 (monitor 2" in result.stdout and "Atlassian" in result.stdout


def test_blank_screen_gets_the_permission_diagnosis():
    with Xvfb(1920, 1080) as display:
        result = scan(display.env, "--screen")
    assert result.returncode == 3
    assert "came back blank" in result.stderr and "--image" in result.stderr
    assert result.stderr.count("\n") == 1


def test_no_display_is_a_clear_error():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    result = scan(env, "--screen")
    assert result.returncode == 1 and "DISPLAY is not set" in result.stderr


def test_burn_from_the_screen_into_the_virtual_token(two_monitors, tmp_path):
    window = show_image(two_monitors, EXAMPLE, 1920 + 500, 20)
    env = {**two_monitors.env, "OTPBURN_VIRTUAL_TOKEN": str(tmp_path / "token.json")}
    try:
        result = subprocess.run([sys.executable, "-m", "otpburn", "burn", "--reader", "virtual", "--screen", "--json"],
                                capture_output=True, text=True, env=env, timeout=60, stdin=subprocess.DEVNULL)
    finally:
        window.terminate()
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["account"]["issuer"] == "Atlassian"


def test_the_window_scans_the_second_monitor(two_monitors):
    pytest.importorskip("PySide6")
    window = show_image(two_monitors, EXAMPLE, 1920 + 200, 150)
    try:
        result = subprocess.run([sys.executable, "-m", "tests.support.gui_scan_probe"], capture_output=True,
                                text=True, env={**two_monitors.env, "QT_QPA_PLATFORM": "xcb"}, timeout=60)
    finally:
        window.terminate()
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["issuer"] == "Atlassian" and "monitor 2" in found["status"]


FAST_PATH_PROBE = """
import sys
from otpburn.sources.scan import scan_screen
found = scan_screen()
print(len(found.codes), found.codes[0].monitor, found.codes[0].pass_name, "numpy" in sys.modules, sep="|")
"""


def probe_scan(display, picture: str, x: int, y: int) -> list[str]:
    """Scan the screen in a fresh interpreter while `picture` is shown: codes, monitor, pass, numpy loaded."""
    window = show_image(display, picture, x, y)
    try:
        result = subprocess.run([sys.executable, "-c", FAST_PATH_PROBE], capture_output=True, text=True,
                                env=display.env, timeout=60)
    finally:
        window.terminate()
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().split("|")


def test_the_fast_pass_reads_the_grab_in_place_without_numpy(two_monitors):
    assert probe_scan(two_monitors, EXAMPLE, 1920 + 300, 100) == ["1", "2", "fast", "False"]


def test_a_code_only_the_deeper_passes_read_is_still_found_after_every_fast_pass(two_monitors, tmp_path):
    from PIL import Image

    from otpburn.sources.qr import fast_pass
    from tests.support.qr_corpus import corpus

    sample = next(s for s in corpus(seed=7, per_variation=1, layouts=["1080p"]) if s.variation == "no-quiet-zone")
    assert fast_pass(sample.image) == []  # the whole-image pass cannot read it
    picture = tmp_path / "no-quiet-zone.png"
    Image.fromarray(sample.image).save(picture)
    count, monitor, pass_name, _numpy = probe_scan(two_monitors, str(picture), 0, 0)
    assert (count, monitor) == ("1", "1") and pass_name.startswith("region")
