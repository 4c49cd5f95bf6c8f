"""Authy's token list as its cloud service hands it to the app, `{"authenticator_tokens": [...]}`: the file the
published guides for leaving Authy have people save (Authy-iOS-MiTM and the gist it grew from), and the
decrypted list those guides' script writes, `{"decrypted_authenticator_tokens": [...]}`.

A token holds `name`, `original_name`, `issuer`, `account_type`, `digits` and its seed sealed with the Authy
backup password: `encrypted_seed` (base64) is AES-256-CBC with PKCS#7 padding, keyed with PBKDF2-HMAC-SHA1 of the
password over the token's `salt` (its text) for `key_derivation_iterations` rounds, with `unique_iv` (hex) as the
IV, or sixteen zero bytes when it is null; the plain text is the base32 seed. The decrypted list holds that text
as `decrypted_seed` (or the script's "Decryption failed: …" where the password did not fit). Authy stores no
algorithm or period: it computes SHA-1 codes every 30 s, and so does what otpburn reads.

A token the password does not open is a problem of its own (Authy seals each token under the backup password
of its time, `password_timestamp`); when none opens, the password is wrong.

Sources: florian-berger/AuthyDecryptor (Decryptor.cs, EncryptedToken.cs) and the README and decrypt.py of
AlexTech01/Authy-iOS-MiTM. The tests' file is sealed by OpenSSL's command line (`openssl kdf`, `openssl enc`).
"""

from __future__ import annotations

import base64
from typing import Any, NamedTuple

from otpburn.errors import InputError, Remedy
from otpburn.otp.params import OtpParams
from otpburn.sources.seedfiles.authy import AUTHY_TOKEN_PERIOD, display_names, seed_text
from otpburn.sources.seedfiles.model import Entry, Rows, Unlock, base32_field, note_app_defaults, read_entries
from otpburn.sources.seedfiles.password_crypto import MAX_PBKDF2_ROUNDS, ask_password, cbc_try_open, pbkdf2

SEALED, OPENED = "authenticator_tokens", "decrypted_authenticator_tokens"
KIND = "Authy token list"
# The most PBKDF2 rounds one file may ask for in all: a thousand tokens at Authy's 100 000 each.
MAX_TOTAL_ROUNDS = 100_000_000
_FAILED = "Decryption failed"  # how the guides' script marks a token the password did not open


def looks_like(document: object) -> bool:
    return isinstance(document, dict) and any(isinstance(document.get(name), list) for name in (SEALED, OPENED))


def read(path: str, document: dict[str, Any], unlock: Unlock) -> Rows:
    if isinstance(document.get(OPENED), list):
        found = read_entries(f"{KIND} (decrypted)", document[OPENED], _opened_params, _label)
    else:
        found = read_entries(f"{KIND} (encrypted)", _opened(path, document[SEALED], unlock), _params, _label)
    note_app_defaults(found, "Authy", "algorithm or period", "SHA-1 and 30 s")
    return found


def _opened(path: str, tokens: list[object], unlock: Unlock) -> list[object]:
    """The tokens, each sealed one given its `seed`: the base32 text, or None where it does not open (this
    password does not fit it, or its sealing is damaged: `_params` says which)."""
    sealed = [token for token in tokens if isinstance(token, dict) and isinstance(token.get("encrypted_seed"), str)]
    openable = [(token, sealing) for token in sealed if isinstance(sealing := _sealing(token), Sealing)]
    rounds = sum(count for _, count in {(sealing.salt, sealing.rounds) for _, sealing in openable})
    if rounds > MAX_TOTAL_ROUNDS:  # refused before the password is asked for
        raise InputError(f"{path}: its tokens ask for {rounds} PBKDF2 rounds in all; otpburn does at most "
                         f"{MAX_TOTAL_ROUNDS}")
    for token in sealed:
        token["seed"] = None  # the parsed file's own dicts: no copy of them
    if not openable:
        return tokens
    password = ask_password(path, unlock, "an Authy token list, its seeds sealed with Authy's backup password")
    keys: dict[tuple[str, int], bytes] = {}  # one derivation per salt and round count
    for token, sealing in openable:
        if (sealing.salt, sealing.rounds) not in keys:
            keys[sealing.salt, sealing.rounds] = pbkdf2(path, password, sealing.salt.encode("utf-8"), sealing.rounds,
                                                        "sha1")
        token["seed"] = seed_text(cbc_try_open(keys[sealing.salt, sealing.rounds], sealing.iv, sealing.data))
    if all(token["seed"] is None for token, _ in openable):
        raise InputError(f"{path}: wrong password for this Authy token list (no token opens with it)",
                         remedy=Remedy.SEED_FILE_PASSWORD)
    return tokens


class Sealing(NamedTuple):
    """How one token's seed is sealed, read from the token."""

    salt: str
    rounds: int
    iv: bytes
    data: bytes


def _sealing(token: Entry) -> Sealing | str:
    """The token's sealing, or what keeps it from being opened with any password."""
    salt, rounds, iv_text = token.get("salt"), token.get("key_derivation_iterations"), token.get("unique_iv")
    if not isinstance(salt, str) or type(rounds) is not int:
        return "its salt or key derivation rounds are missing"
    if not 1 <= rounds <= MAX_PBKDF2_ROUNDS:
        return f"its key derivation asks for {rounds} PBKDF2 rounds; otpburn does at most {MAX_PBKDF2_ROUNDS}"
    try:
        iv = bytes(16) if iv_text is None else bytes.fromhex(iv_text) if isinstance(iv_text, str) else b""
    except ValueError:
        iv = b""
    if len(iv) != 16:
        return "its IV is not 16 bytes of hex"
    try:
        return Sealing(salt, rounds, iv, base64.b64decode(token["encrypted_seed"], validate=True))
    except ValueError:  # binascii.Error, or text that is not ASCII
        return "its sealed seed is not base64"


def _label(token: Entry) -> object:
    return token.get("name") or token.get("original_name") or ""


def _names(token: Entry) -> tuple[str, str]:
    """The issuer and account as Authy shows them (the Android store's rules, under the cloud's field names)."""
    return display_names({"originalIssuer": token.get("issuer"), "originalName": token.get("original_name"),
                          "name": token.get("name"), "accountType": token.get("account_type")})


def _params(token: Entry) -> OtpParams:
    if not isinstance(token.get("encrypted_seed"), str):  # `_opened` gave every other token its `seed`
        raise InputError("no secret")
    seed = token.get("seed")
    if seed is None:
        sealing = _sealing(token)
        raise InputError(sealing if isinstance(sealing, str) else "this password does not open it (Authy may have "
                                                                   "sealed it under an earlier backup password)")
    return _token_params(token, seed)


def _opened_params(token: Entry) -> OtpParams:
    seed = token.get("decrypted_seed")
    if isinstance(seed, str) and seed.startswith(_FAILED):
        raise InputError("the script that wrote this file could not decrypt it (the backup password did not fit)")
    return _token_params(token, seed)


def _token_params(token: Entry, seed: object) -> OtpParams:
    digits = token.get("digits")
    if not isinstance(digits, int):
        raise InputError("no number of digits")
    issuer, account = _names(token)
    return OtpParams(secret=base32_field(seed), digits=digits, period=AUTHY_TOKEN_PERIOD, issuer=issuer,
                     account=account)
