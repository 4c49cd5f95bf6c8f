"""Authenticator-app exports for tests, written from the apps' published formats.

The Aegis vault follows docs/vault.md of the Aegis project: a password slot (scrypt with the
slot's salt and N/r/p gives the key that unwraps the master key with AES-256-GCM) and the
`db` text encrypted under the master key with AES-256-GCM, nonces and tags as hex.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

AEGIS_N, AEGIS_R, AEGIS_P = 32768, 8, 1  # what Aegis itself uses


def aegis_entry(kind: str, name: str, issuer: str, secret: str, **info: Any) -> dict[str, Any]:
    tag = hashlib.sha256(f"{issuer}:{name}".encode()).hexdigest()[:12]
    return {"type": kind, "uuid": f"00000000-0000-4000-8000-{tag}",
            "name": name, "issuer": issuer, "icon": None, "info": {"secret": secret, **info}}


def aegis_plain(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {"version": 1, "header": {"slots": None, "params": None}, "db": {"version": 1, "entries": entries}}


def aegis_encrypted(entries: list[dict[str, Any]], password: str, *, salt: bytes = b"\x11" * 32,
                    master_key: bytes = b"\x22" * 32, slot_nonce: bytes = b"\x33" * 12,
                    db_nonce: bytes = b"\x44" * 12, n: int = AEGIS_N, r: int = AEGIS_R,
                    p: int = AEGIS_P) -> dict[str, Any]:
    """An encrypted vault (fixed salt and nonces, so the file is the same every time it is made)."""
    slot_key = Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(password.encode())
    wrapped = AESGCM(slot_key).encrypt(slot_nonce, master_key, None)
    content = json.dumps({"version": 1, "entries": entries}).encode()
    sealed = AESGCM(master_key).encrypt(db_nonce, content, None)
    return {
        "version": 1,
        "header": {
            "slots": [{"type": 1, "uuid": "5c6e1a9e-0000-4000-8000-000000000001", "key": wrapped[:-16].hex(),
                       "key_params": {"nonce": slot_nonce.hex(), "tag": wrapped[-16:].hex()},
                       "n": n, "r": r, "p": p, "salt": salt.hex(), "repaired": True}],
            "params": {"nonce": db_nonce.hex(), "tag": sealed[-16:].hex()},
        },
        "db": base64.b64encode(sealed[:-16]).decode(),
    }
