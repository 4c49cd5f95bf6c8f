"""Bitwarden's exports: the unencrypted JSON (`"encrypted": false`, an `items` list whose logins carry a
`totp` field) and the CSV (`login_totp` column); and KeePassXC's CSV export, whose `TOTP` column holds the
same kind of key (KeePassXC's user guide, "Exporting Databases"; an entry's otpauth link, as KeePassXC
stores it in its `otp` attribute).

Sources: Bitwarden's help pages "Export Vault Data" and "Condition a Bitwarden .csv or .json" (the JSON and
CSV layouts), and "Integrated Authenticator" (what `totp` may hold: an otpauth:// URI, a bare base32 key —
TOTP, SHA-1, 6 digits, 30 s, as Bitwarden computes it — or a steam:// key). A password-protected or
account-restricted export is encrypted with keys otpburn does not derive: it is named, with what to export
instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from otpburn.errors import InputError
from otpburn.otp.codec import decode_base32
from otpburn.otp.params import OtpParams
from otpburn.sources.otpauth import STEAM_REFUSAL, parse_uri
from otpburn.sources.seedfiles.model import Rows, SeedRecord, printable

KIND_JSON, KIND_CSV = "Bitwarden export (JSON)", "Bitwarden export (CSV)"
KIND_KEEPASSXC = "KeePassXC export (CSV)"


def looks_like(document: object) -> bool:
    return isinstance(document, dict) and "encrypted" in document and ("items" in document or "data" in document)


def read_json(path: str, document: dict[str, Any]) -> Rows:
    if document.get("encrypted") is not False or not isinstance(document.get("items"), list):
        raise InputError(f"{path}: an encrypted Bitwarden export; otpburn reads Bitwarden's unencrypted .json "
                         "export (export it, load it, then delete it)")
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
        where = f"item {number}" + (f" ({printable(name, 60)})" if name else "")
        try:
            found.records.append(SeedRecord("", totp_params(totp, name, username), number, unit="item"))
        except InputError as exc:
            found.problems.append(f"{where}: {exc.message}")
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
