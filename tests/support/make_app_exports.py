"""Writes the app-export files of tests/data/seedfiles that are binary or encrypted, from each format's
published layout (named in the readers' docstrings), so that they can be made again: `python -m
tests.support.make_app_exports`. The plain ones are written by hand beside them; the expectations (*.expected.json)
are checked by hand against the accounts put in here."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import sqlite3
import subprocess
import tempfile
import uuid
import zipfile
from pathlib import Path

from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand
from nacl import bindings

CORPUS = Path(__file__).resolve().parents[1] / "data" / "seedfiles"


def andotp(plain: bytes, password: bytes, new: bool) -> bytes:
    nonce = os.urandom(12)
    if not new:  # andOTP <= 0.6.2: SHA-256 of the password
        return nonce + AESGCM(hashlib.sha256(password).digest()).encrypt(nonce, plain, None)
    rounds, salt = 150_000, os.urandom(12)
    key = hashlib.pbkdf2_hmac("sha1", password, salt, rounds, 32)
    return rounds.to_bytes(4, "big") + salt + nonce + AESGCM(key).encrypt(nonce, plain, None)


def authenticator_pro(plain: bytes, password: bytes) -> bytes:
    """Stratum's current layout: Argon2id (3 passes, 64 MiB, 4 lanes), AES-256-GCM."""
    salt, iv = os.urandom(16), os.urandom(12)
    key = Argon2id(salt=salt, length=32, iterations=3, lanes=4, memory_cost=65_536).derive(password)
    return b"AUTHENTICATORPRO" + salt + iv + AESGCM(key).encrypt(iv, plain, None)


def authenticator_pro_legacy(plain: bytes, password: bytes) -> bytes:
    """Authenticator Pro's legacy layout: PBKDF2-HMAC-SHA1 (64 000 rounds, 20-byte salt), AES-256-CBC."""
    salt, iv = os.urandom(20), os.urandom(16)
    key = hashlib.pbkdf2_hmac("sha1", password, salt, 64_000, 32)
    padder = padding.PKCS7(128).padder()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return b"AuthenticatorPro" + salt + iv + encryptor.update(padder.update(plain) + padder.finalize()) + \
        encryptor.finalize()


def totp_authenticator(accounts: list[dict[str, object]], password: bytes = b"TotpAuthenticator") -> bytes:
    """TOTP Authenticator: {"<the accounts' JSON>": "<time>"}, AES-256-CBC (zero IV) keyed with SHA-256 of the
    password (the app's own text when the user sets none), in base64."""
    plain = json.dumps({json.dumps(accounts): "1700000000"}).encode()
    padder = padding.PKCS7(128).padder()
    encryptor = Cipher(algorithms.AES(hashlib.sha256(password).digest()), modes.CBC(bytes(16))).encryptor()
    return base64.b64encode(encryptor.update(padder.update(plain) + padder.finalize()) + encryptor.finalize())


TOTP_AUTHENTICATOR_ACCOUNTS: list[dict[str, object]] = [
    {"base": 32, "key": "JBSWY3DPEHPK3PXP", "issuer": "GitHub", "name": "amy", "digits": "6", "period": "30"},
    {"base": 16, "key": "3132333435363738393031323334353637383930", "issuer": "Example VPN", "name": "bob",
     "digits": "8", "period": "60"},
    {"base": 64, "key": "YWJjZGVmZ2hpag==", "issuer": "", "name": "carol"},
    {"base": 10, "key": "12345", "issuer": "Odd", "name": "dave"},
]


