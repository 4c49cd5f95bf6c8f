"""LastPass Authenticator's JSON export (`version` 3, an `accounts` list with `issuerName`, `userName`,
`secret` in base32, `timeStep`, `digits`, `algorithm`), as 2FAS's iOS app and Bitwarden Authenticator import
it (their LastPassData / LastPassJsonExport models). Every account is TOTP."""

from __future__ import annotations

from typing import Any, cast

from otpburn.otp.params import Algorithm, OtpParams
from otpburn.sources.seedfiles.model import Entry, Rows, base32_field, read_entries


def looks_like(document: object) -> bool:
    return isinstance(document, dict) and isinstance(document.get("accounts"), list) and (
        "deviceId" in document or "localDeviceId" in document or any(
            isinstance(a, dict) and "issuerName" in a for a in document["accounts"][:5]))


def read(document: dict[str, Any]) -> Rows:
    return read_entries("LastPass Authenticator export", document["accounts"], _params, _label)


def _names(account: Entry) -> tuple[str, str]:
    issuer = account.get("issuerName") or account.get("originalIssuerName")
    user = account.get("userName") or account.get("originalUserName")
    return issuer if isinstance(issuer, str) else "", user if isinstance(user, str) else ""


def _label(account: Entry) -> str:
    return ":".join(part for part in _names(account) if part)


def _params(account: Entry) -> OtpParams:
    issuer, user = _names(account)
    return OtpParams(secret=base32_field(account.get("secret")),
                     algorithm=cast(Algorithm, account.get("algorithm") or "SHA1"), digits=account.get("digits", 6),
                     period=account.get("timeStep") or 30, issuer=issuer, account=user)
