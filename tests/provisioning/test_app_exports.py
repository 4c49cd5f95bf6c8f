"""Authenticator apps' exports beyond the corpus's happy paths: wrong and missing passwords, and files
otpburn knows but does not open, each named as what it is (never "save it as UTF-8")."""

from __future__ import annotations

import base64
import io
import json
import random
import zipfile
from pathlib import Path

import pytest

from otpburn.errors import InputError, Remedy
from otpburn.sources.seedfiles import Unlock, archives, ente, read_seed_file

CORPUS = Path(__file__).resolve().parent.parent / "data" / "seedfiles"
ENCRYPTED = {"2fas-encrypted-from-2fas-backup-decryptor.2fas": "2FAS backup",
             "andotp-encrypted.json.aes": "andOTP backup", "andotp-encrypted-old.json.aes": "andOTP backup",
             "authenticator-pro-encrypted.authpro": "Authenticator Pro backup",
             "stratum-encrypted.authpro": "Authenticator Pro backup",
             "authy-encrypted-from-aegis-tests.xml": "Authy token store",
             "ente-auth-encrypted.json": "Ente Auth export",
             "authenticator-plus-backup.zip": "Authenticator Plus backup",
             "authenticator-plus-aes256.zip": "Authenticator Plus backup",
             "authenticator-plus-aes128-stored.zip": "Authenticator Plus backup",
             "freeotp2-backup.xml": "FreeOTP 2 backup",
             "bitwarden-password-protected.json": "password-protected Bitwarden export",
             "bitwarden-password-protected-argon2.json": "password-protected Bitwarden export",
             "vendor-seeds-in-zip.zip": "zip archive"}


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_STORED) -> bytes:
    """A zip holding `members`, stored, with `method` written in its headers (99: WinZip's AES; 9: Deflate64)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    if method != zipfile.ZIP_STORED:
        for header in (b"PK\x03\x04", b"PK\x01\x02"):  # the method field of local and central headers
            at = buffer.getvalue().index(header)
            offset = at + (8 if header == b"PK\x03\x04" else 10)
            buffer.getbuffer()[offset:offset + 2] = method.to_bytes(2, "little")
    return buffer.getvalue()


def _claiming_size(archive: bytes, size: int) -> bytes:
    """The zip with its (one) member's unpacked size in the central directory made `size`."""
    buffer = bytearray(archive)
    at = buffer.index(b"PK\x01\x02") + 24
    buffer[at:at + 4] = size.to_bytes(4, "little")
    return bytes(buffer)


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
    ("backup.zip", b"PK\x03\x04\x14\x00\x00\x00" + bytes(64), "a damaged zip archive"),
    ("photos.zip", _zip({"holiday/readme.txt": b"hello", "holiday/beach.jpg": b"\xff\xd8"}),
     "a zip archive otpburn does not know (it reads Proton Pass and Authenticator Plus exports, and zips holding one "
     "seed file)"),
    ("big.zip", _claiming_size(_zip({"seeds.csv": b"serial,secret\n"}), 2**31 - 1),
     "its seeds.csv would unpack to more than 64 MiB; that is not a seed file"),
    ("nested.zip", _zip({"__MACOSX/._inner.zip": b"", "inner.zip": _zip({"seeds.csv": b"serial,secret\n"})}),
     "a zip archive inside a zip archive (inner.zip): unzip both, load the seed file inside, then delete them"),
    ("pass.zip", _zip({"Proton Pass/data.pgp": b"-----BEGIN PGP MESSAGE-----"}),
     "a Proton Pass export encrypted with a PGP passphrase; otpburn does not decrypt it"),
    ("aes.zip", _zip({"Accounts.txt": b"otpauth://totp/x?secret=JBSWY3DPEHPK3PXP"}, method=99),
     "its Accounts.txt is compressed in a way otpburn cannot unpack"),  # AES's method, without AES's header
    ("deflate64.zip", _zip({"Accounts.txt": b"otpauth://totp/x?secret=JBSWY3DPEHPK3PXP"}, method=9),
     "its Accounts.txt is compressed in a way otpburn cannot unpack: unzip it (7-Zip, or `7z x`), load Accounts.txt"),
    ("blob.bin", bytes(range(256)) * 4, "a binary file in no format otpburn knows"),
    ("random.bin", random.Random(26).randbytes(1024), "a binary file in no format otpburn knows"),
    ("ente-auth-codes.txt", b'{"version": 2, "kdfParams": {"memLimit": 4096, "opsLimit": 3, "salt": "c2FsdA=="}, '
                            b'"encryptedData": "ZGF0YQ==", "encryptionNonce": "bm9uY2U="}',
     "an encrypted Ente Auth export of a version otpburn does not know (2)"),
    ("settings.xml", b"<?xml version='1.0'?><map><string name=\"theme\">dark</string></map>",
     "an Android app's settings file otpburn does not know (it reads FreeOTP's, Authy's, TOTP Authenticator's"),
    ("tokens.xml", b"<?xml version='1.0'?><map><string name=\"masterKey\">{}</string></map>",
     "FreeOTP 2's token store from the app's own data, whose master key stays in the phone's keystore"),
])
def test_files_otpburn_knows_but_does_not_open_are_named(tmp_path, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        read_seed_file(str(path), lambda: "x")
    assert words in str(caught.value) and "UTF-8" not in str(caught.value)


def test_a_vendors_zip_is_read_as_the_seed_file_inside(tmp_path):
    """Token2 and Feitian deliver seed files in password-protected zips (Feitian's renamed to .pdf); WinZip's AES
    here, the traditional encryption in the corpus. Folders and macOS's __MACOSX entries are not files."""
    import pyzipper

    path = tmp_path / "order-12345.pdf"
    with pyzipper.AESZipFile(path, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as archive:
        archive.setpassword(b"delivery password")
        archive.writestr("seeds/", b"")
        archive.writestr("seeds/Feitian seeds.txt", b"2100000001 JBSWY3DPEHPK3PXP\r\n2100000002 not base32\r\n")
        archive.writestr("__MACOSX/seeds/._Feitian seeds.txt", b"\0\5\26\7")
    contents = read_seed_file(str(path), lambda: "delivery password")
    assert contents.kind == "vendor CSV in a zip archive"
    assert [(record.serial, record.params.secret) for record in contents.records] == \
        [("2100000001", base64.b32decode("JBSWY3DPEHPK3PXP"))]
    assert contents.problems == ["line 2: expected 2 columns (serial,secret), found 3"]
    with pytest.raises(InputError) as caught:
        read_seed_file(str(path), lambda: "delivery password", strict=True)
    assert str(caught.value) == f"{path}: line 2: expected 2 columns (serial,secret), found 3. Nothing was read from it"
    with zipfile.ZipFile(path, "w") as archive:  # what the reader inside says names the file in the zip
        archive.writestr("seeds/notes.txt", b"nothing but words\n")
    with pytest.raises(InputError, match=r"order-12345\.pdf:seeds/notes\.txt: unknown CSV layout"):
        read_seed_file(str(path))


def test_a_csv_a_spreadsheet_saved_in_an_older_encoding_is_called_text_not_utf8(tmp_path):
    """Excel's "CSV (Comma delimited)" saves Windows-1252: one 'ü' in a UPN used to make it "a binary file"."""
    path = tmp_path / "entra.csv"
    path.write_bytes("upn,serial number,secret key,time interval,manufacturer,model\r\n"
                     "jürgen@example.org,86596220000001,JBSWY3DPEHPK3PXP,30,Token2,C202\r\n".encode("cp1252"))
    with pytest.raises(InputError) as caught:
        read_seed_file(str(path))
    assert str(caught.value) == f'{path} is not UTF-8 text (save it as UTF-8; in Excel, as "CSV UTF-8")'


def _links_from(cli, tmp_path, name: str, password: str) -> tuple[int, str]:
    """How many otpauth links the command line's export of a corpus file holds, and what it said on stderr."""
    password_file = tmp_path / "password"
    password_file.write_text(password + "\n")
    password_file.chmod(0o600)
    out = tmp_path / "links.txt"
    result = cli("export", "--seed-file", str(CORPUS / name), "--seed-password-file", str(password_file),
                 "--format", "otpauth", "--output", str(out))
    assert result.returncode == 0, result.stderr.decode()
    return out.read_text().count("otpauth://"), result.stderr.decode()


def test_an_encrypted_andotp_backup_through_the_command_line(cli, tmp_path):
    links, said = _links_from(cli, tmp_path, "andotp-encrypted.json.aes", "123456")
    assert links == 3 and "entry 4 (Steam:gamer): this is a Steam Guard account" in said


def test_ente_auth_decryption_matches_the_known_answer_of_entes_own_client():
    """The vector of Ente's CLI (cli/internal/crypto/crypto_test.go): Argon2id of "test_password" (64 MiB, 2
    passes) and one secret-stream message that opens to "plain_text"."""
    document = {"version": 1, "kdfParams": {"memLimit": 64 * 1024 * 1024, "opsLimit": 2,
                                            "salt": "vd0dcYMGNLKn/gpT6uTFTw=="},
                "encryptedData": "kBXQ2PuX6y/aje5r22H0AehRPh6sQ0ULoeAO",
                "encryptionNonce": "v7wsI+BFZsRMIjDm3rTxPhmi/CaUdkdJ"}
    assert ente.decrypt("vector", document, Unlock(lambda: "test_password")) == "plain_text"


@pytest.mark.parametrize("mem_limit,ops_limit", [(2 * 1024**3, 1), (1024**3, 5), (64 * 1024**2, 80)])
def test_an_ente_export_asking_for_more_than_the_apps_sensitive_level_is_refused_before_any_work(
        mem_limit, ops_limit):
    document = {"version": 1, "kdfParams": {"memLimit": mem_limit, "opsLimit": ops_limit,
                                            "salt": "vd0dcYMGNLKn/gpT6uTFTw=="},
                "encryptedData": "kBXQ2PuX6y/aje5r22H0AehRPh6sQ0ULoeAO",
                "encryptionNonce": "v7wsI+BFZsRMIjDm3rTxPhmi/CaUdkdJ"}
    asked = []
    with pytest.raises(InputError, match="otpburn does at most 4 passes over 1 GiB"):
        ente.decrypt("big.json", document, Unlock(lambda: asked.append(1) or "x"))
    assert asked == []  # refused before the password is even asked for


def test_a_totp_authenticator_backup_with_a_password_says_it_needs_one():
    path = str(CORPUS / "totp-authenticator-from-aegis-tests.bin")
    with pytest.raises(InputError) as caught:
        read_seed_file(path)
    assert str(caught.value) == f"{path} is a password-protected TOTP Authenticator backup"
    assert caught.value.remedy is Remedy.SEED_FILE_PASSWORD
    with pytest.raises(InputError, match="wrong password for this TOTP Authenticator backup"):
        read_seed_file(path, lambda: "Testtest2")


def test_a_bare_base32_secret_is_not_taken_for_a_totp_authenticator_backup(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP\n")  # 64 characters: 40 bytes
    with pytest.raises(InputError) as caught:
        read_seed_file(str(path))
    assert "TOTP Authenticator" not in str(caught.value)


def test_a_zip_member_that_would_unpack_beyond_the_bound_is_refused_before_inflating(tmp_path, monkeypatch):
    monkeypatch.setattr(archives, "MAX_MEMBER_BYTES", 1000)
    path = tmp_path / "bomb.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Proton Pass/data.json", b" " * 100_000)
    path.write_bytes(buffer.getvalue())
    with pytest.raises(InputError, match=r"its Proton Pass/data.json would unpack to more than 0 MiB; that is not a "
                                         "Proton Pass export"):
        read_seed_file(str(path))


def test_a_bitwarden_password_protected_export_opens_as_another_implementation_sealed_it(tmp_path):
    """The validation string of DSInternals' Bitwarden test export (password "secret", PBKDF2 1 000 rounds over
    the salt's text): written by code we did not write, it must open here; its data holds no TOTP key."""
    path = tmp_path / "dsinternals.json"
    path.write_text(json.dumps({
        "encrypted": True, "passwordProtected": True, "salt": "dGVzdHNhbHQ=", "kdfType": 0, "kdfIterations": 1000,
        "encKeyValidation_DO_NOT_EDIT": "2.AAECAwQFBgcICQoLDA0ODw==|b9XNIQPuTmILvjmC3OOajqtRyvJUnQh8s6vEoZm3gvFFbcv0"
                                        "RcM4DNRQtTYvEWNn|Fl3xOjOFYWWd+LQy6tpmlZn9L+y4qalS+vyIQ+5WZ14=",
        "data": "2.AAECAwQFBgcICQoLDA0ODw==|b9XNIQPuTmILvjmC3OOajqtRyvJUnQh8s6vEoZm3gvFFbcv0RcM4DNRQtTYvEWNn|"
                "Fl3xOjOFYWWd+LQy6tpmlZn9L+y4qalS+vyIQ+5WZ14="}))
    # its data here is the validation string again: it opens to text that is not an export
    with pytest.raises(InputError, match="the decrypted Bitwarden export is not JSON"):
        read_seed_file(str(path), lambda: "secret")
    with pytest.raises(InputError, match="wrong password for this password-protected Bitwarden export"):
        read_seed_file(str(path), lambda: "Secret")


def test_an_account_restricted_bitwarden_export_says_what_to_export_instead(tmp_path):
    path = tmp_path / "bitwarden_encrypted_export.json"
    path.write_text(json.dumps({"encrypted": True, "encKeyValidation_DO_NOT_EDIT": "2.AAAA|BBBB|CCCC",
                                "folders": [], "items": [{"login": {"totp": "2.AAAA|BBBB|CCCC"}}]}))
    with pytest.raises(InputError, match="a Bitwarden export restricted to its account .* export again as "
                                         '"Password protected"'):
        read_seed_file(str(path), lambda: "x")


@pytest.mark.parametrize("params,words", [
    ({"memLimit": 64 * 1024**2, "opsLimit": 2, "salt": "c2FsdA=="}, "its key derivation salt is 4 bytes long"),
    ({"memLimit": 64 * 1024**2, "opsLimit": 0, "salt": "vd0dcYMGNLKn/gpT6uTFTw=="}, "which Argon2 does not allow"),
])
def test_ente_key_derivation_settings_argon2_cannot_take_are_refused_in_one_line(params, words):
    document = {"version": 1, "kdfParams": params, "encryptedData": "kBXQ2PuX6y/aje5r22H0AehRPh6sQ0ULoeAO",
                "encryptionNonce": "v7wsI+BFZsRMIjDm3rTxPhmi/CaUdkdJ"}
    with pytest.raises(InputError, match=words):
        ente.decrypt("odd.json", document, Unlock(lambda: "test_password"))


def test_through_the_command_line_a_backup_made_without_a_password_needs_none_and_one_with_it_is_named(cli, tmp_path):
    """TOTP Authenticator seals even a backup made without a password, with the app's own: the command line
    opens it without asking; an encrypted export with no password to hand is named as what it is."""
    out = tmp_path / "links.txt"
    result = cli("export", "--seed-file", str(CORPUS / "totp-authenticator-no-password.bin"), "--format", "otpauth",
                 "--output", str(out))
    assert result.returncode == 0, result.stderr.decode()
    assert out.read_text().count("otpauth://") == 3
    result = cli("export", "--seed-file", str(CORPUS / "ente-auth-encrypted.json"), "--format", "otpauth",
                 "--output", str(tmp_path / "other.txt"))
    assert result.returncode == 2
    assert "ente-auth-encrypted.json is an encrypted Ente Auth export; give its password with " \
           "--seed-password-file" in result.stderr.decode()


def test_an_authy_token_list_through_the_command_line(cli, tmp_path):
    """The file the guides for leaving Authy save, sealed by OpenSSL: three tokens open, the one sealed under an
    earlier backup password and the one without a seed are named."""
    links, said = _links_from(cli, tmp_path, "authy-cloud-tokens.json", "authy backup")
    assert links == 3
    assert "entry 4 (Old VPN: dave): this password does not open it" in said and "entry 5 (Empty): no secret" in said


def _authy_tokens(*tokens: dict[str, object]) -> bytes:
    return json.dumps({"authenticator_tokens": list(tokens)}).encode()


def test_an_authy_token_list_asking_for_too_much_key_derivation_is_refused_before_the_password(tmp_path):
    path = tmp_path / "authenticator_tokens.json"
    path.write_bytes(_authy_tokens(*({"encrypted_seed": "AAAA", "salt": f"salt {n}", "digits": 6,
                                      "key_derivation_iterations": 5_000_000} for n in range(21))))
    asked = []
    with pytest.raises(InputError, match="its tokens ask for 105000000 PBKDF2 rounds in all; otpburn does at most"):
        read_seed_file(str(path), lambda: asked.append(1) or "x")
    assert not asked


def test_an_authy_token_whose_sealing_is_damaged_is_named_and_the_others_still_open(tmp_path):
    tokens = json.loads((CORPUS / "authy-cloud-tokens.json").read_text())["authenticator_tokens"]
    damaged = [{**tokens[0], "unique_iv": "00ff"}, {**tokens[1], "salt": None}, tokens[2],
               {**tokens[1], "key_derivation_iterations": 0}, {**tokens[1], "encrypted_seed": "not base64!"},
               {**tokens[1], "encrypted_seed": 5, "seed": "JBSWY3DPEHPK3PXP"}]
    path = tmp_path / "authenticator_tokens.json"
    path.write_bytes(_authy_tokens(*damaged))
    contents = read_seed_file(str(path), lambda: "authy backup")
    assert [record.params.issuer for record in contents.records] == ["Wiki"]
    assert contents.problems == [
        "entry 1 (Google: amy@example.com): its IV is not 16 bytes of hex",
        "entry 2 (GitHub: bob): its salt or key derivation rounds are missing",
        "entry 4 (GitHub: bob): its key derivation asks for 0 PBKDF2 rounds; otpburn does at most 5000000",
        "entry 5 (GitHub: bob): its sealed seed is not base64",
        "entry 6 (GitHub: bob): no secret"]


def test_an_authy_token_list_without_a_password_is_named_for_what_it_is():
    with pytest.raises(InputError, match="is an Authy token list, its seeds sealed with Authy's backup password$") \
            as caught:
        read_seed_file(str(CORPUS / "authy-cloud-tokens.json"))
    assert caught.value.remedy is Remedy.SEED_FILE_PASSWORD


def test_an_authenticator_plus_zip_sealed_with_aes_through_the_command_line(cli, tmp_path):
    links, said = _links_from(cli, tmp_path, "authenticator-plus-aes256.zip", "plus pass")
    assert links == 3 and "line 4: this is a Steam Guard account" in said


def test_a_wrong_password_that_passes_the_zips_one_byte_check_is_still_a_wrong_password():
    """The traditional zip encryption checks a password against one byte of the member's header, so one wrong
    password in 256 gets past it and fails only when the member inflates or at its CRC."""
    path = CORPUS / "authenticator-plus-backup.zip"
    with zipfile.ZipFile(path) as archive:
        passing = next(guess for guess in (f"guess {n}" for n in range(10_000)) if _passes_check_byte(archive, guess))
    with pytest.raises(InputError) as caught:
        read_seed_file(str(path), lambda: passing)
    assert str(caught.value) == f"{path}: wrong password for this Authenticator Plus backup (or the file is damaged)"
    assert caught.value.remedy is Remedy.SEED_FILE_PASSWORD


def _passes_check_byte(archive: zipfile.ZipFile, password: str) -> bool:
    try:
        archive.read("Accounts.txt", pwd=password.encode())
    except RuntimeError:  # "Bad password": the check byte differs
        return False
    except Exception:  # noqa: BLE001  past the check byte, the member fails to inflate or its CRC differs
        return True
    raise AssertionError("a guess opened the corpus file")


def test_an_aes_sealed_member_altered_after_sealing_fails_its_authentication_code(tmp_path):
    data = bytearray((CORPUS / "authenticator-plus-aes128-stored.zip").read_bytes())
    data[data.index(b"Accounts.txt") + len("Accounts.txt") + 11 + 8 + 2 + 10] ^= 1  # past the AES extra field,
    # salt (8 bytes for AES-128) and password check: a byte of the sealed accounts
    path = tmp_path / "altered.zip"
    path.write_bytes(bytes(data))
    with pytest.raises(InputError) as caught:
        read_seed_file(str(path), lambda: "plus pass")
    assert str(caught.value) == f"{path}: wrong password for this Authenticator Plus backup (or the file is damaged)"


def _altered(name: str, header: bytes, offset: int, value: bytes) -> bytes:
    """A corpus zip with `value` written `offset` bytes into every `header` (a record signature) it holds."""
    data = bytearray((CORPUS / name).read_bytes())
    at = data.find(header)
    while at != -1:
        data[at + offset:at + offset + len(value)] = value
        at = data.find(header, at + 1)
    return bytes(data)


@pytest.mark.parametrize("content,words", [
    # "Version needed to extract" 7.5 in the central directory: zipfile and pyzipper raise NotImplementedError
    # for it while opening the archive (let through unworded until a long fuzz run found it).
    (_altered("authenticator-plus-backup.zip", b"PK\x01\x02", 6, (75).to_bytes(2, "little")),
     "a damaged zip archive"),
    # WinZip's AES extra field naming a key size that does not exist (1, 2 and 3 are AES-128, -192, -256).
    (_altered("authenticator-plus-aes128-stored.zip", b"\x01\x99\x07\x00", 8, b"\x00"),
     "a damaged Authenticator Plus backup (its Accounts.txt does not unpack)"),
])
def test_a_zip_damaged_where_its_reader_does_not_expect_it_is_one_line(tmp_path, content, words):
    path = tmp_path / "backup.zip"
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        read_seed_file(str(path), lambda: "plus pass")
    assert str(caught.value) == f"{path}: {words}"


@pytest.mark.parametrize("name,field", [
    ("bitwarden-password-protected.json", "encKeyValidation_DO_NOT_EDIT"),
    ("ente-auth-encrypted.json", "encryptedData"),
    ("authy-cloud-tokens.json", "encrypted_seed"),
])
def test_text_that_is_not_ascii_where_base64_belongs_is_one_line(tmp_path, name, field):
    """base64.b64decode raises ValueError, not binascii.Error, for text outside ASCII (found by a long fuzz run)."""
    document = json.loads((CORPUS / name).read_text())
    for holder in [document, *document.get("authenticator_tokens", [])]:
        if field in holder:  # (after Bitwarden's "2." EncString prefix)
            prefix = "2." if holder[field].startswith("2.") else ""
            holder[field] = prefix + "\u00e9" + holder[field][len(prefix):]
    path = tmp_path / name
    path.write_text(json.dumps(document))
    unlock = json.loads((CORPUS / f"{Path(name).stem}.expected.json").read_text())["unlock"]
    with pytest.raises(InputError) as caught:
        read_seed_file(str(path), lambda: unlock["password"])
    assert "\n" not in str(caught.value) and str(caught.value).startswith(str(path))


def test_an_ente_export_of_an_unknown_version_shows_it_tamed(tmp_path):
    document = json.loads((CORPUS / "ente-auth-encrypted.json").read_text())
    document["version"] = "\n\u202e9"
    path = tmp_path / "ente.json"
    path.write_text(json.dumps(document))
    with pytest.raises(InputError) as caught:
        read_seed_file(str(path), lambda: "x")
    assert "of a version otpburn does not know (9)" in str(caught.value)


def test_an_app_database_whose_schema_is_not_utf8_is_one_line(tmp_path):
    """SQLite's error for a schema it cannot parse quotes the bytes it stopped at, and Python's sqlite3 decodes that
    message as UTF-8 (found by a long fuzz run: a byte changed in the schema)."""
    data = (CORPUS / "microsoft-authenticator-phonefactor.db").read_bytes()
    path = tmp_path / "PhoneFactor"
    path.write_bytes(data.replace(b"CREATE TABLE accounts (", b"CREATE TABLE accounts \x80("))
    with pytest.raises(InputError) as caught:
        read_seed_file(str(path))
    assert str(caught.value) == f"{path}: a damaged SQLite database (text in it is not UTF-8)"