def ente_auth(plain: bytes, password: bytes, mem_limit: int = 64 * 1024 * 1024, ops_limit: int = 2) -> bytes:
    """Ente Auth's encrypted export: Argon2id (one lane) of the password, one XChaCha20-Poly1305 secret-stream
    message with the final tag; its header is the "nonce"."""
    salt = os.urandom(16)
    key = Argon2id(salt=salt, length=32, iterations=ops_limit, lanes=1, memory_cost=mem_limit // 1024).derive(password)
    state = bindings.crypto_secretstream_xchacha20poly1305_state()
    header = bindings.crypto_secretstream_xchacha20poly1305_init_push(state, key)
    sealed = bindings.crypto_secretstream_xchacha20poly1305_push(
        state, plain, None, bindings.crypto_secretstream_xchacha20poly1305_TAG_FINAL)
    return json.dumps({"version": 1, "kdfParams": {"memLimit": mem_limit, "opsLimit": ops_limit,
                                                   "salt": base64.b64encode(salt).decode()},
                       "encryptedData": base64.b64encode(sealed).decode(),
                       "encryptionNonce": base64.b64encode(header).decode()}, indent=2).encode() + b"\n"


PROTON_PASS_DATA = {
    "version": "1.21.2", "userId": "user-1", "encrypted": False,
    "vaults": {
        "share-1": {"name": "Personal", "description": "", "items": [
            {"itemId": "item-1", "shareId": "share-1", "state": 1, "data": {
                "metadata": {"name": "GitHub", "note": "", "itemUuid": "u1"}, "type": "login",
                "extraFields": [{"fieldName": "Backup TOTP", "type": "totp",
                                 "data": {"totpUri": "otpauth://totp/GitHub:amy-backup?secret=GEZDGNBVGY3TQOJQ"}}],
                "content": {"itemEmail": "amy@example.org", "itemUsername": "", "password": "x", "urls": [],
                            "totpUri": "otpauth://totp/GitHub:amy?secret=JBSWY3DPEHPK3PXP&issuer=GitHub"
                                       "&algorithm=SHA256&digits=8&period=60", "passkeys": []}}},
            {"itemId": "item-2", "shareId": "share-1", "state": 1, "data": {
                "metadata": {"name": "Mail", "note": "", "itemUuid": "u2"}, "type": "login", "extraFields": [],
                "content": {"itemEmail": "", "itemUsername": "bob", "password": "y", "urls": [],
                            "totpUri": "MFRGGZDFMZTWQ2LK", "passkeys": []}}},
            {"itemId": "item-3", "shareId": "share-1", "state": 1, "data": {
                "metadata": {"name": "A note", "note": "text", "itemUuid": "u3"}, "type": "note", "extraFields": [],
                "content": {}}}]},
        "share-2": {"name": "Work", "description": "", "items": [
            {"itemId": "item-4", "shareId": "share-2", "state": 1, "data": {
                "metadata": {"name": "VPN", "note": "", "itemUuid": "u4"}, "type": "login", "extraFields": [],
                "content": {"itemEmail": "", "itemUsername": "carol", "password": "z", "urls": [],
                            "totpUri": "otpauth://totp/VPN:carol?secret=not-base32", "passkeys": []}}}]}}}


def proton_pass(path: Path) -> None:
    path.unlink(missing_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Proton Pass/data.json", json.dumps(PROTON_PASS_DATA, indent=2))


def authenticator_plus(path: Path, links: bytes, password: str) -> None:
    """A zip with the traditional encryption, as Info-ZIP's `zip -P` writes it (Python's zipfile reads but cannot
    write it). The password is the corpus's own test password: `zip` takes it only from a terminal or argv."""
    path.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "Accounts.txt").write_bytes(links)
        subprocess.run(["zip", "-q", "-P", password, str(path.resolve()), "Accounts.txt"], cwd=folder, check=True)


def authenticator_plus_aes(path: Path, links: bytes, password: str, method: str, level: int) -> None:
    """The same zip sealed with WinZip's AES (`method` AES128 or AES256), as 7-Zip's `7z a -tzip -mem=…` writes it
    (Python's zipfile neither reads nor writes it); `level` 0 stores Accounts.txt, 5 deflates it. The password is
    the corpus's own test password, on 7z's command line."""
    path.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "Accounts.txt").write_bytes(links)
        subprocess.run(["7z", "a", "-bd", "-tzip", f"-mem={method}", f"-mx{level}", f"-p{password}",
                        str(path.resolve()), "Accounts.txt"], cwd=folder, check=True, stdout=subprocess.DEVNULL)


