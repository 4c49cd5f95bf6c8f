"""FreeOTP's token store (v1: the app's `tokens.xml` shared preferences, from a backup of the app) and
FreeOTP+'s JSON export (`freeotp-backup.json`).

Both hold one JSON object per token — `algo`, `type` (TOTP or HOTP), `secret` as a list of signed bytes,
`digits`, `period`, `counter`, `issuerExt`, `label` — as FreeOTP's Token class serialises it; v1 keeps each
under its `issuer:label` name next to a `tokenOrder` list, FreeOTP+ in a `tokens` list (sources: FreeOTP's
and FreeOTP+'s Token classes; the example tokens.xml of viljoviitanen/freeotp-export). FreeOTP 2 seals
its secrets with a key kept under `masterKey`, wrapped by the backup password: such a file is named, not
read.
"""

from __future__ import annotations

import json
from typing import Any, cast

from otpburn.errors import InputError
from otpburn.otp.params import Algorithm, OtpParams, OtpType
from otpburn.sources.seedfiles.model import Entry, Rows, read_entries


def looks_like_plus(document: object) -> bool:
    return isinstance(document, dict) and isinstance(document.get("tokens"), list) and "tokenOrder" in document


def read_plus(document: dict[str, Any]) -> Rows:
    return read_entries("FreeOTP+ export", document["tokens"], _params, _label)


def read_v1(path: str, strings: dict[str, str]) -> Rows:
    """FreeOTP's token store, from its string preferences."""
    if "masterKey" in strings:
        raise InputError(f"{path}: FreeOTP 2's encrypted token store; otpburn does not open it yet: show each "
                         "token's QR code in FreeOTP (or export from FreeOTP+) instead")
    tokens = [_json(text) for name, text in strings.items() if name != "tokenOrder"]
    return read_entries("FreeOTP token file", tokens, _params, _label)


def _json(text: str) -> object:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None  # counted as an entry that is not a token


def _names(token: Entry) -> tuple[str, str]:
    issuer, label = token.get("issuerExt") or token.get("issuerInt"), token.get("label")
    return issuer if isinstance(issuer, str) else "", label if isinstance(label, str) else ""


def _label(token: Entry) -> str:
    return ":".join(part for part in _names(token) if part)


def _params(token: Entry) -> OtpParams:
    issuer, label = _names(token)
    secret = token.get("secret")
    if not isinstance(secret, list) or not secret or not all(isinstance(b, int) and -128 <= b <= 255
                                                              for b in secret):
        raise InputError("no secret (FreeOTP keeps it as a list of bytes)")
    kind = str(token.get("type") or "TOTP").lower()
    if kind not in ("totp", "hotp"):
        raise InputError("not an HOTP or TOTP token")
    return OtpParams(secret=bytes(b & 0xFF for b in secret), type=OtpType(kind),
                     algorithm=cast(Algorithm, token.get("algo") or "SHA1"),  # OtpParams converts and checks
                     digits=token.get("digits", 6), period=token.get("period", 30), counter=token.get("counter", 0),
                     issuer=issuer, account=label)  # OtpParams refuses control characters
