"""TOTP Authenticator's backup file (BinaryBoot's Android app, com.authenticator.authservice2).

The file is one line of base64: AES-256-CBC with a zero IV and PKCS#7 padding, keyed with SHA-256 of the
backup password — of the text `TotpAuthenticator` when the user set none. It decrypts to a JSON object whose
one name is the JSON list of accounts (its value is the backup's time). An account holds its secret under `key`
in the encoding `base` names (16, 32 or 64), `digits` and `period` as text, `issuer` and `name`; no algorithm:
the app computes SHA-1 codes.

The app's own data (shared_prefs/TOTP_Authenticator_Preferences.xml, from a rooted or backed-up phone) keeps the
same list, unencrypted, under `STATIC_TOTP_CODES_LIST`.

Sources: Aegis's TotpAuthenticatorImporter and its test file totp_authenticator.bin (password "Testtest1"),
which decrypts here to the accounts Aegis checks it against.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re

from otpburn.errors import InputError, Remedy
from otpburn.otp.params import OtpParams
from otpburn.sources.seedfiles.model import (
    Entry,
    Rows,
    Unlock,
    base32_field,
    note_app_defaults,
    read_entries,
    refuse_bloated_json,
)
from otpburn.sources.seedfiles.password_crypto import cbc_open, password_text
from otpburn.untrusted import ascii_number

KIND = "TOTP Authenticator backup"
PREFERENCE = "STATIC_TOTP_CODES_LIST"  # the app's own store of the list, in its shared preferences
# What the app encrypts with when the user sets no password: public, in the app and in every importer of it.
APP_DEFAULT_PASSWORD = "TotpAuthenticator"  # noqa: S105
_BASE64_LINE = re.compile(rb"[A-Za-z0-9+/]{40,}={0,2}")
_BASE32_ONLY = re.compile(rb"[A-Z2-7=]+")


def looks_like(text: bytes) -> bool:
    """One line of base64 whose bytes fill whole AES blocks, with a character base32 has not (so a file holding
    a bare base32 secret is never taken for it)."""
    line = text.strip()
    return (_BASE64_LINE.fullmatch(line) is not None and _BASE32_ONLY.fullmatch(line) is None
            and len(line) % 4 == 0 and len(base64.b64decode(line)) % 16 == 0)


def read(path: str, text: bytes, unlock: Unlock) -> Rows:
    sealed = base64.b64decode(text.strip())
    accounts = _decrypted(path, sealed, APP_DEFAULT_PASSWORD)  # a backup made without a password: no question
    if accounts is None:
        password = password_text(path, unlock, "a password-protected TOTP Authenticator backup")
        accounts = _decrypted(path, sealed, password)
        if accounts is None:
            raise InputError(f"{path}: wrong password for this TOTP Authenticator backup (or the file is damaged)",
                             remedy=Remedy.SEED_FILE_PASSWORD)
    return _rows(accounts, KIND)


def read_preferences(path: str, strings: dict[str, str]) -> Rows:
    """The app's own store: the account list in its shared preferences, unencrypted."""
    accounts = _accounts(strings[PREFERENCE].encode("utf-8"))
    if accounts is None:
        raise InputError(f"{path}: TOTP Authenticator's data, but its account list is damaged")
    return _rows(accounts, "TOTP Authenticator app data")


def _rows(accounts: list[object], kind: str) -> Rows:
    found = read_entries(kind, accounts, _params, _label)
    note_app_defaults(found, "TOTP Authenticator", "algorithm", "SHA-1")
    return found


def _decrypted(path: str, sealed: bytes, password: str) -> list[object] | None:
    """The accounts, or None when the password does not open the file."""
    key = hashlib.sha256(password.encode("utf-8")).digest()
    try:
        plain = cbc_open(path, KIND, key, bytes(16), sealed)
    except InputError:
        return None
    refuse_bloated_json(path, plain)
    try:
        document = json.loads(plain)
    except (ValueError, RecursionError):
        return None
    if not isinstance(document, dict) or not document:
        return None
    return _accounts(next(iter(document)).encode("utf-8"))


def _accounts(listed_text: bytes) -> list[object] | None:
    """The JSON list of accounts (each an object, or the text of one), or None if it is not one."""
    try:
        listed = json.loads(listed_text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(listed, list):
        return None
    return [_object(entry) for entry in listed]


def _object(entry: object) -> object:
    """An account, kept as an object or as the text of one (the app has written both)."""
    if isinstance(entry, str):
        try:
            return json.loads(entry)
        except (ValueError, RecursionError):
            return None
    return entry


def _label(entry: Entry) -> object:
    return ":".join(part for part in (entry.get("issuer"), entry.get("name")) if isinstance(part, str) and part)


def _params(entry: Entry) -> OtpParams:
    return OtpParams(secret=_secret(entry.get("base"), entry.get("key")), digits=_number(entry, "digits", 6),
                     period=_number(entry, "period", 30), issuer=_text(entry, "issuer"), account=_text(entry, "name"))


def _secret(base: object, value: object) -> bytes:
    if not isinstance(value, str) or not value:
        raise InputError("no secret")
    if base == 32:
        return base32_field(value)
    try:
        if base == 16:
            return bytes.fromhex(value)
        if base == 64:
            return base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error):
        raise InputError(f"the secret is not base {base}") from None
    raise InputError("a secret in an encoding TOTP Authenticator does not define")


def _number(entry: Entry, name: str, default: int) -> int:
    """`digits` and `period` are kept as text ("6"); an account without them has the app's default."""
    value = entry.get(name, default)
    number = ascii_number(value, 9) if isinstance(value, str) else None
    if number is not None:
        return number
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise InputError(f"its {name} setting is not a number")


def _text(entry: Entry, name: str) -> str:
    value = entry.get(name)
    return value if isinstance(value, str) else ""
