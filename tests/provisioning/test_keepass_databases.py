"""KeePass databases, opened by KeePassXC's own keepassxc-cli (the corpus holds a KDBX 3.1 database that
keepassxc-cli made and a KDBX 4 one with Argon2d; tests/provisioning/test_seedfile_corpus.py reads them field
by field). Here: the command line, the password's path, and every way opening one can fail."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from otpburn.errors import InputError, Remedy
from otpburn.sources.seedfiles import read_seed_file

CORPUS = Path(__file__).resolve().parent.parent / "data" / "seedfiles"
DATABASE = CORPUS / "keepassxc-database.kdbx"
KEY_FILES = Path(__file__).resolve().parent.parent / "data" / "keepass-key-file"  # see its README.md
PASSWORD = "correct horse battery staple"  # noqa: S105  the corpus databases' password


@pytest.fixture
def tool_arguments(tmp_path, keepassxc_cli, monkeypatch):
    """The real keepassxc-cli, behind a short script that only writes down its arguments, each existing file
    among them with its mode and its folder's: `seen()` gives them, one line each."""
    shim = tmp_path / "bin" / "keepassxc-cli"
    shim.parent.mkdir()
    record = tmp_path / "seen"
    shim.write_text('#!/bin/sh\nfor arg in "$@"; do\n  if [ -f "$arg" ]; then\n'
                    '    echo "$arg $(stat -c %a "$arg") $(stat -c %a "$(dirname "$arg")")"\n'
                    f'  else echo "$arg"; fi\ndone > {record}\nexec {keepassxc_cli} "$@"\n')
    shim.chmod(0o700)
    monkeypatch.setenv("PATH", f"{shim.parent}{os.pathsep}{os.environ['PATH']}")
    return lambda: record.read_text().splitlines()


@pytest.fixture
def password_file(tmp_path) -> Path:
    path = tmp_path / "password"
    path.write_text(PASSWORD + "\n")
    path.chmod(0o600)
    return path


def test_a_database_converts_to_the_same_links_as_its_xml_export(cli, tmp_path, keepassxc_cli, password_file):
    from_database, from_xml = tmp_path / "database.txt", tmp_path / "xml.txt"
    result = cli("export", "--seed-file", str(DATABASE), "--seed-password-file", str(password_file),
                 "--format", "otpauth", "--output", str(from_database))
    assert result.returncode == 0, result.stderr.decode()
    assert cli("export", "--seed-file", str(CORPUS / "keepass-export.xml"), "--format", "otpauth", "--output",
               str(from_xml)).returncode == 0
    assert from_database.read_text() == from_xml.read_text()
    assert from_database.read_text().count("otpauth://") == 5
    assert "entry 8 (Typo): the secret is not base32" in result.stderr.decode()


def test_a_database_on_standard_input_opens_too(cli, tmp_path, keepassxc_cli, password_file):
    out = tmp_path / "links.txt"
    result = cli("export", "--seed-file", "-", "--seed-password-file", str(password_file), "--format", "otpauth",
                 "--output", str(out), stdin=(CORPUS / "keepass-kdbx4.kdbx").read_bytes())
    assert result.returncode == 0, result.stderr.decode()
    assert out.read_text().count("otpauth://") == 3


def test_the_password_reaches_keepassxc_on_its_input_never_on_its_command_line(tool_arguments):
    contents = read_seed_file(str(DATABASE), lambda: PASSWORD)
    assert len(contents.records) == 5
    seen = tool_arguments()
    assert PASSWORD not in " ".join(seen)
    assert seen[:3] == ["export", "--format", "xml"] and len(seen) == 4
    database, mode, folder_mode = seen[3].split()
    assert (mode, folder_mode) == ("600", "700")  # a private copy in a private folder
    assert not Path(database).exists() and not Path(database).parent.exists()  # gone afterwards


def test_a_wrong_password_is_one_line_with_keepassxcs_own_words(cli, tmp_path, keepassxc_cli):
    wrong = tmp_path / "wrong"
    wrong.write_text("not the password\n")
    wrong.chmod(0o600)
    result = cli("export", "--seed-file", str(DATABASE), "--seed-password-file", str(wrong), "--format", "otpauth",
                 "--output", str(tmp_path / "out.txt"))
    assert result.returncode == 2
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and "KeePassXC could not open this KeePass database" in lines[0], lines
    assert "Invalid credentials" in lines[0]
    assert "if it opens with a key file too, give it with --seed-key-file FILE" in lines[0]  # the remedy's words
    assert not (tmp_path / "out.txt").exists()


def _export_links(cli, tmp_path, database: Path, password: str, *key_file: str):
    password_file = tmp_path / "password"
    password_file.write_text(password + "\n")
    password_file.chmod(0o600)
    out = tmp_path / "links.txt"
    out.unlink(missing_ok=True)
    result = cli("export", "--seed-file", str(database), "--seed-password-file", str(password_file), *key_file,
                 "--format", "otpauth", "--output", str(out))
    return result, out


@pytest.mark.parametrize("database,password", [("password-and-key-file.kdbx", PASSWORD), ("key-file-only.kdbx", "")])
def test_a_database_that_opens_with_a_key_file_opens_with_the_one_the_user_names(cli, tmp_path, keepassxc_cli,
                                                                                 database, password):
    """KeePassXC's own XML key file, as --seed-key-file; an empty password means the key file alone."""
    result, out = _export_links(cli, tmp_path, KEY_FILES / database, password, "--seed-key-file",
                                str(KEY_FILES / "vault.keyx"))
    assert result.returncode == 0, result.stderr.decode()
    assert out.read_text().count("otpauth://") == 5


