"""Authenticator Pro (now Stratum) backups: the plain JSON and the password-encrypted `.authpro` file.

Sources: the project's doc/BACKUP_FORMAT.md (an `Authenticators` list; Type 1 HOTP, 2 TOTP, 3 mOTP, 4 Steam;
Algorithm 0 SHA-1, 1 SHA-256, 2 SHA-512; Secret in upper-case base32; Digits, Period, Counter, Issuer,
Username) and its extra/decrypt_backup.py (an encrypted backup is the text `AuthenticatorPro`, an 8-byte
salt, a 16-byte IV, then the JSON in AES-256-CBC with PKCS#7 padding, keyed with PBKDF2-HMAC-SHA1 of the
password over the salt, 100 000 rounds). Newer Stratum backups with another header use a key derivation
that is not documented there: they are named, not guessed at.
"""

from __future__ import annotations

import json
from typing import Any

from otpburn.errors import InputError
from otpburn.otp.params import Algorithm, OtpParams, OtpType
from otpburn.sources.otpauth import STEAM_REFUSAL
from otpburn.sources.seedfiles.model import Entry, Rows, Unlock, base32_field, read_entries, refuse_bloated_json
from otpburn.sources.seedfiles.password_crypto import ask_password, cbc_open, pbkdf2

HEADER = b"AuthenticatorPro"
NEWER_HEADERS = (b"AUTHENTICATORPRO", b"Stratum")  # formats whose key derivation is not published
SALT, IV, ROUNDS = 8, 16, 100_000
TYPES = {1: OtpType.HOTP, 2: OtpType.TOTP}
ALGORITHMS = {0: "SHA1", 1: "SHA256", 2: "SHA512"}


def looks_like(document: object) -> bool:
    return isinstance(document, dict) and isinstance(document.get("Authenticators"), list)


def read(document: dict[str, Any], kind: str = "Authenticator Pro backup") -> Rows:
    return read_entries(kind, document["Authenticators"], _params, _label)


def _label(entry: Entry) -> str:
    issuer, username = entry.get("Issuer"), entry.get("Username")
    return ":".join(part for part in (issuer, username) if isinstance(part, str) and part)


def decrypt(path: str, data: bytes, unlock: Unlock) -> dict[str, Any]:
    app = "an encrypted Authenticator Pro backup"
    if data.startswith(NEWER_HEADERS):
        raise InputError(f"{path}: an encrypted Stratum backup in a newer format whose key derivation is not "
                         "published; make an unencrypted backup in Stratum, load it, then delete it")
    start = len(HEADER)
    salt, iv, sealed = data[start:start + SALT], data[start + SALT:start + SALT + IV], data[start + SALT + IV:]
    key = pbkdf2(path, ask_password(path, unlock, app), salt, ROUNDS, "sha1")
    plain = cbc_open(path, "Authenticator Pro backup", key, iv, sealed)
    refuse_bloated_json(path, plain)
    try:
        document = json.loads(plain)
    except (ValueError, RecursionError):
        raise InputError(f"{path}: wrong password for this Authenticator Pro backup (or the file is damaged)") \
            from None
    if not looks_like(document):
        raise InputError(f"{path}: the decrypted Authenticator Pro backup holds no authenticators")
    return dict(document)


def _params(entry: Entry) -> OtpParams:
    kind = entry.get("Type")
    if kind == 4:
        raise InputError(STEAM_REFUSAL)
    if kind not in TYPES:
        raise InputError("a Mobile-OTP or other authenticator, not HOTP or TOTP")
    secret_bytes = base32_field(entry.get("Secret"))
    algorithm = ALGORITHMS.get(entry.get("Algorithm", 0))
    if algorithm is None:
        raise InputError("an algorithm Authenticator Pro does not define")
    return OtpParams(secret=secret_bytes, type=TYPES[kind], algorithm=Algorithm(algorithm),
                     digits=entry.get("Digits", 6), period=entry.get("Period") or 30,
                     counter=entry.get("Counter", 0), issuer=_text(entry.get("Issuer")),
                     account=_text(entry.get("Username")))


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
