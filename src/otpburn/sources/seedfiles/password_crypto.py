"""The password-based encryption of the apps whose backups otpburn opens, in one place: PBKDF2 or Argon2id with
the file's own salt and cost (bounded before any work), then AES-GCM or AES-CBC. `cryptography` does
the cryptography; this module bounds what a file may ask of it and turns its failures into one line."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable

from otpburn.errors import InputError, Remedy
from otpburn.sources.seedfiles.model import Unlock, refuse_bloated_json, run_interruptibly

# The most PBKDF2 rounds a file may ask for (andOTP writes its own count; the apps use 10 000 to 600 000).
MAX_PBKDF2_ROUNDS = 5_000_000
# Argon2id's cost, as files may state it: Ente writes its own, from libsodium's "sensitive" level (4 passes over
# 1 GiB) down to less memory and more passes on small phones, the same work. More is refused before any memory
# is taken.
MAX_ARGON2_MEMORY_KIB = 1024 * 1024
MAX_ARGON2_WORK_KIB = 4 * MAX_ARGON2_MEMORY_KIB  # passes × memory


def ask_password(path: str, unlock: Unlock, app: str) -> bytes:
    """The file's password, asked for only now that the file turned out to need it."""
    return password_text(path, unlock, app).encode("utf-8")


def password_text(path: str, unlock: Unlock, app: str) -> str:
    """The file's password as text. When none can be had (no callback, or the front end's says so with the
    password remedy), the file is named as what it is: "backup.json is an encrypted Aegis vault"."""
    if unlock.password is None:
        raise InputError(f"{path} is {app}", remedy=Remedy.SEED_FILE_PASSWORD)
    try:
        return unlock.password()
    except InputError as exc:
        if exc.remedy is Remedy.SEED_FILE_PASSWORD:
            raise InputError(f"{path} is {app}", remedy=Remedy.SEED_FILE_PASSWORD) from None
        raise


def pbkdf2(path: str, secret: bytes, salt: bytes, rounds: int, hash_name: str, length: int = 32) -> bytes:
    if not 1 <= rounds <= MAX_PBKDF2_ROUNDS:
        raise InputError(f"{path}: its key derivation asks for {rounds} PBKDF2 rounds; otpburn does at most "
                         f"{MAX_PBKDF2_ROUNDS}")
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

    algorithm: Callable[[], hashes.HashAlgorithm] = {"sha1": hashes.SHA1, "sha256": hashes.SHA256,
                                                      "sha512": hashes.SHA512}[hash_name]
    derive = functools.partial(PBKDF2HMAC(algorithm(), length, salt, rounds).derive, secret)
    return run_interruptibly(derive)


def refuse_costly_argon2id(path: str, *, passes: int, memory_kib: int, lanes: int, salt: bytes) -> None:
    """Refuse Argon2id settings beyond what the apps use, or that Argon2 does not allow (checked before the
    password is even asked for)."""
    if len(salt) < 8:
        raise InputError(f"{path}: its key derivation salt is {len(salt)} bytes long; Argon2 needs at least 8 (the "
                         "file is damaged)")
    if not 1 <= lanes <= 16 or memory_kib < 8 * lanes or passes < 1:
        raise InputError(f"{path}: its key derivation asks for Argon2id with {passes} passes, {lanes} lanes and "
                         f"{memory_kib} KiB, which Argon2 does not allow (the file is damaged)")
    if memory_kib > MAX_ARGON2_MEMORY_KIB or passes * memory_kib > MAX_ARGON2_WORK_KIB:
        raise InputError(f"{path}: its key derivation asks for Argon2id with {passes} passes over "
                         f"{memory_kib // 1024} MiB; otpburn does at most 4 passes over 1 GiB, or the same work "
                         "with less memory")


def argon2id(path: str, secret: bytes, salt: bytes, *, passes: int, memory_kib: int, lanes: int,
             length: int = 32) -> bytes:
    """Argon2id with the cost a file states or its app fixes, bounded before any work."""
    refuse_costly_argon2id(path, passes=passes, memory_kib=memory_kib, lanes=lanes, salt=salt)
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

    derive = functools.partial(Argon2id(salt=salt, length=length, iterations=passes, lanes=lanes,
                                        memory_cost=memory_kib).derive, secret)
    return run_interruptibly(derive)


def gcm_open(path: str, app: str, key: bytes, nonce: bytes, sealed: bytes) -> bytes:
    """AES-GCM: the plain text, or one line saying the password is wrong (a wrong key and a damaged file look
    the same to GCM)."""
    plain = gcm_try_open(key, nonce, sealed)
    if plain is None:
        raise InputError(f"{path}: wrong password for this {app} (or the file is damaged)",
                         remedy=Remedy.SEED_FILE_PASSWORD)
    return plain


def gcm_try_open(key: bytes, nonce: bytes, sealed: bytes, associated: bytes | None = None) -> bytes | None:
    """AES-GCM's plain text, or None when the key, the nonce or the text is wrong."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        return AESGCM(key).decrypt(nonce, sealed, associated)
    except (InvalidTag, ValueError):
        return None


def cbc_open(path: str, app: str, key: bytes, iv: bytes, data: bytes) -> bytes:
    """AES-CBC with PKCS#7 padding: the plain text, or one line (CBC has no tag: bad padding is a wrong
    password; the caller's JSON check catches the rest)."""
    if len(data) % 16 or not data or len(iv) != 16:
        raise InputError(f"{path}: this {app} is cut short or damaged")
    plain = cbc_try_open(key, iv, data)
    if plain is None:
        raise InputError(f"{path}: wrong password for this {app} (or the file is damaged)",
                         remedy=Remedy.SEED_FILE_PASSWORD)
    return plain


def cbc_try_open(key: bytes, iv: bytes, data: bytes) -> bytes | None:
    """AES-CBC's plain text with its PKCS#7 padding taken off, or None when the padding is wrong (a wrong key,
    nearly always) or the text is not whole blocks."""
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    if len(data) % 16 or not data or len(iv) != 16:
        return None
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    padded = decryptor.update(data) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        return None


def decrypted_json(path: str, plain: bytes, what: str) -> object:
    """The JSON a backup decrypted to (bounded as any JSON file is); a damaged file in one line."""
    refuse_bloated_json(path, plain)
    try:
        return json.loads(plain)
    except (ValueError, RecursionError):
        raise InputError(f"{path}: the decrypted {what} is not JSON (the file is damaged)") from None
