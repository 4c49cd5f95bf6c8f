"""Exports of the authenticator apps people move away from: Aegis (plain or encrypted vault),
2FAS (plain backup) and andOTP (plain backup). Ente Auth exports otpauth URI lists, which the
text reader takes.

Aegis's encrypted vault follows its published format (docs/vault.md in the Aegis project): the
password goes through scrypt with the slot's salt and N/r/p, the result unwraps the master key
with AES-256-GCM, and the master key decrypts the `db` text with AES-256-GCM. The
`cryptography` package does both; nothing of the format needs writing by hand except reading
the JSON fields.
"""

from __future__ import annotations

import base64
import binascii
import functools
from collections.abc import Callable
from typing import Any, cast

from otpburn.errors import InputError, Remedy
from otpburn.otp.params import Algorithm, OtpParams, OtpType
from otpburn.sources.otpauth import STEAM_REFUSAL
from otpburn.sources.seedfiles.model import (
    Entry,
    Rows,
    Unlock,
    base32_field,
    note_app_defaults,
    printable,
    read_entries,
    run_interruptibly,
)
from otpburn.sources.seedfiles.password_crypto import ask_password, decrypted_json, gcm_open, pbkdf2

# scrypt's memory is 128·N·r bytes: Aegis uses N=2^15, r=8 (32 MiB). A file may not ask for more than this.
MAX_SCRYPT_MEMORY = 256 * 1024 * 1024
MAX_SCRYPT_P = 16
# The work of one derivation is N·r·p; a vault holds a password slot and perhaps a backup-password slot, each
# usually Aegis's own N=2^15, r=8, p=1 (~0.1 s here). All of a file's slots together may ask for 8 of those.
AEGIS_SLOT_WORK = 2**15 * 8
MAX_SCRYPT_WORK = 8 * AEGIS_SLOT_WORK
KNOWN_AEGIS_CONTENT_VERSIONS = (1, 2, 3)



def looks_like_app_export(document: object) -> bool:
    if isinstance(document, dict):
        return "db" in document and "header" in document or "services" in document or \
            "servicesEncrypted" in document
    return isinstance(document, list) and any(isinstance(item, dict) and "secret" in item for item in document)


def read_app_export(path: str, document: object, unlock: Unlock) -> Rows:
    """The accounts of a parsed Aegis, 2FAS or andOTP JSON document."""
    if isinstance(document, dict) and "db" in document and "header" in document:
        return _aegis(path, document, unlock)
    if isinstance(document, dict) and ("services" in document or "servicesEncrypted" in document):
        return _two_fas(path, document, unlock)
    if isinstance(document, list):
        return _entries("andOTP backup", document, _andotp_entry)
    raise InputError(f"{path}: a JSON file otpburn does not know (it reads Aegis, 2FAS and andOTP exports)")


def _entries(kind: str, entries: list[Any], read: Callable[[Entry], OtpParams]) -> Rows:
    return read_entries(kind, entries, read, _label)


def _label(entry: Entry) -> str:
    """issuer:name of an entry for messages, printable and short (it is the file's text)."""
    otp = _object(entry.get("otp"))
    parts = [entry.get("issuer") or otp.get("issuer") or entry.get("name"),
             entry.get("label") or otp.get("account") or (entry.get("name") if "issuer" in entry else None)]
    text = ":".join(str(part) for part in parts if isinstance(part, str) and part)
    return printable(text, 60)


def _params(kind: Any, secret: Any, *, algorithm: Any = "SHA1", digits: Any = 6, period: Any = 30,
            counter: Any = 0, issuer: Any = "", account: Any = "") -> OtpParams:
    """OtpParams from an app's fields; the checks of OtpParams name any field that is wrong."""
    kind_text = str(kind or "totp").strip().lower()
    if kind_text == "steam":
        raise InputError(STEAM_REFUSAL)
    if kind_text not in ("totp", "hotp"):
        # Only names the apps use are repeated; anything else is not echoed.
        named = {"yandex": "a Yandex", "motp": "an mOTP"}.get(kind_text, "another kind of")
        raise InputError(f"{named} account, not HOTP or TOTP")
    secret_bytes = base32_field(secret)
    # OtpParams checks and converts each field, naming the one that is wrong.
    return OtpParams(secret=secret_bytes, type=OtpType(kind_text), algorithm=cast(Algorithm, algorithm or "SHA1"),
                     digits=6 if digits is None else digits, period=30 if period is None else period,
                     counter=0 if counter is None else counter, issuer=issuer or "", account=account or "")


