"""otpauth:// Key URI parsing and formatting (Google's Key URI Format).

Strict where a mistake would burn a wrong seed (scheme, type, secret, numbers),
tolerant of what real sites emit (lower-case algorithm, issuer only in the label,
`+` or `%20` for spaces in parameters, padding or spaces in the secret).

`+` in the *label* stays a plus sign (RFC 3986 paths), because e-mail addresses
such as `alice+2fa@example.com` are common account names; in the query string it
is a space, as HTML forms encode it.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from otpburn.errors import InputError
from otpburn.otp.codec import decode_base32, encode_base32
from otpburn.otp.params import Algorithm, OtpParams, OtpType
from otpburn.untrusted import ascii_number

SCHEME = "otpauth"
_KNOWN_SINGLE = ("secret", "issuer", "algorithm", "digits", "period", "counter", "encoder")
STEAM_REFUSAL = ("this is a Steam Guard account: Steam's codes are 5 characters from its own alphabet, which no OATH "
                 "hardware token shows, so a token burned with it would never be accepted; keep it in the Steam app")


def is_otpauth(text: str) -> bool:
    return text.strip().lower().startswith(SCHEME + ":")


_CONTROL = re.compile(r"[\x00-\x1f]")


def parse_uri(text: str) -> OtpParams:
    """Parse an otpauth URI into OtpParams, or raise InputError naming what is wrong."""
    uri = text.strip()
    if not uri:
        raise InputError("the otpauth URI is empty")
    if _CONTROL.search(uri):
        raise InputError("the otpauth URI contains control characters (was it pasted across lines?)")
    try:
        parts = urlsplit(uri)
    except ValueError as exc:
        raise InputError(f"not a valid URI: {exc}") from None
    if parts.scheme.lower() != SCHEME:
        shown = parts.scheme or "(none)"
        raise InputError(f"the URI scheme is {shown!r}, expected 'otpauth'")
    if not uri[len(parts.scheme) + 1 :].startswith("//"):
        raise InputError("an otpauth URI starts with 'otpauth://'")
    kind = parts.netloc.lower()
    if kind == "steam":  # Aegis and andOTP write Steam Guard accounts this way
        raise InputError(STEAM_REFUSAL)
    if kind not in ("totp", "hotp"):
        if not kind:
            raise InputError("the otpauth URI names no type: expected otpauth://totp/... or otpauth://hotp/...")
        raise InputError(f"unsupported OTP type {parts.netloc!r}: expected 'totp' or 'hotp'")
    otp_type = OtpType(kind)

    label_issuer, account = _parse_label(parts.path)
    query = _parse_query(parts.query)

    encoder = query.get("encoder", "").strip().lower()
    if encoder == "steam":
        raise InputError(STEAM_REFUSAL)
    if encoder:
        shown = f" ({encoder})" if encoder.isalnum() and len(encoder) <= 20 else ""
        raise InputError(f"the account's codes use a non-standard encoder{shown}, not the RFC 4226/6238 digits "
                         "a hardware token shows; a token burned with it would never be accepted")
    if "secret" not in query or not query["secret"].strip():
        raise InputError("the otpauth URI has no secret parameter")
    try:
        secret = decode_base32(query["secret"])
    except InputError as exc:
        raise InputError(f"the secret parameter is not valid base32: {exc.message}") from None

    issuer = query.get("issuer", "").strip() or label_issuer
    algorithm = Algorithm.parse(query["algorithm"]) if "algorithm" in query else Algorithm.SHA1
    digits = _int_param(query, "digits", 6)
    period = _int_param(query, "period", 30)
    counter = _int_param(query, "counter", 0)
    if otp_type is OtpType.TOTP and "period" in query and period <= 0:
        raise InputError("period must be a positive number of seconds")
    # Its own words, as the checks above give theirs: the front ends name the URI ("broken otpauth URI: ...").
    return OtpParams(secret=secret, type=otp_type, algorithm=algorithm, digits=digits, period=period,
                     counter=counter, issuer=issuer, account=account)


def _parse_label(path: str) -> tuple[str, str]:
    raw = path[1:] if path.startswith("/") else path
    try:
        label = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        raise InputError("the label is not valid UTF-8 after percent-decoding") from None
    if ":" in label:
        issuer, _, account = label.partition(":")
        return issuer.strip(), account.strip()
    return "", label.strip()


def _parse_query(query: str) -> dict[str, str]:
    values: dict[str, str] = {}
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=False, errors="strict")
    except UnicodeDecodeError:
        raise InputError("a parameter is not valid UTF-8 after percent-decoding") from None
    for key, value in pairs:
        name = key.strip().lower()
        if name in _KNOWN_SINGLE and name in values and values[name] != value:
            raise InputError(f"the parameter {name!r} appears twice with different values")
        values[name] = value
    return values


def _int_param(query: dict[str, str], name: str, default: int) -> int:
    if name not in query:
        return default
    # Not echoed (it could be a secret in the wrong place); 20 digits hold any 64-bit counter.
    number = ascii_number(query[name].strip(), 20)
    if number is None:
        raise InputError(f"{name} must be a whole number")
    return number


def format_uri(params: OtpParams) -> str:
    """An otpauth URI for `params`; every parameter is written out explicitly."""
    # Issuer and account are quoted apart; the separator is written whenever a reader
    # could otherwise take part of the account for an issuer (or the issuer for an account).
    issuer, account = quote(params.issuer, safe="@+"), quote(params.account, safe="@+:")
    label = f"{issuer}:{account}" if issuer or ":" in params.account else account
    query = [("secret", encode_base32(params.secret))]
    if params.issuer:
        query.append(("issuer", params.issuer))
    query += [("algorithm", params.algorithm.value), ("digits", str(params.digits))]
    if params.type is OtpType.TOTP:
        query.append(("period", str(params.period)))
    else:
        query.append(("counter", str(params.counter)))
    encoded = "&".join(f"{key}={quote(value, safe='')}" for key, value in query)
    return f"{SCHEME}://{params.type.value}/{label}?{encoded}"
