"""Authenticator Pro (now Stratum) backups: the plain JSON and both password-encrypted `.authpro` layouts.

Sources: the project's doc/BACKUP_FORMAT.md (an `Authenticators` list; Type 1 HOTP, 2 TOTP, 3 mOTP, 4 Steam;
Algorithm 0 SHA-1, 1 SHA-256, 2 SHA-512; Secret in upper-case base32; Digits, Period, Counter, Issuer,
Username) and its extra/decrypt_backup.py, which reads both encrypted layouts:
- current (Stratum, Authenticator Pro 2.x): the text `AUTHENTICATORPRO`, a 16-byte salt, a 12-byte IV, then
  the JSON in AES-256-GCM, keyed with Argon2id of the password over the salt (3 passes, 64 MiB, 4 lanes);
- legacy: the text `AuthenticatorPro`, a 20-byte salt, a 16-byte IV, then the JSON in AES-256-CBC with PKCS#7
  padding, keyed with PBKDF2-HMAC-SHA1 of the password over the salt, 64 000 rounds.
"""

from __future__ import annotations

import json
from typing import Any

from otpburn.errors import InputError
from otpburn.otp.params import Algorithm, OtpParams, OtpType
from otpburn.sources.otpauth import STEAM_REFUSAL
from otpburn.sources.seedfiles.model import Entry, Rows, Unlock, base32_field, read_entries, refuse_bloated_json
from otpburn.sources.seedfiles.password_crypto import argon2id, ask_password, cbc_open, gcm_open, pbkdf2

HEADER = b"AUTHENTICATORPRO"
LEGACY_HEADER = b"AuthenticatorPro"
HEADERS = (HEADER, LEGACY_HEADER)
SALT, IV = 16, 12
LEGACY_SALT, LEGACY_IV, LEGACY_ROUNDS = 20, 16, 64_000
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
    app, what = "an encrypted Authenticator Pro backup", "Authenticator Pro backup"
    if data.startswith(HEADER):
        salt, iv, sealed = _split(data, len(HEADER), SALT, IV)
        key = argon2id(path, ask_password(path, unlock, app), salt, passes=3, memory_kib=65_536, lanes=4)
        plain = gcm_open(path, what, key, iv, sealed)
    else:
        salt, iv, sealed = _split(data, len(LEGACY_HEADER), LEGACY_SALT, LEGACY_IV)
        key = pbkdf2(path, ask_password(path, unlock, app), salt, LEGACY_ROUNDS, "sha1")
        plain = cbc_open(path, what, key, iv, sealed)
    refuse_bloated_json(path, plain)
    try:
        document = json.loads(plain)
    except (ValueError, RecursionError):
        raise InputError(f"{path}: wrong password for this Authenticator Pro backup (or the file is damaged)") \
            from None
    if not looks_like(document):
        raise InputError(f"{path}: the decrypted Authenticator Pro backup holds no authenticators")
    return dict(document)


def _split(data: bytes, start: int, salt: int, iv: int) -> tuple[bytes, bytes, bytes]:
    return data[start:start + salt], data[start + salt:start + salt + iv], data[start + salt + iv:]


def _params(entry: Entry) -> OtpParams:
    kind, algorithm_number = _number(entry.get("Type")), _number(entry.get("Algorithm", 0))
    if kind == 4:
        raise InputError(STEAM_REFUSAL)
    if kind not in TYPES:
        raise InputError("a Mobile-OTP or other authenticator, not HOTP or TOTP")
    secret_bytes = base32_field(entry.get("Secret"))
    algorithm = ALGORITHMS.get(algorithm_number) if algorithm_number is not None else None
    if algorithm is None:
        raise InputError("an algorithm Authenticator Pro does not define")
    return OtpParams(secret=secret_bytes, type=TYPES[kind], algorithm=Algorithm(algorithm),
                     digits=entry.get("Digits", 6), period=entry.get("Period") or 30,
                     counter=entry.get("Counter", 0), issuer=_text(entry.get("Issuer")),
                     account=_text(entry.get("Username")))


def _number(value: object) -> int | None:
    """A numbered setting (Type, Algorithm), or None for anything else the file holds there."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
