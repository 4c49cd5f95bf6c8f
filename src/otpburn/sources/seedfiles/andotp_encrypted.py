"""andOTP's encrypted backups (`otp_accounts.json.aes`): the JSON of a plain andOTP backup, sealed with
AES-256-GCM.

Layout (andOTP's own code, and the andOTP-decrypt tool that reads it): since andOTP 0.6.3 the file is the
PBKDF2 round count (4 bytes, big-endian), a 12-byte salt, a 12-byte GCM nonce, then the ciphertext and its
16-byte tag; the key is PBKDF2-HMAC-SHA1 of the password over the salt, 32 bytes. Older versions wrote only
nonce, ciphertext and tag, keyed with the SHA-256 of the password. A file that could be either is tried in
the new layout first.
"""

from __future__ import annotations

import hashlib

from otpburn.errors import InputError
from otpburn.sources.seedfiles.model import Unlock
from otpburn.sources.seedfiles.password_crypto import (
    MAX_PBKDF2_ROUNDS,
    ask_password,
    decrypted_json,
    gcm_open,
    pbkdf2,
)

APP = "an encrypted andOTP backup"
NEW_HEADER = 4 + 12 + 12
TAG = 16
# andOTP's own counts lie between 140 000 and 160 000; anything in this range is taken as the new layout.
PLAUSIBLE_ROUNDS = range(1_000, MAX_PBKDF2_ROUNDS + 1)


def looks_like(data: bytes) -> bool:
    """Whether `data` can be the new layout: a plausible round count and room for salt, nonce and tag."""
    return len(data) > NEW_HEADER + TAG and int.from_bytes(data[:4], "big") in PLAUSIBLE_ROUNDS


def decrypt(path: str, data: bytes, unlock: Unlock) -> list[object]:
    """The entries of the backup (a JSON list), or one line: wrong password, or not such a backup."""
    secret = ask_password(path, unlock, APP)
    plain: bytes | None = None
    if looks_like(data):
        rounds, salt, nonce = int.from_bytes(data[:4], "big"), data[4:16], data[16:28]
        key = pbkdf2(path, secret, salt, rounds, "sha1")
        try:
            plain = gcm_open(path, "andOTP backup", key, nonce, data[28:])
        except InputError:
            plain = None  # perhaps the old layout, whose first bytes looked like a round count
    if plain is None and len(data) > 12 + TAG:
        plain = gcm_open(path, "andOTP backup", hashlib.sha256(secret).digest(), data[:12],
                                         data[12:])
    if plain is None:
        raise InputError(f"{path}: too short to be an encrypted andOTP backup")
    entries = decrypted_json(path, plain, "andOTP backup")
    if not isinstance(entries, list):
        raise InputError(f"{path}: the decrypted andOTP backup holds no list of accounts")
    return entries
