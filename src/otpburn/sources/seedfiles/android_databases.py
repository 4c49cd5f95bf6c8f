"""Authenticator apps' own databases, copied from a rooted or backed-up Android phone.

- Google Authenticator's `databases` file: an SQLite table `accounts` with `email` (the account name),
  `secret` (base32), `counter`, `type` (0 TOTP, 1 HOTP), `issuer` and `original_name`; every account is
  6-digit SHA-1 with a 30-second step (the app has no other settings).
- Microsoft Authenticator's `PhoneFactor`: table `accounts` with `name` (the issuer), `username`,
  `oath_secret_key` and `account_type` — 0 an account added from a QR code (base32 key, 6 digits), 1 a
  Microsoft personal account (base64 key, 8 digits), both SHA-1 every 30 s; other types are work accounts
  signed in by push, with no OATH key (source: Aegis's MicrosoftAuthImporter and its test database).
- Stratum's (Authenticator Pro's) `authenticator.db3`: table `authenticator` with the backup's fields as
  columns (source: Aegis's StratumImporter), read like the backup.

The file is opened read-only, from a private copy, through Python's sqlite3 (no extension loading, no
triggers run on read).
"""

from __future__ import annotations

import base64
import itertools
import os
import sqlite3
import tempfile

from otpburn.errors import InputError
from otpburn.otp.params import Algorithm, OtpParams, OtpType
from otpburn.sources.seedfiles.authenticator_pro import read as authenticator_pro_read
from otpburn.sources.seedfiles.model import Rows, add_record, base32_field, note_app_defaults

SQLITE_HEADER = b"SQLite format 3\x00"
MAX_ACCOUNTS = 100_000


def read(path: str, data: bytes) -> Rows:
    with tempfile.TemporaryDirectory(prefix="otpburn-db-") as folder:  # 0700: the copy holds the seeds
        copy = os.path.join(folder, "accounts.db")
        with open(os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as stream:
            stream.write(data)
        try:
            connection = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
        except sqlite3.Error:
            raise InputError(f"{path}: a damaged SQLite database") from None
        try:
            return _accounts(path, connection)
        except sqlite3.DatabaseError:
            raise InputError(f"{path}: a damaged SQLite database") from None
        except UnicodeDecodeError:  # SQLite's error for a schema it cannot parse quoted bytes that are not UTF-8
            raise InputError(f"{path}: a damaged SQLite database (text in it is not UTF-8)") from None
        finally:
            connection.close()


def _columns(connection: sqlite3.Connection, table: str) -> set[str]:
    return {str(row[1]) for row in connection.execute(f"PRAGMA table_info({table})")}  # noqa: S608 (a fixed name)


def _accounts(path: str, connection: sqlite3.Connection) -> Rows:
    columns = _columns(connection, "accounts")
    if {"oath_secret_key", "account_type"} <= columns:
        return _microsoft(connection, columns)
    if {"secret", "type", "algorithm", "digits", "period"} <= _columns(connection, "authenticator"):
        return _stratum(connection)
    if not {"email", "secret"} <= columns:
        raise InputError(f"{path}: an SQLite database otpburn does not know (it reads Google Authenticator's, "
                         "Microsoft Authenticator's and Stratum's)")
    wanted = [name if name in columns else "NULL" for name in ("email", "secret", "counter", "type", "issuer",
                                                               "original_name")]
    query = f"SELECT {', '.join(wanted)} FROM accounts ORDER BY _id" if "_id" in columns else \
        f"SELECT {', '.join(wanted)} FROM accounts"  # noqa: S608 (column names from the fixed list above)
    found = Rows(kind="Google Authenticator database")
    for number, (email, secret, counter, kind, issuer, original) in enumerate(
            itertools.islice(connection.execute(query), MAX_ACCOUNTS), start=1):  # row by row, not all at once
        account = email if isinstance(email, str) else original if isinstance(original, str) else ""
        add_record(found, number, "account", account, _google_params, secret, kind, counter, issuer, account)
    note_app_defaults(found, "Google Authenticator's database", "algorithm, digits or period",
                      "SHA-1, 6 digits and 30 s")
    return found


def _google_params(secret: object, kind: object, counter: object, issuer: object, account: str) -> OtpParams:
    hotp = kind == 1
    return OtpParams(base32_field(secret), OtpType.HOTP if hotp else OtpType.TOTP, Algorithm.SHA1, 6, 30,
                     counter if hotp and isinstance(counter, int) else 0, issuer if isinstance(issuer, str) else "",
                     account)  # by position: keywords cost a quarter more


def _microsoft(connection: sqlite3.Connection, columns: set[str]) -> Rows:
    wanted = ", ".join(name if name in columns else "NULL" for name in ("name", "username", "oath_secret_key",
                                                                          "account_type"))
    order = " ORDER BY _id" if "_id" in columns else ""
    found = Rows(kind="Microsoft Authenticator database")
    push = 0
    for number, (issuer, username, secret, kind) in enumerate(
            itertools.islice(connection.execute(f"SELECT {wanted} FROM accounts{order}"), MAX_ACCOUNTS),  # noqa: S608
            start=1):
        if kind not in (0, 1):
            push += 1
            continue
        issuer, username = (issuer if isinstance(issuer, str) else ""), (username if isinstance(username, str) else "")
        add_record(found, number, "account", issuer, _microsoft_params, secret, kind, issuer, username)
    note_app_defaults(found, "Microsoft Authenticator's database", "algorithm or period", "SHA-1 and 30 s")
    if push:
        found.notes.append(f"{push} work or school account(s) signed in by push hold no OTP key and were left out")
    return found


def _microsoft_params(secret: object, kind: object, issuer: str, username: str) -> OtpParams:
    """Type 0: an account added from a QR code (base32, 6 digits); type 1: a Microsoft personal account (base64,
    8 digits)."""
    return OtpParams(base32_field(secret) if kind == 0 else _base64_field(secret), OtpType.TOTP, Algorithm.SHA1,
                     6 if kind == 0 else 8, 30, 0, issuer, username)  # by position: keywords cost a quarter more


def _base64_field(value: object) -> bytes:
    if not isinstance(value, str) or not value:
        raise InputError("no secret")
    try:
        return base64.b64decode(value, validate=True)
    except ValueError:  # binascii.Error, or text that is not ASCII
        raise InputError("the secret is not base64") from None


def _stratum(connection: sqlite3.Connection) -> Rows:
    names = ("Type", "Issuer", "Username", "Secret", "Algorithm", "Digits", "Period", "Counter")
    rows = connection.execute("SELECT type, issuer, username, secret, algorithm, digits, period, counter "
                              "FROM authenticator ORDER BY ranking, rowid").fetchmany(MAX_ACCOUNTS)
    return authenticator_pro_read({"Authenticators": [dict(zip(names, row, strict=True)) for row in rows]},
                                  "Stratum database")
