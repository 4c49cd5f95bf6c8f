"""Ente Auth's encrypted export: JSON with `version` 1, `kdfParams` (`memLimit` in bytes, `opsLimit`, `salt` in
base64), `encryptedData` and `encryptionNonce` (base64).

The key is Argon2id of the password over the salt (libsodium's crypto_pwhash: opsLimit passes over memLimit
bytes, one lane); the data is one message of libsodium's XChaCha20-Poly1305 secret stream whose header is the
"nonce", sealed with the final tag (or, from some versions of the app, the message tag). It decrypts to the
same text as the plain export: otpauth links, one per line.

Sources: Ente's docs/auth/migration/export.md (the JSON and its algorithms) and its CLI
(cli/pkg/authenticator/decrypt.go, cli/internal/crypto), whose known-answer vector from crypto_test.go the
tests decrypt here. PyNaCl (libsodium) opens the secret stream; `cryptography` derives the key.
"""

from __future__ import annotations

import base64
from typing import Any

from otpburn.errors import InputError, Remedy
from otpburn.sources.seedfiles.model import Unlock, printable
from otpburn.sources.seedfiles.password_crypto import argon2id, ask_password, refuse_costly_argon2id

APP = "Ente Auth export"


def looks_like(document: object) -> bool:
    return isinstance(document, dict) and "kdfParams" in document and "encryptedData" in document


def decrypt(path: str, document: dict[str, Any], unlock: Unlock) -> str:
    """The export's text (otpauth links), once the password opens it."""
    if document.get("version") != 1:
        raise InputError(f"{path}: an encrypted Ente Auth export of a version otpburn does not know "
                         f"({printable(str(document.get('version')), 10)}); export the codes from Ente Auth as plain "
                         "text (a list of otpauth links), load that, then delete it")
    params = document.get("kdfParams")
    if not isinstance(params, dict):
        raise InputError(f"{path}: a damaged Ente Auth export (no key derivation parameters)")
    memory, passes = params.get("memLimit"), params.get("opsLimit")
    salt = _base64(path, params.get("salt"), "salt")
    sealed = _base64(path, document.get("encryptedData"), "encrypted data")
    header = _base64(path, document.get("encryptionNonce"), "nonce")
    if not isinstance(memory, int) or not isinstance(passes, int) or isinstance(memory, bool) \
            or isinstance(passes, bool) or memory < 8192:
        raise InputError(f"{path}: a damaged Ente Auth export (its key derivation parameters are not numbers)")
    refuse_costly_argon2id(path, passes=passes, memory_kib=memory // 1024, lanes=1, salt=salt)
    key = argon2id(path, ask_password(path, unlock, f"an encrypted {APP}"), salt, passes=passes,
                   memory_kib=memory // 1024, lanes=1)
    return _open_stream(path, key, header, sealed)


def _open_stream(path: str, key: bytes, header: bytes, sealed: bytes) -> str:
    from nacl import bindings
    from nacl.exceptions import CryptoError

    if len(header) != bindings.crypto_secretstream_xchacha20poly1305_HEADERBYTES:
        raise InputError(f"{path}: a damaged Ente Auth export (its nonce has the wrong length)")
    state = bindings.crypto_secretstream_xchacha20poly1305_state()
    bindings.crypto_secretstream_xchacha20poly1305_init_pull(state, header, key)
    try:
        plain, tag = bindings.crypto_secretstream_xchacha20poly1305_pull(state, sealed, None)
    except (CryptoError, ValueError):
        raise InputError(f"{path}: wrong password for this {APP} (or the file is damaged)",
                         remedy=Remedy.SEED_FILE_PASSWORD) from None
    if tag not in (bindings.crypto_secretstream_xchacha20poly1305_TAG_FINAL,
                   bindings.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE):
        raise InputError(f"{path}: a damaged Ente Auth export (its data continues past what was exported)")
    try:
        return bytes(plain).decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: the decrypted Ente Auth export is not text (the file is damaged)") from None


def _base64(path: str, value: object, what: str) -> bytes:
    try:
        if isinstance(value, str) and value:
            return base64.b64decode(value, validate=True)
    except ValueError:  # binascii.Error, or text that is not ASCII
        pass
    raise InputError(f"{path}: a damaged Ente Auth export (its {what} is not base64)")
