"""FreeOTP's token store (v1: the app's `tokens.xml` shared preferences, from a backup of the app), FreeOTP 2's
encrypted backup (`externalBackup.xml`) and FreeOTP+'s JSON export (`freeotp-backup.json`).

All hold one JSON object per token — `algo`, `type` (TOTP or HOTP), `secret` as a list of signed bytes,
`digits`, `period`, `counter`, `issuerExt`, `label` — as FreeOTP's Token class serialises it; v1 keeps each
under its `issuer:label` name next to a `tokenOrder` list, FreeOTP+ in a `tokens` list (sources: FreeOTP's
and FreeOTP+'s Token classes; the example tokens.xml of viljoviitanen/freeotp-export). FreeOTP computes
Steam's codes for a token whose issuer is "Steam": refused, as everywhere. The counter is kept as FreeOTP
keeps it: the app's next code is made with it.

FreeOTP 2's backup is a serialized java.util.HashMap of strings (read with javaobj-py3): `masterKey` holds a
master key sealed with AES-GCM under PBKDF2 of the backup password (`mAlgorithm` PBKDF2withHmacSHA1 or
PBKDF2withHmacSHA512, `mSalt`, `mIterations`, 256 bits); each token's UUID holds its secret sealed with the
master key (`{"key": "<mCipher, mCipherText, mParameters, mToken>"}`: the nonce in the DER-encoded GCM
parameters, `mToken` as associated data) and `<UUID>-token` its settings (source: Aegis's FreeOtpImporter).
The tests' backup is written by the JDK itself (tests/support/java/FreeOtpBackup.java).
"""

from __future__ import annotations

import json
from typing import Any, cast

from otpburn.errors import InputError, Remedy
from otpburn.otp.params import Algorithm, OtpParams, OtpType
from otpburn.sources.otpauth import STEAM_REFUSAL
from otpburn.sources.seedfiles.model import Entry, Rows, Unlock, read_entries
from otpburn.sources.seedfiles.password_crypto import ask_password, gcm_try_open, pbkdf2

JAVA_SERIALIZATION = b"\xac\xed\x00\x05"  # the stream magic and version of Java's object serialization
V2_KIND = "FreeOTP 2 backup"
_V2_KDF = {"PBKDF2withHmacSHA1": "sha1", "PBKDF2withHmacSHA512": "sha512"}


def looks_like_plus(document: object) -> bool:
    return isinstance(document, dict) and isinstance(document.get("tokens"), list) and "tokenOrder" in document


def read_plus(document: dict[str, Any]) -> Rows:
    return read_entries("FreeOTP+ export", document["tokens"], _params, _label)


def read_v1(path: str, strings: dict[str, str]) -> Rows:
    """FreeOTP's token store, from its string preferences."""
    if "masterKey" in strings:
        raise InputError(f"{path}: FreeOTP 2's token store from the app's own data, whose master key stays in "
                         "the phone's keystore; make a backup in FreeOTP (Backup: externalBackup.xml) and load "
                         "that instead")
    tokens = [_json(text) for name, text in strings.items() if name != "tokenOrder"]
    return read_entries("FreeOTP token file", tokens, _params, _label)


def read_v2(path: str, data: bytes, unlock: Unlock) -> Rows:
    """FreeOTP 2's encrypted backup: the master key opened with the password, then each token's secret."""
    strings = _serialized_map(path, data)
    master = _json(strings.get("masterKey", ""))
    if not isinstance(master, dict):
        raise InputError(f"{path}: a FreeOTP 2 backup without its master key (the file is damaged)")
    hash_name = _V2_KDF.get(str(master.get("mAlgorithm")))
    salt, rounds = _byte_list(master.get("mSalt")), master.get("mIterations")
    sealed_master = master.get("mEncryptedKey")
    if hash_name is None or salt is None or not isinstance(rounds, int) or not isinstance(sealed_master, dict):
        raise InputError(f"{path}: a FreeOTP 2 backup whose master key otpburn does not know how to open")
    password_key = pbkdf2(path, ask_password(path, unlock, "an encrypted FreeOTP 2 backup"), salt, rounds,
                          hash_name)
    master_key = _unseal(sealed_master, password_key)
    if master_key is None:
        raise InputError(f"{path}: wrong password for this {V2_KIND} (or the file is damaged)",
                         remedy=Remedy.SEED_FILE_PASSWORD)
    tokens = [{"sealed": _json(text), "settings": _json(strings.get(f"{name}-token", ""))}
              for name, text in strings.items() if name != "masterKey" and not name.endswith("-token")]
    return read_entries(V2_KIND, tokens, lambda token: _v2_params(token, master_key),
                        lambda token: _label(token["settings"]) if isinstance(token["settings"], dict) else "")