# --- Aegis -------------------------------------------------------------------------------------------


def _object(value: object) -> Entry:
    """A JSON object, or an empty one for anything else (a field of the wrong type reads as missing)."""
    return value if isinstance(value, dict) else {}


def _aegis(path: str, vault: Entry, unlock: Unlock) -> Rows:
    header = _object(vault.get("header"))
    kind = "Aegis vault"
    db: object
    if isinstance(vault.get("db"), str):
        db = _aegis_decrypt(path, header, vault, unlock)
        kind = "Aegis vault (encrypted)"
    else:
        db = vault.get("db")
    if not isinstance(db, dict) or not isinstance(db.get("entries"), list):
        raise InputError(f"{path}: an Aegis vault without a list of entries")
    found = _entries(kind, db["entries"], _aegis_entry)
    if vault.get("version") != 1 or db.get("version") not in KNOWN_AEGIS_CONTENT_VERSIONS:
        found.notes.append("a newer Aegis vault version than otpburn knows; its entries were read by the fields "
                           "Aegis documents (type, secret, algo, digits, period, counter): compare the first code")
    return found


def _aegis_entry(entry: Entry) -> OtpParams:
    info = entry.get("info")
    if not isinstance(info, dict):
        raise InputError("no info block")
    return _params(entry.get("type"), info.get("secret"), algorithm=info.get("algo"), digits=info.get("digits"),
                   period=info.get("period"), counter=info.get("counter"), issuer=entry.get("issuer"),
                   account=entry.get("name"))


