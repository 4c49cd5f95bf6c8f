"""Authenticator apps' exports beyond the corpus's happy paths: wrong and missing passwords, and files
otpburn knows but does not open, each named as what it is (never "save it as UTF-8")."""

from __future__ import annotations

from pathlib import Path

import pytest

from otpburn.errors import InputError, Remedy
from otpburn.sources.seedfiles import read_seed_file

CORPUS = Path(__file__).resolve().parent.parent / "data" / "seedfiles"
ENCRYPTED = {"2fas-encrypted-from-2fas-backup-decryptor.2fas": "2FAS backup",
             "andotp-encrypted.json.aes": "andOTP backup", "andotp-encrypted-old.json.aes": "andOTP backup",
             "authenticator-pro-encrypted.authpro": "Authenticator Pro backup"}


@pytest.mark.parametrize("name,app", ENCRYPTED.items())
def test_a_wrong_password_is_one_line_naming_the_app(name, app):
    path = str(CORPUS / name)
    with pytest.raises(InputError) as caught:
        read_seed_file(path, lambda: "not the password")
    assert str(caught.value) == f"{path}: wrong password for this {app} (or the file is damaged)"
    assert caught.value.remedy is Remedy.SEED_FILE_PASSWORD


@pytest.mark.parametrize("name", ENCRYPTED)
def test_without_a_password_the_file_says_it_needs_one(name):
    with pytest.raises(InputError) as caught:
        read_seed_file(str(CORPUS / name))
    assert caught.value.remedy is Remedy.SEED_FILE_PASSWORD
    assert "encrypted" in str(caught.value) or "password-protected" in str(caught.value)


@pytest.mark.parametrize("name,content,words", [
    ("backup.zip", b"PK\x03\x04\x14\x00\x00\x00" + bytes(64), "a zip archive (an Authenticator Plus or Proton Pass"),
    ("blob.bin", bytes(range(256)) * 4, "a binary file in no format otpburn knows"),
    ("ente-auth-codes.txt", b'{"version": 1, "kdfParams": {"memLimit": 4096, "opsLimit": 3, "salt": "c2FsdA=="}, '
                            b'"encryptedData": "ZGF0YQ==", "encryptionNonce": "bm9uY2U="}',
     "an encrypted Ente Auth export; otpburn does not open it yet"),
    ("vault.kdbx", bytes.fromhex("03d9a29a67fb4bb5") + bytes(64), "a KeePass database; otpburn does not open it: "
                                                                   "export it from KeePassXC as CSV"),
    ("stratum.authpro", b"AUTHENTICATORPRO" + bytes(64), "an encrypted Stratum backup in a newer format"),
    ("com.authy.storage.tokens.authenticator.xml",
     b"<?xml version='1.0'?><map><string name=\"com.authy.storage.tokens.authenticator.key\">[]</string></map>",
     "Authy's token store"),
    ("tokens.xml", b"<?xml version='1.0'?><map><string name=\"masterKey\">{}</string></map>",
     "FreeOTP 2's encrypted token store"),
])
def test_files_otpburn_knows_but_does_not_open_are_named(tmp_path, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        read_seed_file(str(path), lambda: "x")
    assert words in str(caught.value) and "UTF-8" not in str(caught.value)


def test_an_encrypted_andotp_backup_through_the_command_line(cli, tmp_path):
    password = tmp_path / "password"
    password.write_text("123456\n")
    password.chmod(0o600)
    out = tmp_path / "links.txt"
    result = cli("export", "--seed-file", str(CORPUS / "andotp-encrypted.json.aes"), "--seed-password-file",
                 str(password), "--format", "otpauth", "--output", str(out))
    assert result.returncode == 0, result.stderr.decode()
    assert out.read_text().count("otpauth://") == 3
    assert "entry 4 (Steam:gamer): this is a Steam Guard account" in result.stderr.decode()