def freeotp2(path: Path, password: str, count: int | None = None) -> None:
    """FreeOTP 2's backup, written by the JDK's own serialization and cryptography
    (tests/support/java/FreeOtpBackup.java; needs a JDK): the corpus's accounts, or `count` generated ones. The
    password is a test password."""
    source = Path(__file__).resolve().parent / "java" / "FreeOtpBackup.java"
    with tempfile.TemporaryDirectory() as classes:
        subprocess.run(["javac", "-d", classes, str(source)], check=True)
        subprocess.run(["java", "-cp", classes, "FreeOtpBackup", str(path.resolve()), password,
                        *([str(count)] if count is not None else [])], check=True)


def bitwarden_password_protected(export: bytes, password: bytes, argon2: bool = False) -> bytes:
    """Bitwarden's password-protected export as its SDK writes it: the salt's text into PBKDF2-SHA256 (or, for
    Argon2id, its SHA-256), HKDF-Expand into "enc" and "mac" keys, and EncStrings 2.<iv>|<data>|<mac>."""
    salt = base64.b64encode(os.urandom(16)).decode()
    if argon2:
        key = Argon2id(salt=hashlib.sha256(salt.encode()).digest(), length=32, iterations=3, lanes=4,
                       memory_cost=64 * 1024).derive(password)
        kdf = {"kdfType": 1, "kdfIterations": 3, "kdfMemory": 64, "kdfParallelism": 4}
    else:
        key = hashlib.pbkdf2_hmac("sha256", password, salt.encode(), 600_000, 32)
        kdf = {"kdfType": 0, "kdfIterations": 600_000}
    enc_key = HKDFExpand(hashes.SHA256(), 32, b"enc").derive(key)
    mac_key = HKDFExpand(hashes.SHA256(), 32, b"mac").derive(key)

    def enc_string(plain: bytes) -> str:
        iv, padder = os.urandom(16), padding.PKCS7(128).padder()
        encryptor = Cipher(algorithms.AES(enc_key), modes.CBC(iv)).encryptor()
        data = encryptor.update(padder.update(plain) + padder.finalize()) + encryptor.finalize()
        mac = hmac.new(mac_key, iv + data, "sha256").digest()
        return "2." + "|".join(base64.b64encode(part).decode() for part in (iv, data, mac))

    return json.dumps({"encrypted": True, "passwordProtected": True, "salt": salt, **kdf,
                       "encKeyValidation_DO_NOT_EDIT": enc_string(str(uuid.uuid4()).encode()),
                       "data": enc_string(export)}, indent=2).encode() + b"\n"


BATTLE_NET_MASK = bytes.fromhex("398e27fc50276a656065b0e525f4c06c04c61075286b8e7aeda59da9813b5dd6c80d2fb38068773fa59b"
                                "a47c17ca6c6479015c1d5b8b8f6b9a")


def battle_net(secret: bytes, serial: str) -> bytes:
    """The Battle.net app's preferences: the device secret (hex) and the serial, each XORed with the app's mask."""
    def masked(text: str) -> str:
        return bytes(a ^ b for a, b in zip(text.encode(), BATTLE_NET_MASK, strict=False)).hex()

    return ("<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n"
            f'    <string name="com.blizzard.messenger.AUTHENTICATOR_DEVICE_SECRET">{masked(secret.hex())}</string>\n'
            f'    <string name="com.blizzard.messenger.AUTHENTICATOR_SERIAL">{masked(serial)}</string>\n'
            "</map>\n").encode()


