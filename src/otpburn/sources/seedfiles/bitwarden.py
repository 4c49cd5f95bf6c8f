"""Bitwarden's exports: the unencrypted JSON (`"encrypted": false`, an `items` list whose logins carry a
`totp` field) and the CSV (`login_totp` column); and KeePassXC's CSV export, whose `TOTP` column holds the
same kind of key (KeePassXC's user guide, "Exporting Databases"; an entry's otpauth link, as KeePassXC
stores it in its `otp` attribute).

Sources: Bitwarden's help pages "Export Vault Data" and "Condition a Bitwarden .csv or .json" (the JSON and
CSV layouts), and "Integrated Authenticator" (what `totp` may hold: an otpauth:// URI, a bare base32 key —
TOTP, SHA-1, 6 digits, 30 s, as Bitwarden computes it — or a steam:// key).

A password-protected export ("Encrypted Exports": `encrypted` and `passwordProtected` true, `salt`, `kdfType`,
`kdfIterations`, `kdfMemory` in MiB, `kdfParallelism`, `encKeyValidation_DO_NOT_EDIT`, `data`) is opened as
Bitwarden's SDK writes it (bitwarden-exporters' encrypted_json.rs, bitwarden-crypto): the password's key is
PBKDF2-HMAC-SHA256 over the salt's text (kdfType 0) or Argon2id over SHA-256 of it (kdfType 1), stretched with
HKDF-Expand-SHA256 into an encryption key ("enc") and a MAC key ("mac"); each value is an EncString
`2.<iv>|<data>|<mac>`: AES-256-CBC, its HMAC-SHA256 over IV and data checked first. The validation string opens
first, so a wrong password is named before the data is touched. An account-restricted export is sealed with
the account's own key: named, with what to export instead.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import Any

from otpburn.errors import InputError, Remedy
from otpburn.otp.codec import decode_base32
from otpburn.otp.params import OtpParams
from otpburn.sources.otpauth import STEAM_REFUSAL, parse_uri
from otpburn.sources.seedfiles.model import Rows, SeedRecord, Unlock, add_record
from otpburn.sources.seedfiles.password_crypto import (
    argon2id,
    ask_password,
    cbc_open,
    decrypted_json,
    pbkdf2,
    refuse_costly_argon2id,
)

KIND_JSON, KIND_CSV = "Bitwarden export (JSON)", "Bitwarden export (CSV)"
KIND_PROTECTED = "Bitwarden export (password-protected)"
APP = "password-protected Bitwarden export"
KIND_KEEPASSXC = "KeePassXC export (CSV)"


def looks_like(document: object) -> bool:
    return isinstance(document, dict) and "encrypted" in document and ("items" in document or "data" in document)


def read_json(path: str, document: dict[str, Any], unlock: Unlock) -> Rows:
    if document.get("encrypted") is True and document.get("passwordProtected") is True:
        opened = _decrypted_export(path, document, unlock)
        found = read_json(path, opened, Unlock())
        found.kind = KIND_PROTECTED
        return found
    if document.get("encrypted") is not False or not isinstance(document.get("items"), list):
        raise InputError(f"{path}: a Bitwarden export restricted to its account (sealed with the account's own "
                         "key); export again as \"Password protected\" or unencrypted .json, load it, then delete "
                         "it")
    found = Rows(kind=KIND_JSON)
    without = 0
    for number, item in enumerate(document["items"], start=1):
        login = item.get("login") if isinstance(item, dict) else None
        totp = login.get("totp") if isinstance(login, dict) else None
        if not totp:
            without += 1
            continue
        assert isinstance(item, dict) and isinstance(login, dict)  # noqa: S101 (a totp was found in them)
        name, username = item.get("name"), login.get("username")
        name = name if isinstance(name, str) else ""
        username = username if isinstance(username, str) else ""
        add_record(found, number, "item", name, totp_params, totp, name, username)
    if without:
        found.notes.append(f"{without} item(s) hold no TOTP key and were left out")
    return found


# Password managers' CSV exports with a column of OTP keys: (the kind read, OTP column, name, user name).
CSV_LAYOUTS = ((KIND_CSV, "login_totp", "name", "login_username"),
               (KIND_KEEPASSXC, "totp", "title", "username"))


def csv_reader(header: list[str]) -> tuple[str, Callable[[int, list[str]], SeedRecord | None]] | None:
    """The kind and a row reader for a password manager's CSV export (Bitwarden's login_totp, KeePassXC's TOTP
    column), or None for other CSVs."""
    names = [cell.lower() for cell in header]
    for kind, otp_column, name_column, user_column in CSV_LAYOUTS:
        if otp_column in names and name_column in names:
            return kind, _row_reader(names.index(otp_column), names.index(name_column),
                                     names.index(user_column) if user_column in names else None)
    return None


def _row_reader(totp_at: int, name_at: int, user_at: int | None) -> Callable[[int, list[str]], SeedRecord | None]:
    def read_row(number: int, row: list[str]) -> SeedRecord | None:
        totp = row[totp_at] if len(row) > totp_at else ""
        if not totp:
            return None  # a login without a TOTP key
        name = row[name_at] if len(row) > name_at else ""
        user = row[user_at] if user_at is not None and len(row) > user_at else ""
        return SeedRecord("", totp_params(totp, name, user), number)

    return read_row


def _decrypted_export(path: str, document: dict[str, Any], unlock: Unlock) -> dict[str, Any]:
    salt, kdf, rounds = document.get("salt"), document.get("kdfType"), document.get("kdfIterations")
    if not isinstance(salt, str) or type(kdf) is not int or kdf not in (0, 1) or type(rounds) is not int:
        raise InputError(f"{path}: a {APP} whose key derivation otpburn does not know")
    if kdf == 1:
        memory_mib, lanes = document.get("kdfMemory"), document.get("kdfParallelism")
        if type(memory_mib) is not int or type(lanes) is not int:
            raise InputError(f"{path}: a damaged {APP} (its Argon2id memory or parallelism is missing)")
        digest = hashlib.sha256(salt.encode("utf-8")).digest()
        refuse_costly_argon2id(path, passes=rounds, memory_kib=memory_mib * 1024, lanes=lanes, salt=digest)
        key = argon2id(path, ask_password(path, unlock, f"a {APP}"), digest, passes=rounds,
                       memory_kib=memory_mib * 1024, lanes=lanes)
    else:
        key = pbkdf2(path, ask_password(path, unlock, f"a {APP}"), salt.encode("utf-8"), rounds, "sha256")
    keys = _stretched(key)
    if _open_enc_string(document.get("encKeyValidation_DO_NOT_EDIT"), *keys) is None:
        raise InputError(f"{path}: wrong password for this {APP} (or the file is damaged)",
                         remedy=Remedy.SEED_FILE_PASSWORD)
    plain = _open_enc_string(document.get("data"), *keys)
    if plain is None:
        raise InputError(f"{path}: a damaged {APP} (its data does not open with the password that opens its "
                         "validation string)")
    opened = decrypted_json(path, plain, "Bitwarden export")
    if not isinstance(opened, dict):
        raise InputError(f"{path}: the decrypted Bitwarden export holds no items")
    return opened


def _stretched(key: bytes) -> tuple[bytes, bytes]:
    """Bitwarden's stretched key: HKDF-Expand-SHA256 of the derived key into 32 bytes for AES, 32 for the MAC."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

    return (HKDFExpand(hashes.SHA256(), 32, b"enc").derive(key), HKDFExpand(hashes.SHA256(), 32, b"mac").derive(key))


