"""burn / info through the real CLI entry point against the built-in virtual token."""

import json

import pytest

from otpburn.otp import totp

EXAMPLE_IMAGE = "examples/2fa-setup-screenshot.png"
EXAMPLE_URI = "examples/atlassian-account.txt"
SECRET = b"otpburn example seed"


@pytest.fixture
def virtual_env(tmp_path):
    return {"OTPBURN_VIRTUAL_TOKEN": str(tmp_path / "virtual-token.json")}


def test_readme_main_job_burns_the_example_screenshot(cli, virtual_env, tmp_path):
    result = cli("burn", "--reader", "virtual", "--image", EXAMPLE_IMAGE, env=virtual_env)
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr
    assert "Atlassian:alex.morgan@example.com" in out
    assert "The virtual token shows" in out and "matches" in out
    memory = json.loads((tmp_path / "virtual-token.json").read_text())
    assert memory["seed"] == SECRET.hex()
    assert (tmp_path / "virtual-token.json").stat().st_mode & 0o777 == 0o600


def test_burn_json_reports_codes_and_display(cli, virtual_env):
    result = cli("burn", "--reader", "virtual", "--uri-file", EXAMPLE_URI, "--json", env=virtual_env)
    data = json.loads(result.stdout)
    # 6 for the burn itself, plus the reads that watch the token's clock tick over
    assert data["result"] == "burned" and data["apdus"] >= 7
    codes = data["codes"]
    assert data["token_display"] in (codes["previous"], codes["current"], codes["next"])
    assert data["account"]["issuer"] == "Atlassian" and "secret" not in data["account"]


def test_reburning_the_virtual_token_keeps_its_clock_offset(cli, virtual_env, tmp_path):
    state = tmp_path / "virtual-token.json"
    assert cli("burn", "--reader", "virtual", "--uri-file", EXAMPLE_URI, env=virtual_env).returncode == 0
    memory = json.loads(state.read_text())
    memory["clock_offset"] = 12.34  # the token runs 12.34 s ahead of this PC
    state.write_text(json.dumps(memory))
    for _ in range(3):
        result = cli("burn", "--reader", "virtual", "--uri-file", EXAMPLE_URI, env=virtual_env)
        assert result.returncode == 0, result.stderr
        assert "token clock read" in result.stdout.decode()
        assert abs(json.loads(state.read_text())["clock_offset"] - 12.34) <= 0.5


def test_burn_from_stdin_hex(cli, virtual_env):
    result = cli("burn", "--reader", "virtual", "--json", stdin=SECRET.hex(), env=virtual_env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["account"]["secret_length"] == 20


def test_info_after_burn_shows_same_token(cli, virtual_env):
    cli("burn", "--reader", "virtual", "--uri-file", EXAMPLE_URI, env=virtual_env)
    data = json.loads(cli("info", "--reader", "virtual", "--json", env=virtual_env).stdout)
    assert data["serial"] == "8659622000001" and data["model"] == "OTPC-P2-i"


def test_refuses_sha512_with_reason(cli, virtual_env, tmp_path):
    path = tmp_path / "uri.txt"
    path.write_text("otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP&algorithm=SHA512")
    result = cli("burn", "--reader", "virtual", "--uri-file", str(path), env=virtual_env)
    assert result.returncode == 2 and "computes SHA1 or SHA256 only, not SHA512" in result.stderr.decode()


def test_long_secret_is_hashed_to_fit(cli, virtual_env):
    secret = bytes(range(100))
    result = cli("burn", "--reader", "virtual", "--json", stdin=secret.hex(), env=virtual_env)
    data = json.loads(result.stdout)
    assert result.returncode == 0
    assert any("hashed" in w for w in data["warnings"])
    step = data["codes"]["step"]
    assert data["token_display"] in [totp(secret, (step + d) * 30) for d in (-1, 0, 1)]


def test_non_seed_image_and_bad_images(cli, virtual_env, tmp_path):
    import io

    import segno

    buffer = io.BytesIO()
    segno.make("phonefactor://activate_account?code=123456789&url=https://x/activatev2/y").save(
        buffer, kind="png", scale=6)
    phonefactor = tmp_path / "push.png"
    phonefactor.write_bytes(buffer.getvalue())
    result = cli("burn", "--reader", "virtual", "--image", str(phonefactor), env=virtual_env)
    assert result.returncode == 1 and "different authenticator app" in result.stderr.decode()

    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    text = tmp_path / "notes.png"
    text.write_text("hello")
    truncated = tmp_path / "cut.png"
    truncated.write_bytes(buffer.getvalue()[:200])
    odd_tiff = tmp_path / "strips.tif"  # its strip offsets a fraction: Pillow raises TypeError (found by fuzzing)
    odd_tiff.write_bytes(grey_tiff(strip_offsets_type=5))
    for path, fragment in ((empty, "is empty"), (text, "not an image"), (truncated, "damaged or cut short"),
                           (odd_tiff, "damaged or cut short"), (tmp_path / "missing.png", "no such file")):
        result = cli("burn", "--reader", "virtual", "--image", str(path), env=virtual_env)
        err = result.stderr.decode()
        assert result.returncode == 2 and fragment in err and err.count("\n") == 1, err


def grey_tiff(strip_offsets_type: int) -> bytes:
    """A 200×130 grey TIFF in one strip, its StripOffsets tag of the type given (4: LONG, as it should be)."""
    import struct

    entries = [(0x100, 4, 1, 200), (0x101, 4, 1, 130), (0x102, 3, 1, 8), (0x103, 3, 1, 1), (0x106, 3, 1, 1),
               (0x111, strip_offsets_type, 1, 122), (0x116, 4, 1, 130), (0x117, 4, 1, 26000), (0x11C, 3, 1, 1)]
    directory = struct.pack("<H", len(entries)) + b"".join(struct.pack("<HHII", *entry) for entry in entries)
    return b"II*\x00\x08\x00\x00\x00" + directory + b"\x00" * 4 + b"\xe1" * 26000


def test_the_tiff_made_as_the_damaged_one_but_sound_is_read():
    from otpburn.sources.images import load_grayscale

    assert load_grayscale(grey_tiff(strip_offsets_type=4)).size == (200, 130)


def test_image_without_code_exits_3(cli, virtual_env, tmp_path):
    from PIL import Image

    blank = tmp_path / "blank.png"
    Image.new("L", (640, 480), 255).save(blank)
    result = cli("burn", "--reader", "virtual", "--image", str(blank), env=virtual_env)
    assert result.returncode == 3 and "no QR code found" in result.stderr.decode()


def test_unknown_reader_name(cli, virtual_env):
    result = cli("info", "--reader", "nonsense", env={**virtual_env, "PCSCLITE_CSOCK_NAME": "/nonexistent"})
    assert result.returncode == 3 and result.stderr.decode().count("\n") == 1


def test_burn_into_a_file_in_a_legacy_encoding(cli):
    """Windows writes redirected output in cp1252, which has no check mark: ASCII marks, never a crash."""
    result = cli("burn", "--reader", "virtual", "--image", "examples/2fa-setup-screenshot.png",
                 env={"PYTHONIOENCODING": "cp1252"})
    assert result.returncode == 0, result.stderr.decode("cp1252")
    out = result.stdout.decode("cp1252")
    assert "  ok authenticated" in out and "The virtual token shows" in out