def test_a_key_file_database_without_its_key_file_says_how_to_give_it(cli, tmp_path, keepassxc_cli):
    result, out = _export_links(cli, tmp_path, KEY_FILES / "password-and-key-file.kdbx", PASSWORD)
    assert result.returncode == 2 and not out.exists()
    assert "give it with --seed-key-file FILE" in result.stderr.decode()


def test_a_wrong_key_file_is_named_with_the_password_as_what_to_check(cli, tmp_path, keepassxc_cli):
    wrong_key = tmp_path / "other.keyx"
    wrong_key.write_bytes(bytes(range(32)))
    result, out = _export_links(cli, tmp_path, KEY_FILES / "password-and-key-file.kdbx", PASSWORD,
                                "--seed-key-file", str(wrong_key))
    assert result.returncode == 2 and not out.exists()
    line = result.stderr.decode().strip()
    assert line.endswith("check the password and the key file") and "--seed-key-file" not in line, line


def test_the_key_file_is_copied_privately_and_removed(tool_arguments):
    key = (KEY_FILES / "vault.keyx").read_bytes()
    contents = read_seed_file(str(KEY_FILES / "key-file-only.kdbx"), lambda: "", key_file=lambda: key)
    assert len(contents.records) == 5
    seen = tool_arguments()
    assert seen[3] == "--key-file" and seen[5] == "--no-password"
    key_copy, mode, folder_mode = seen[4].split()
    assert (mode, folder_mode) == ("600", "700") and not Path(key_copy).exists()


@pytest.mark.parametrize("damage", [lambda data: data[:200], lambda data: data[:12] + bytes(len(data) - 12)])
def test_a_damaged_database_is_one_line(tmp_path, keepassxc_cli, damage):
    path = tmp_path / "damaged.kdbx"
    path.write_bytes(damage(DATABASE.read_bytes()))
    with pytest.raises(InputError, match=r"^.*damaged\.kdbx: KeePassXC could not open this KeePass database \("):
        read_seed_file(str(path), lambda: PASSWORD)


def test_without_a_password_the_database_is_named_and_the_password_asked_for(keepassxc_cli):
    with pytest.raises(InputError, match=r"keepassxc-database\.kdbx is a KeePass database$") as caught:
        read_seed_file(str(DATABASE))
    assert caught.value.remedy is Remedy.SEED_FILE_PASSWORD


def test_without_keepassxc_the_line_says_what_to_install_or_export(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing on it
    asked = []
    with pytest.raises(InputError) as caught:
        read_seed_file(str(DATABASE), lambda: asked.append(1) or PASSWORD)
    assert "otpburn opens it with KeePassXC's keepassxc-cli, which is not installed: install KeePassXC, or export " \
           "it as XML (KeePass: File → Export → KeePass XML (2.x)" in str(caught.value)
    assert not asked  # no password is asked for a file that cannot be opened anyway


def test_a_password_with_a_line_break_is_refused_for_what_it_is(keepassxc_cli):
    """keepassxc-cli reads one line; the rest of such a password would be lost, and the line misread."""
    with pytest.raises(InputError, match="a KeePass password with a line break cannot be handed to keepassxc-cli"):
        read_seed_file(str(DATABASE), lambda: "two\nlines")


def _with_field(data: bytes, marker: bytes, value: int) -> bytes:
    """`data` with the 8-byte little-endian value right after `marker` (in the outer header) set to `value`."""
    at = data.index(marker) + len(marker)
    return data[:at] + value.to_bytes(8, "little") + data[at + 8:]


@pytest.mark.parametrize("name,marker,value,words", [
    # The Argon2 passes a fuzzed byte turned into 65 550 (from 14): KeePassXC worked on it for hours.
    ("keepass-kdbx4.kdbx", b"\x05\x01\x00\x00\x00I\x08\x00\x00\x00", 65_550,
     "its key derivation asks for Argon2 with 65550 passes over 64 MiB; otpburn does at most 256 passes over 1 GiB"),
    ("keepass-kdbx4.kdbx", b"\x05\x01\x00\x00\x00M\x08\x00\x00\x00", 2**40,
     "its key derivation asks for Argon2 with 14 passes over 1048576 MiB"),
    ("keepassxc-database.kdbx", b"\x06\x08\x00", 2**40,  # KDBX 3.1's TransformRounds field
     f"its key derivation asks for {2**40} AES-KDF rounds; otpburn does at most 1000000000 (is the file damaged?)"),
])
def test_a_key_derivation_beyond_any_keepass_setting_is_refused_before_the_password(tmp_path, keepassxc_cli, name,
                                                                                    marker, value, words):
    path = tmp_path / name
    path.write_bytes(_with_field((CORPUS / name).read_bytes(), marker, value))
    asked = []
    with pytest.raises(InputError) as caught:
        read_seed_file(str(path), lambda: asked.append(1) or PASSWORD)
    assert str(caught.value).startswith(f"{path}: {words}") and asked == []


def test_a_header_that_ends_inside_a_field_is_a_damaged_database(tmp_path, keepassxc_cli):
    path = tmp_path / "cut.kdbx"
    path.write_bytes((CORPUS / "keepass-kdbx4.kdbx").read_bytes()[:40])
    with pytest.raises(InputError) as caught:
        read_seed_file(str(path), lambda: PASSWORD)
    assert str(caught.value) == f"{path}: a damaged KeePass database (its header does not parse)"