def _serialized_map(path: str, data: bytes) -> dict[str, str]:
    from javaobj.v2.main import loads

    try:
        loaded = loads(data)
    except Exception:  # noqa: BLE001 (the library's parser raises many kinds on a damaged stream)
        raise InputError(f"{path}: a damaged FreeOTP 2 backup (its Java serialization does not read)") from None
    if not isinstance(loaded, dict):
        raise InputError(f"{path}: Java serialized data, but not a FreeOTP 2 backup (no map of tokens)")
    return {str(name): str(value) for name, value in loaded.items()}


def _v2_params(token: Entry, master_key: bytes) -> OtpParams:
    settings, sealed = token["settings"], token["sealed"]
    if not isinstance(settings, dict):
        raise InputError("no settings beside its secret")
    key = sealed.get("key") if isinstance(sealed, dict) else None
    secret = _unseal(_json(key) if isinstance(key, str) else key, master_key)
    if not secret:
        raise InputError("its sealed secret does not open (the file is damaged)")
    return _params({**settings, "secret": list(secret)})


def _unseal(sealed: object, key: bytes) -> bytes | None:
    """An AES-GCM value FreeOTP 2 sealed (mCipherText, mParameters, mToken), or None if it does not open."""
    if not isinstance(sealed, dict) or sealed.get("mCipher") != "AES/GCM/NoPadding":
        return None
    text, parameters, token = _byte_list(sealed.get("mCipherText")), _byte_list(sealed.get("mParameters")), \
        sealed.get("mToken")
    nonce = _gcm_nonce(parameters or b"")
    if text is None or nonce is None or not isinstance(token, str):
        return None
    return gcm_try_open(key, nonce, text, token.encode("utf-8"))


def _gcm_nonce(parameters: bytes) -> bytes | None:
    """The nonce of Java's encoded GCM parameters: DER `SEQUENCE { OCTET STRING nonce, INTEGER 16 }` (the JDK,
    newer Android) or the bare `OCTET STRING` (older Android). Only these two fixed shapes are taken: the tag is
    always 16 bytes there, as `cryptography` needs it."""
    if len(parameters) >= 2 and parameters[0] == 0x04 and parameters[1] == len(parameters) - 2:
        return parameters[2:] or None
    if len(parameters) >= 7 and parameters[0] == 0x30 and parameters[1] == len(parameters) - 2 \
            and parameters[2] == 0x04 and parameters[-3:] == b"\x02\x01\x10" \
            and parameters[3] == len(parameters) - 7:
        return parameters[4:-3] or None
    return None


def _byte_list(value: object) -> bytes | None:
    """A Java byte[] as gson writes it: a list of signed bytes."""
    if not isinstance(value, list) or not all(isinstance(b, int) and -128 <= b <= 255 for b in value):
        return None
    return bytes(b & 0xFF for b in value)


def _json(text: str) -> object:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None  # counted as an entry that is not a token


def _names(token: Entry) -> tuple[str, str]:
    issuer, label = token.get("issuerExt") or token.get("issuerInt"), token.get("label")
    return issuer if isinstance(issuer, str) else "", label if isinstance(label, str) else ""


def _label(token: Entry) -> str:
    return ":".join(part for part in _names(token) if part)


def _params(token: Entry) -> OtpParams:
    issuer, label = _names(token)
    if token.get("issuerExt") == "Steam":  # FreeOTP computes Steam's codes for these
        raise InputError(STEAM_REFUSAL)
    secret = token.get("secret")
    if not isinstance(secret, list) or not secret or not all(isinstance(b, int) and -128 <= b <= 255
                                                              for b in secret):
        raise InputError("no secret (FreeOTP keeps it as a list of bytes)")
    kind = str(token.get("type") or "TOTP").lower()
    if kind not in ("totp", "hotp"):
        raise InputError("not an HOTP or TOTP token")
    return OtpParams(secret=bytes(b & 0xFF for b in secret), type=OtpType(kind),
                     algorithm=cast(Algorithm, token.get("algo") or "SHA1"),  # OtpParams converts and checks
                     digits=token.get("digits", 6), period=token.get("period", 30), counter=token.get("counter", 0),
                     issuer=issuer, account=label)  # OtpParams refuses control characters
