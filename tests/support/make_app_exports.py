"""Writes the app-export files of tests/data/seedfiles that are binary or encrypted, from each format's
published layout (named in the readers' docstrings), so that they can be made again: `python -m
tests.support.make_app_exports`. The plain ones are written by hand beside them; the expectations (*.expected.json)
are checked by hand against the accounts put in here."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

CORPUS = Path(__file__).resolve().parents[1] / "data" / "seedfiles"


def andotp(plain: bytes, password: bytes, new: bool) -> bytes:
    nonce = os.urandom(12)
    if not new:  # andOTP <= 0.6.2: SHA-256 of the password
        return nonce + AESGCM(hashlib.sha256(password).digest()).encrypt(nonce, plain, None)
    rounds, salt = 150_000, os.urandom(12)
    key = hashlib.pbkdf2_hmac("sha1", password, salt, rounds, 32)
    return rounds.to_bytes(4, "big") + salt + nonce + AESGCM(key).encrypt(nonce, plain, None)


def authenticator_pro(plain: bytes, password: bytes) -> bytes:
    salt, iv = os.urandom(8), os.urandom(16)
    key = hashlib.pbkdf2_hmac("sha1", password, salt, 100_000, 32)
    padder = padding.PKCS7(128).padder()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return b"AuthenticatorPro" + salt + iv + encryptor.update(padder.update(plain) + padder.finalize()) + \
        encryptor.finalize()


def google_authenticator(path: Path) -> None:
    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE accounts (_id INTEGER PRIMARY KEY, email TEXT NOT NULL, secret TEXT NOT NULL, "
                   "counter INTEGER DEFAULT 0, type INTEGER, provider INTEGER DEFAULT 0, issuer TEXT DEFAULT NULL, "
                   "original_name TEXT DEFAULT NULL)")
        db.executemany("INSERT INTO accounts (email, secret, counter, type, issuer, original_name) VALUES "
                       "(?, ?, ?, ?, ?, ?)", [
                           ("alice@example.org", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", 0, 0, "Example",
                            "Example:alice@example.org"),
                           ("bob", "JBSWY3DPEHPK3PXP", 7, 1, "Legacy", "Legacy:bob"),
                           ("broken", "not base32 at all!", 0, 0, None, "broken")])


def microsoft_authenticator(path: Path) -> None:
    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE accounts (_id INTEGER PRIMARY KEY, name TEXT, username TEXT, oath_secret_key TEXT, "
                   "account_type INTEGER)")
        db.execute("INSERT INTO accounts (name, username, oath_secret_key, account_type) VALUES "
                   "('GitHub', 'amy', 'JBSWY3DPEHPK3PXP', 0)")


def main() -> None:
    plain = (CORPUS / "andotp-plain.json").read_bytes()
    (CORPUS / "andotp-encrypted.json.aes").write_bytes(andotp(plain, b"123456", new=True))
    (CORPUS / "andotp-encrypted-old.json.aes").write_bytes(andotp(plain, b"123456", new=False))
    backup = (CORPUS / "authenticator-pro-backup.json").read_bytes()
    (CORPUS / "authenticator-pro-encrypted.authpro").write_bytes(authenticator_pro(backup, b"stratum pass"))
    google_authenticator(CORPUS / "google-authenticator-databases.db")
    microsoft_authenticator(CORPUS / "microsoft-authenticator-phonefactor.db")
    json.dumps({})  # (the module's JSON files are written by hand)


if __name__ == "__main__":
    main()
