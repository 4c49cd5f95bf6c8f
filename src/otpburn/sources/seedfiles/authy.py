"""Authy's token store on Android: the shared preferences `com.authy.storage.tokens.authenticator.xml` (accounts
added from a QR code) and `com.authy.storage.tokens.authy.xml` (Authy's own tokens), from a rooted or backed-up
phone.

Each file keeps a JSON list under the string preference of its name plus `.key`. An account holds `digits`,
`name`, `originalName`, `originalIssuer`, `accountType` and its secret in one of three ways:
`decryptedSecret` (base32), `encryptedSecret` (base64) with its own `salt` — AES-256-CBC with a zero IV and
PKCS#7 padding, keyed with PBKDF2-HMAC-SHA1 of the backup password over the salt's text, 1 000 rounds, giving
the base32 secret — or, for Authy's own tokens, `secretSeed` (hex). Authy stores no algorithm or period: it
computes SHA-1 codes every 30 s (every 10 s for its own tokens), and so does what otpburn reads.

Sources: Aegis's AuthyImporter and its test files authy_plain.xml and authy_encrypted.xml (password
"testtest"), which decrypt here to the accounts Aegis checks them against.
"""

from __future__ import annotations

import base64
import json

from otpburn.errors import InputError, Remedy
from otpburn.otp.params import OtpParams
from otpburn.sources.seedfiles.model import Entry, Rows, Unlock, base32_field, note_app_defaults, read_entries
from otpburn.sources.seedfiles.password_crypto import ask_password, cbc_open, pbkdf2

STORES = ("com.authy.storage.tokens.authenticator.key", "com.authy.storage.tokens.authy.key")
KIND = "Authy token store"
ROUNDS = 1000
AUTHY_TOKEN_PERIOD = 30
AUTHY_OWN_TOKEN_PERIOD = 10


def looks_like(strings: dict[str, str]) -> bool:
    return any(name in strings for name in STORES)


def read(path: str, strings: dict[str, str], unlock: Unlock) -> Rows:
    entries: list[object] = []
    for name in STORES:
        if name in strings:
            try:
                listed = json.loads(strings[name])
            except (ValueError, RecursionError):
                raise InputError(f"{path}: a damaged Authy token store (its token list is not JSON)") from None
            if not isinstance(listed, list):
                raise InputError(f"{path}: a damaged Authy token store (no token list)")
            entries.extend(listed)
    if any(isinstance(entry, dict) and "encryptedSecret" in entry for entry in entries):
        password = ask_password(path, unlock, "Authy's token store with its secrets encrypted by Authy's backup "
                                              "password")
        entries = [_decrypted(path, entry, password) for entry in entries]
    found = read_entries(KIND, entries, _params, _label)
    note_app_defaults(found, "Authy", "algorithm or period", "SHA-1 and 30 s (10 s for Authy's own tokens)")
    return found


def _decrypted(path: str, entry: object, password: bytes) -> object:
    """The entry with its secret decrypted (a wrong password refuses the whole file: every entry shares it)."""
    if not isinstance(entry, dict) or "encryptedSecret" not in entry:
        return entry
    sealed, salt = entry.get("encryptedSecret"), entry.get("salt")
    if not isinstance(sealed, str) or not isinstance(salt, str):
        return {**entry, "encryptedSecret": None}  # reported by _params as an entry without a secret
    try:
        data = base64.b64decode(sealed, validate=True)
    except ValueError:  # binascii.Error, or text that is not ASCII
        return {**entry, "encryptedSecret": None}
    key = pbkdf2(path, password, salt.encode("utf-8"), ROUNDS, "sha1")
    secret = seed_text(cbc_open(path, "Authy token store", key, bytes(16), data))
    if secret is None:
        raise InputError(f"{path}: wrong password for this Authy token store (or the file is damaged)",
                         remedy=Remedy.SEED_FILE_PASSWORD)
    decrypted = {name: value for name, value in entry.items() if name not in ("encryptedSecret", "salt")}
    return {**decrypted, "decryptedSecret": secret}


def seed_text(plain: bytes | None) -> str | None:
    """The base32 seed an opened Authy secret holds, or None: no plain text (bad padding), or padding that fit
    by chance around text that is no seed — a wrong password, either way."""
    try:
        text = plain.decode("ascii") if plain is not None else ""
        base32_field(text)
    except (UnicodeDecodeError, InputError):
        return None
    return text


def _label(entry: Entry) -> object:
    return entry.get("name") or entry.get("originalName") or ""


def _params(entry: Entry) -> OtpParams:
    digits = entry.get("digits")
    if not isinstance(digits, int):
        raise InputError("no number of digits")
    if "secretSeed" in entry:  # one of Authy's own tokens: a hex seed, named after the service
        seed = entry.get("secretSeed")
        try:
            secret = bytes.fromhex(seed) if isinstance(seed, str) and seed else b""
        except ValueError:
            raise InputError("the secret is not hex") from None
        if not secret:
            raise InputError("no secret")
        return OtpParams(secret=secret, digits=digits, period=AUTHY_OWN_TOKEN_PERIOD, issuer=_text(entry, "name"))
    if "decryptedSecret" not in entry:
        raise InputError("no secret")
    issuer, account = display_names(entry)
    return OtpParams(secret=base32_field(entry.get("decryptedSecret")), digits=digits, period=AUTHY_TOKEN_PERIOD,
                     issuer=issuer, account=account)


def display_names(entry: Entry) -> tuple[str, str]:
    """The issuer and account, as Authy shows them: the original issuer, or the part of the original name
    before ':', or of the name before ' - ', or the account type; the account is the name without it."""
    name, original_name = _text(entry, "name"), _text(entry, "originalName")
    issuer, separator = _text(entry, "originalIssuer"), ""
    if not issuer and ":" in original_name:
        issuer, separator = original_name.split(":", 1)[0], ":"
    elif not issuer and " - " in name:
        issuer, separator = name.split(" - ", 1)[0], " - "
    elif not issuer:
        issuer = _text(entry, "accountType").capitalize()
    account = name.replace(issuer + separator, "", 1) if issuer else name
    return issuer, account.removeprefix(": ").strip()


def _text(entry: Entry, name: str) -> str:
    value = entry.get(name)
    return value if isinstance(value, str) else ""