def _open_enc_string(value: object, enc_key: bytes, mac_key: bytes) -> bytes | None:
    """A type-2 EncString (`2.<iv>|<data>|<mac>`, base64 each), or None when its MAC does not match."""
    if not isinstance(value, str) or not value.startswith("2."):
        return None
    parts = value[2:].split("|")
    if len(parts) != 3:
        return None
    try:
        iv, data, mac = (base64.b64decode(part, validate=True) for part in parts)
    except ValueError:  # binascii.Error, or text that is not ASCII
        return None
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, hmac

    check = hmac.HMAC(mac_key, hashes.SHA256())
    check.update(iv + data)
    try:
        check.verify(mac)
    except InvalidSignature:
        return None
    try:
        return cbc_open("", "", enc_key, iv, data)
    except InputError:  # the MAC matched, so only a file written wrongly gets here
        return None


def totp_params(value: object, name: str, username: str) -> OtpParams:
    """A login's TOTP field: an otpauth URI, a steam:// key (refused), or a bare base32 key."""
    text = str(value).strip()
    if text.lower().startswith("otpauth://"):
        params = parse_uri(text)
        return params if params.issuer or not name else params.replace(issuer=name)
    if text.lower().startswith("steam://"):
        raise InputError(STEAM_REFUSAL)
    try:
        secret = decode_base32(text)
    except InputError:
        raise InputError("the TOTP key is neither an otpauth link nor base32") from None
    return OtpParams(secret=secret, issuer=name, account=username)
