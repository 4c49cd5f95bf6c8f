"""LastPass Authenticator's JSON export (`version` 3, an `accounts` list with `issuerName`, `userName`,
`secret` in base32, `timeStep`, `digits`, `algorithm`), as 2FAS's iOS app and Bitwarden Authenticator import
it (their LastPassData / LastPassJsonExport models). Every account is TOTP."""

from __future__ import annotations

from typing import Any, cast

from otpburn.errors import InputError
from otpburn.otp.codec import decode_base32
from otpburn.otp.params import Algorithm, OtpParams
from otpburn.sources.seedfiles.model import Rows, SeedRecord, printable


def looks_like(document: object) -> bool:
    return isinstance(document, dict) and isinstance(document.get("accounts"), list) and (
        "deviceId" in document or "localDeviceId" in document or any(
            isinstance(a, dict) and "issuerName" in a for a in document["accounts"][:5]))


def read(document: dict[str, Any]) -> Rows:
    found = Rows(kind="LastPass Authenticator export")
    for number, account in enumerate(document["accounts"], start=1):
        if not isinstance(account, dict):
            found.problems.append(f"entry {number}: not an account")
            continue
        issuer = account.get("issuerName") or account.get("originalIssuerName") or ""
        user = account.get("userName") or account.get("originalUserName") or ""
        label = printable(f"{issuer}:{user}", 60)
        where = f"entry {number}" + (f" ({label})" if issuer or user else "")
        try:
            secret = account.get("secret")
            if not isinstance(secret, str) or not secret.strip():
                raise InputError("no secret")
            try:
                secret_bytes = decode_base32(secret)
            except InputError:
                raise InputError("the secret is not base32") from None
            params = OtpParams(secret=secret_bytes, algorithm=cast(Algorithm, account.get("algorithm") or "SHA1"),
                               digits=account.get("digits", 6), period=account.get("timeStep") or 30,
                               issuer=issuer if isinstance(issuer, str) else "",
                               account=user if isinstance(user, str) else "")
        except InputError as exc:
            found.problems.append(f"{where}: {exc.message}")
            continue
        found.records.append(SeedRecord("", params, number, unit="entry"))
    return found