def _aegis_decrypt(path: str, header: Entry, vault: Entry, unlock: Unlock) -> Entry:
    """The decrypted contents of `vault` (its `db` text is taken out of it: a large vault is held
    once as text, then once as bytes, then as the decrypted JSON)."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    slots = header.get("slots")
    slots = [slot for slot in slots if isinstance(slot, dict) and slot.get("type") == 1] if isinstance(slots, list) \
        else []
    if not slots:
        raise InputError(f"{path}: an encrypted Aegis vault without a password slot (it opens only with the "
                         "phone's biometrics); export it from Aegis with a password")
    try:
        content = base64.b64decode(vault.pop("db"), validate=True)
        params = _hex_fields(header.get("params"), "nonce", "tag")
        slot_fields = [(_scrypt_numbers(path, slot), _hex_fields(slot, "salt", "key"),
                        _hex_fields(slot.get("key_params"), "nonce", "tag")) for slot in slots]
    except (binascii.Error, ValueError, TypeError, AttributeError):
        raise InputError(f"{path}: an encrypted Aegis vault with damaged header fields") from None
    # The file chooses the work: bounded for all its slots together, before any of it runs.
    work = sum(n * r * p for (n, r, p), _, _ in slot_fields)
    if work > MAX_SCRYPT_WORK:
        times, most = work // AEGIS_SLOT_WORK, MAX_SCRYPT_WORK // AEGIS_SLOT_WORK
        raise InputError(f"{path}: its {len(slot_fields)} password slots ask scrypt for {times} times the work of "
                         f"an Aegis vault's slot; otpburn does at most {most}")
    password = ask_password(path, unlock, "an encrypted Aegis vault")
    master_key = None
    for (n, r, p), (salt, wrapped), (nonce, tag) in slot_fields:
        derive = functools.partial(Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive, password)
        try:
            slot_key = run_interruptibly(derive)
            master_key = AESGCM(slot_key).decrypt(nonce, wrapped + tag, None)
            break
        except InvalidTag:
            continue
        except ValueError as exc:  # nonce or key lengths the format does not allow
            raise InputError(f"{path}: an encrypted Aegis vault with a damaged password slot ({exc})") from None
        except MemoryError:  # parameters OpenSSL's scrypt refuses after all
            raise InputError(f"{path}: its password slot asks scrypt for N={n}, r={r}, p={p}, which it cannot "
                             "run") from None
    if master_key is None:
        raise InputError(f"{path}: wrong password for this Aegis vault (or the vault is damaged)",
                         remedy=Remedy.SEED_FILE_PASSWORD)
    try:
        # The streaming interface, not AESGCM: it takes the tag apart, so the contents are not copied to join it.
        decryptor = Cipher(algorithms.AES(master_key), modes.GCM(params[0], params[1])).decryptor()
        plain = decryptor.update(content)
        del content
        decryptor.finalize()  # checks the tag: nothing decrypted is used before this passes
    except (InvalidTag, ValueError):
        raise InputError(f"{path}: the password is right, but the vault's contents do not decrypt (the file is "
                         "damaged)") from None
    decoded = decrypted_json(path, plain, "vault")
    if not isinstance(decoded, dict):
        raise InputError(f"{path}: the decrypted vault holds no entries")
    return decoded


def _hex_fields(block: object, *names: str) -> list[bytes]:
    if not isinstance(block, dict) or not all(isinstance(block.get(name), str) for name in names):
        raise ValueError("missing field")
    return [bytes.fromhex(block[name]) for name in names]


def _positive(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError("not a positive whole number")
    return value


def _scrypt_numbers(path: str, slot: Entry) -> tuple[int, int, int]:
    n, r, p = (_positive(slot.get(name)) for name in ("n", "r", "p"))
    # The file chooses the work: bound it before running it (Aegis itself uses 32 MiB).
    # RFC 7914 also wants N < 2^(16·r): OpenSSL refuses anything else (with a MemoryError).
    if n & (n - 1) or n < 2 or n >= 2 ** (16 * r) or 128 * n * r > MAX_SCRYPT_MEMORY or p > MAX_SCRYPT_P:
        raise InputError(f"{path}: its password slot asks scrypt for N={n}, r={r}, p={p}; otpburn runs at most "
                         f"{MAX_SCRYPT_MEMORY // 2**20} MiB and p ≤ {MAX_SCRYPT_P} (Aegis uses N=32768, r=8, p=1)")
    return n, r, p


# --- 2FAS ---------------------------------------------------------------------------------------------


def _two_fas(path: str, backup: Entry, unlock: Unlock) -> Rows:
    services = backup.get("services")
    kind = "2FAS backup"
    if backup.get("servicesEncrypted") and not services:
        services = _two_fas_decrypt(path, backup.get("servicesEncrypted"), unlock)
        kind = "2FAS backup (password-protected)"
    if not isinstance(services, list):
        raise InputError(f"{path}: a 2FAS backup without a list of services")
    found = _entries(kind, services, _two_fas_entry)
    if backup.get("schemaVersion") == 1:
        note_app_defaults(found, "2FAS's first backup format", "algorithm, digits or period",
                          "SHA-1, 6 digits and 30 s")
    return found


TWO_FAS_ROUNDS = 10_000  # PBKDF2-HMAC-SHA256, as 2FAS's apps derive the backup key


def _two_fas_decrypt(path: str, sealed: object, unlock: Unlock) -> object:
    """A password-protected 2FAS backup's services (schemas 2–4): `servicesEncrypted` is
    base64(ciphertext and GCM tag) ":" base64(salt) ":" base64(nonce); the key is PBKDF2-HMAC-SHA256 of the
    password over the salt, 10 000 rounds, 32 bytes (as 2FAS's Android and iOS apps write it)."""
    app = "a password-protected 2FAS backup"
    try:
        ciphertext, salt, nonce = (base64.b64decode(part, validate=True) for part in str(sealed).split(":"))
    except (ValueError, binascii.Error):
        raise InputError(f"{path}: {app} whose encrypted part is damaged") from None
    key = pbkdf2(path, ask_password(path, unlock, app), salt, TWO_FAS_ROUNDS,
                                 "sha256")
    return decrypted_json(path, gcm_open(path, "2FAS backup", key, nonce, ciphertext), "2FAS backup")


def _two_fas_entry(service: Entry) -> OtpParams:
    otp = _object(service.get("otp"))
    return _params(otp.get("tokenType"), service.get("secret"), algorithm=otp.get("algorithm"),
                   digits=otp.get("digits"), period=otp.get("period"), counter=otp.get("counter"),
                   issuer=otp.get("issuer") or service.get("name"), account=otp.get("account"))


# --- andOTP -------------------------------------------------------------------------------------------


def read_andotp(entries: list[Any], kind: str = "andOTP backup") -> Rows:
    return _entries(kind, entries, _andotp_entry)


def _andotp_entry(entry: Entry) -> OtpParams:
    issuer, account = entry.get("issuer"), entry.get("label")
    if not issuer and isinstance(account, str) and ":" in account:  # older backups: "issuer:account" labels
        issuer, account = account.split(":", 1)
    return _params(entry.get("type"), entry.get("secret"), algorithm=entry.get("algorithm"),
                   digits=entry.get("digits"), period=entry.get("period"), counter=entry.get("counter"),
                   issuer=issuer, account=account)