def openssl_authy_seal(seed: str, password: str, salt: str, rounds: int, iv: bytes | None) -> str:
    """One Authy token's `encrypted_seed`, sealed by OpenSSL's command line (a judge: not the library otpburn
    opens it with): PBKDF2-HMAC-SHA1 over the salt's text, then AES-256-CBC with PKCS#7 padding."""
    derived = subprocess.run(["openssl", "kdf", "-keylen", "32", "-kdfopt", "digest:SHA1", "-kdfopt",
                              f"pass:{password}", "-kdfopt", f"salt:{salt}", "-kdfopt", f"iter:{rounds}", "PBKDF2"],
                             capture_output=True, check=True, text=True).stdout
    sealed = subprocess.run(["openssl", "enc", "-aes-256-cbc", "-K", derived.strip().replace(":", ""), "-iv",
                             (iv or bytes(16)).hex(), "-base64", "-A"], input=seed.encode("ascii"),
                            capture_output=True, check=True).stdout
    return sealed.decode("ascii").strip()


def authy_cloud_tokens(password: str) -> bytes:
    """Authy's token list as its cloud service returns it (fields as the guides for leaving Authy show them):
    tokens with and without an IV, at 100 000 and 1 000 rounds, two sharing a salt, one sealed under an earlier
    backup password, one without a seed."""
    def token(unique_id: str, name: str, original_name: str, issuer: str | None, account_type: str, digits: int,
              **sealing: object) -> dict[str, object]:
        return {"account_type": account_type, "digits": digits, **sealing, "issuer": issuer,
                "logo": account_type, "name": name, "original_name": original_name,
                "password_timestamp": 1700000000, "unique_id": unique_id}

    def sealed(seed: str, salt: str, rounds: int, iv: bytes | None,
               sealing_password: str = password) -> dict[str, object]:
        return {"encrypted_seed": openssl_authy_seal(seed, sealing_password, salt, rounds, iv),
                "key_derivation_iterations": rounds, "salt": salt, "unique_iv": iv.hex() if iv else None}

    iv = bytes(range(16, 32))
    tokens = [
        token("1001", "Google: amy@example.com", "Google:amy@example.com", "Google", "google", 6,
              **sealed("JBSWY3DPEHPK3PXP", "3kQ9zYx7PqR2sT5v", 100_000, iv)),
        token("1002", "GitHub: bob", "GitHub:bob", None, "github", 8,
              **sealed("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "old-style-salt", 1_000, None)),
        token("1003", "Wiki - carol", "", None, "authenticator", 7,
              **sealed("MFRGGZDFMZTWQ2LK", "3kQ9zYx7PqR2sT5v", 100_000, bytes(range(32, 48)))),
        token("1004", "Old VPN: dave", "Old VPN:dave", "Old VPN", "authenticator", 6,
              **sealed("JBSWY3DPEHPK3PXP", "another-salt", 100_000, iv, "an earlier password")),
        token("1005", "Empty", "Empty", None, "authenticator", 6),
    ]
    return (json.dumps({"authenticator_tokens": tokens, "message": "success", "success": True}, indent=1)
            + "\n").encode()


def sqlite_file(path: Path, table: str, insert: str, rows: list[tuple[object, ...]]) -> None:
    """An app's SQLite database: one table, its rows."""
    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as db:
        db.execute(table)
        db.executemany(insert, rows)
    db.close()


def google_authenticator(path: Path) -> None:
    sqlite_file(path, "CREATE TABLE accounts (_id INTEGER PRIMARY KEY, email TEXT NOT NULL, secret TEXT NOT NULL, "
                      "counter INTEGER DEFAULT 0, type INTEGER, provider INTEGER DEFAULT 0, issuer TEXT DEFAULT NULL, "
                      "original_name TEXT DEFAULT NULL)",
                "INSERT INTO accounts (email, secret, counter, type, issuer, original_name) VALUES (?, ?, ?, ?, ?, ?)",
                [("alice@example.org", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 0, 0, "Example",
                  "Example:alice@example.org"),
                 ("bob", "JBSWY3DPEHPK3PXP", 7, 1, "Legacy", "Legacy:bob"),
                 ("broken", "not base32 at all!", 0, 0, None, "broken")])


def microsoft_authenticator(path: Path) -> None:
    sqlite_file(path, "CREATE TABLE accounts (_id INTEGER PRIMARY KEY, name TEXT, username TEXT, oath_secret_key "
                      "TEXT, account_type INTEGER)",
                "INSERT INTO accounts (name, username, oath_secret_key, account_type) VALUES (?, ?, ?, ?)",
                [("GitHub", "amy", "JBSWY3DPEHPK3PXP", 0),
                 ("Microsoft", "bob@outlook.com", base64.b64encode(b"12345678901234567890").decode(), 1),
                 ("Contoso", "carol@contoso.com", None, 2),  # a work account: push notifications, no OATH key
                 ("Broken", "dave", "not base32!", 0)])


def stratum_database(path: Path) -> None:
    """Stratum's own database (databases/authenticator.db3): the backup's fields as columns."""
    sqlite_file(path, "CREATE TABLE authenticator (secret TEXT PRIMARY KEY, type INTEGER, icon TEXT, issuer TEXT, "
                      "username TEXT, pin TEXT, algorithm INTEGER, digits INTEGER, period INTEGER, counter INTEGER, "
                      "copyCount INTEGER, ranking INTEGER)",
                "INSERT INTO authenticator (secret, type, issuer, username, algorithm, digits, period, counter) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [("JBSWY3DPEHPK3PXP", 2, "GitHub", "amy", 1, 8, 60, 0),
                 ("GEZDGNBVGY3TQOJQ", 1, "Legacy", "bob", 0, 6, 30, 9),
                 ("MFRGGZDFMZTWQ2LK", 4, "Steam", "gamer", 0, 5, 30, 0)])


def main() -> None:
    plain = (CORPUS / "andotp-plain.json").read_bytes()
    (CORPUS / "andotp-encrypted.json.aes").write_bytes(andotp(plain, b"123456", new=True))
    (CORPUS / "andotp-encrypted-old.json.aes").write_bytes(andotp(plain, b"123456", new=False))
    backup = (CORPUS / "authenticator-pro-backup.json").read_bytes()
    (CORPUS / "authenticator-pro-encrypted.authpro").write_bytes(authenticator_pro_legacy(backup, b"stratum pass"))
    (CORPUS / "stratum-encrypted.authpro").write_bytes(authenticator_pro(backup, b"stratum pass"))
    (CORPUS / "totp-authenticator-no-password.bin").write_bytes(totp_authenticator(TOTP_AUTHENTICATOR_ACCOUNTS))
    (CORPUS / "ente-auth-encrypted.json").write_bytes(ente_auth((CORPUS / "ente-auth.txt").read_bytes(), b"ente pass"))
    proton_pass(CORPUS / "proton-pass-export.zip")
    authenticator_plus(CORPUS / "authenticator-plus-backup.zip", (CORPUS / "ente-auth.txt").read_bytes(), "plus pass")
    authenticator_plus_aes(CORPUS / "authenticator-plus-aes256.zip", (CORPUS / "ente-auth.txt").read_bytes(),
                           "plus pass", "AES256", 5)
    authenticator_plus_aes(CORPUS / "authenticator-plus-aes128-stored.zip", (CORPUS / "ente-auth.txt").read_bytes(),
                           "plus pass", "AES128", 0)
    freeotp2(CORPUS / "freeotp2-backup.xml", "freeotp pass")
    bitwarden = (CORPUS / "bitwarden-export.json").read_bytes()
    (CORPUS / "bitwarden-password-protected.json").write_bytes(bitwarden_password_protected(bitwarden, b"bw pass"))
    (CORPUS / "bitwarden-password-protected-argon2.json").write_bytes(
        bitwarden_password_protected(bitwarden, b"bw pass", argon2=True))
    (CORPUS / "battle-net-app-preferences.xml").write_bytes(battle_net(b"12345678901234567890", "EU-1234-5678-9012"))
    google_authenticator(CORPUS / "google-authenticator-databases.db")
    microsoft_authenticator(CORPUS / "microsoft-authenticator-phonefactor.db")
    stratum_database(CORPUS / "stratum-authenticator.db3")
    (CORPUS / "authy-cloud-tokens.json").write_bytes(authy_cloud_tokens("authy backup"))
    json.dumps({})  # (the module's JSON files are written by hand)


if __name__ == "__main__":
    main()
