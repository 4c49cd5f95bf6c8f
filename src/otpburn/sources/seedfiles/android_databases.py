"""Authenticator apps' own databases, copied from a rooted or backed-up Android phone.

Google Authenticator's `databases` file: an SQLite table `accounts` with `email` (the account name),
`secret` (base32), `counter`, `type` (0 TOTP, 1 HOTP), `issuer` and `original_name`; every account is
6-digit SHA-1 with a 30-second step (the app has no other settings). Microsoft Authenticator's
`PhoneFactor` database keeps its OATH keys in `accounts.oath_secret_key` beside Microsoft's own push
accounts: it is named, with what to do instead, since its columns are not published. The file is opened
read-only, from a private copy, through Python's sqlite3 (no extension loading, no triggers run on read).
"""

from __future__ import annotations

import os
import sqlite3
import tempfile

from otpburn.errors import InputError
from otpburn.otp.params import OtpParams, OtpType
from otpburn.sources.seedfiles.model import Rows, SeedRecord, base32_field, printable

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
        finally:
            connection.close()


def _columns(connection: sqlite3.Connection, table: str) -> set[str]:
    return {str(row[1]) for row in connection.execute(f"PRAGMA table_info({table})")}  # noqa: S608 (a fixed name)


def _accounts(path: str, connection: sqlite3.Connection) -> Rows:
    columns = _columns(connection, "accounts")
    if "oath_secret_key" in columns:
        raise InputError(f"{path}: Microsoft Authenticator's database; otpburn does not read it: show each "
                         "account's QR code again on the service's site and scan that")
    if not {"email", "secret"} <= columns:
        raise InputError(f"{path}: an SQLite database that is not Google Authenticator's (no accounts table with "
                         "email and secret)")
    wanted = [name if name in columns else "NULL" for name in ("email", "secret", "counter", "type", "issuer",
                                                               "original_name")]
    query = f"SELECT {', '.join(wanted)} FROM accounts ORDER BY _id" if "_id" in columns else \
        f"SELECT {', '.join(wanted)} FROM accounts"  # noqa: S608 (column names from the fixed list above)
    found = Rows(kind="Google Authenticator database")
    for number, (email, secret, counter, kind, issuer, original) in enumerate(
            connection.execute(query).fetchmany(MAX_ACCOUNTS), start=1):
        account = email if isinstance(email, str) else original if isinstance(original, str) else ""
        where = f"account {number}" + (f" ({printable(account, 60)})" if account else "")
        try:
            params = OtpParams(secret=base32_field(secret), type=OtpType.HOTP if kind == 1 else OtpType.TOTP,
                               counter=counter if isinstance(counter, int) and kind == 1 else 0,
                               issuer=issuer if isinstance(issuer, str) else "", account=account)
        except InputError as exc:
            found.problems.append(f"{where}: {exc.message}")
            continue
        found.records.append(SeedRecord("", params, number, unit="account"))
    return found
