"""What is this QR code (or pasted text)? Seeds, and the things people mistake for seeds.

Every kind that is not a seed carries the sentence that tells the user what to do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from urllib.parse import urlsplit

from otpburn.errors import InputError, NotASeedError
from otpburn.otp.codec import SecretEncoding, decode_secret
from otpburn.otp.params import OtpParams, OtpType
from otpburn.sources.migration import FoundLink, MigrationEntry, find_migration_links, is_migration, parse_migration
from otpburn.sources.otpauth import is_otpauth, parse_uri


class PayloadKind(str, Enum):
    OTPAUTH_TOTP = "otpauth-totp"
    OTPAUTH_HOTP = "otpauth-hotp"
    MIGRATION = "google-export"
    SECRET_BASE32 = "secret-base32"  # noqa: S105 (a kind's name, not a password)
    SECRET_HEX = "secret-hex"  # noqa: S105 (a kind's name, not a password)
    INVALID_OTPAUTH = "invalid-otpauth"
    INVALID_MIGRATION = "invalid-google-export"
    PHONEFACTOR = "microsoft-push"
    MICROSOFT_ACTIVATION = "microsoft-activation"
    FIDO = "passkey"
    SERIAL_NUMBER = "serial-number"
    URL = "web-link"
    WORDS = "words"
    EMPTY = "empty"
    UNKNOWN = "unknown"

    def __str__(self) -> str:
        return self.value


SEED_KINDS = frozenset(
    {PayloadKind.OTPAUTH_TOTP, PayloadKind.OTPAUTH_HOTP, PayloadKind.MIGRATION,
     PayloadKind.SECRET_BASE32, PayloadKind.SECRET_HEX}
)

DESCRIPTIONS = {
    PayloadKind.OTPAUTH_TOTP: "TOTP account (otpauth URI)",
    PayloadKind.OTPAUTH_HOTP: "HOTP account (otpauth URI)",
    PayloadKind.MIGRATION: "Google Authenticator export",
    PayloadKind.SECRET_BASE32: "bare secret (base32)",
    PayloadKind.SECRET_HEX: "bare secret (hex)",
    PayloadKind.INVALID_OTPAUTH: "broken otpauth URI",
    PayloadKind.INVALID_MIGRATION: "broken Google Authenticator export",
    PayloadKind.PHONEFACTOR: "Microsoft Authenticator push registration",
    PayloadKind.MICROSOFT_ACTIVATION: "Microsoft account activation link",
    PayloadKind.FIDO: "passkey (FIDO) sign-in code",
    PayloadKind.SERIAL_NUMBER: "serial number barcode",
    PayloadKind.URL: "web link",
    PayloadKind.WORDS: "words, not a seed",
    PayloadKind.EMPTY: "empty code",
    PayloadKind.UNKNOWN: "unrecognised text",
}

ADVICE = {
    PayloadKind.PHONEFACTOR: (
        "This QR code registers Microsoft Authenticator for push sign-in and holds no seed. "
        "On the Security info page choose 'I want to use a different authenticator app' "
        "(or 'Can't scan image?') to get a standard TOTP QR code, then scan that one."
    ),
    PayloadKind.MICROSOFT_ACTIVATION: (
        "This is a Microsoft account activation link, not a seed. In the account's security settings "
        "add an authenticator app, choose 'I want to use a different authenticator app', "
        "and scan the QR code shown then."
    ),
    PayloadKind.FIDO: (
        "This QR code signs in with a passkey on another device; it holds no OTP seed. "
        "Look for the site's 'authenticator app' (TOTP) option instead."
    ),
    PayloadKind.SERIAL_NUMBER: (
        "This looks like a token's serial-number barcode, not a seed. "
        "Scan the QR code the website shows when you add an authenticator app."
    ),
    PayloadKind.URL: (
        "This QR code is an ordinary web link, not a seed. "
        "On the site's two-factor page choose 'authenticator app' to get a seed QR code."
    ),
    PayloadKind.WORDS: (
        "This reads like words, not a random secret (it could be decoded as base32, but seeds are random "
        "letters and digits 2-7). If it really is the secret the service gave, give its encoding (base32) explicitly."
    ),
    PayloadKind.EMPTY: "The QR code is empty.",
    PayloadKind.UNKNOWN: (
        "This text is not an otpauth URI or a secret. The seed QR code shown when you "
        "add an authenticator app starts with otpauth://."
    ),
}

_SERIAL = re.compile(r"^\d{6,20}$")
_BARE_SECRET_MIN_BYTES = 10  # shorter strings are far more likely words or codes than seeds
_MICROSOFT_HOSTS = ("microsoft.com", "microsoftonline.com", "live.com", "aka.ms", "office.com")


@dataclass(frozen=True)
class Payload:
    """A decoded text, classified. `accounts` holds the seeds it carries (possibly none)."""

    kind: PayloadKind
    text_length: int
    accounts: tuple[OtpParams, ...] = ()
    problem: str | None = None  # why a seed-like payload cannot be used
    advice: str | None = None  # what to do instead, for non-seed kinds
    unusable: tuple[MigrationEntry, ...] = field(default=())  # export entries that cannot be burned
    encoding_ambiguous: bool = False  # bare secret that is valid as both base32 and hex
    export_part: str = ""

    @property
    def is_seed(self) -> bool:
        return self.kind in SEED_KINDS and bool(self.accounts)

    @property
    def description(self) -> str:
        return DESCRIPTIONS[self.kind]

    def require_seed(self) -> tuple[OtpParams, ...]:
        """The accounts, or the error that tells the user why there are none."""
        if self.is_seed:
            return self.accounts
        if self.problem:
            raise InputError(self.problem)
        raise NotASeedError(f"{self.description}: {self.advice or 'no seed in it'}")


def classify(text: str) -> Payload:
    """Classify any decoded text; never raises for bad content (it is reported in the Payload)."""
    stripped = text.strip()
    length = len(text)
    if not stripped:
        return Payload(PayloadKind.EMPTY, length, advice=ADVICE[PayloadKind.EMPTY])
    lower = stripped.lower()

    if is_otpauth(stripped):
        try:
            params = parse_uri(stripped)
        except InputError as exc:
            return Payload(PayloadKind.INVALID_OTPAUTH, length, problem=exc.message)
        kind = PayloadKind.OTPAUTH_HOTP if params.type is OtpType.HOTP else PayloadKind.OTPAUTH_TOTP
        return Payload(kind, length, accounts=(params,))

    links = find_migration_links(stripped) if "otpauth-migration://" in lower else []
    if len(links) > 1 or (links and (not lower.startswith("otpauth-migration://") or "\n" in stripped)):
        return _migration_text(links, length)  # an export tool's text file: comments, prefixes, several links

    if is_migration(stripped):
        try:
            batch = parse_migration(stripped)
        except InputError as exc:
            return Payload(PayloadKind.INVALID_MIGRATION, length, problem=exc.message)
        unusable = tuple(e for e in batch.entries if e.params is None)
        problem = None
        if not batch.usable:
            problem = "none of the export's accounts can be burned: " + "; ".join(
                f"{e.issuer or e.name or 'account ' + str(e.position + 1)} {e.problem}" for e in unusable
            )
        return Payload(PayloadKind.MIGRATION, length, accounts=batch.usable, problem=problem,
                       unusable=unusable, export_part=batch.part_text)

    if lower.startswith("phonefactor:"):
        return _not_seed(PayloadKind.PHONEFACTOR, length)
    if lower.startswith("ms-msa:") or _is_microsoft_activation(stripped):
        return _not_seed(PayloadKind.MICROSOFT_ACTIVATION, length)
    if lower.startswith("fido:/"):
        return _not_seed(PayloadKind.FIDO, length)
    if _SERIAL.match(stripped):
        return _not_seed(PayloadKind.SERIAL_NUMBER, length)
    if re.match(r"^[a-z][a-z0-9+.-]*://", lower) or lower.startswith(("mailto:", "tel:", "www.")):
        return _not_seed(PayloadKind.URL, length)

    bare = _bare_secret(stripped)
    if bare is not None:
        return bare
    return _not_seed(PayloadKind.UNKNOWN, length)


def _migration_text(links: list[FoundLink], length: int) -> Payload:
    """All accounts of every export link in a text; links that cannot be read are named by line."""
    accounts: list[OtpParams] = []
    unusable: list[MigrationEntry] = []
    parts: dict[int, set[int]] = {}  # batch id -> the QR code numbers seen
    sizes: dict[int, int] = {}
    for link in links:
        try:
            batch = parse_migration(link.text)
        except InputError as exc:
            unusable.append(MigrationEntry(-1, f"line {link.line}:", "", None, exc.message))
            continue
        accounts.extend(batch.usable)
        unusable.extend(e for e in batch.entries if e.params is None)
        parts.setdefault(batch.batch_id, set()).add(batch.batch_index)
        sizes[batch.batch_id] = batch.batch_size
    missing = [f"QR code {index + 1} of {sizes[batch_id]}" for batch_id, seen in parts.items()
               for index in range(sizes[batch_id]) if index not in seen]
    part = f"{len(links)} export links" + (f"; missing: {', '.join(missing)}" if missing else "")
    problem = None
    if not accounts:
        problem = "none of the export's accounts can be burned: " + "; ".join(
            f"{e.issuer or e.name or 'account ' + str(e.position + 1)} {e.problem}" for e in unusable)
    kind = PayloadKind.MIGRATION if parts else PayloadKind.INVALID_MIGRATION  # no link could be read at all
    return Payload(kind, length, accounts=tuple(accounts), problem=problem,
                   unusable=tuple(unusable), export_part=part)


def _looks_like_words(text: str) -> bool:
    """Letters only, with the vowels of a language: a word or a phrase, not a random base32 seed.

    Random base32 is 19 % digits (2-7), and vowels are 5 of its 26 letters; a 16-letter seed
    without a digit and with a third of vowels is a rarity (below one in 10 000).
    """
    letters = [c for c in text.lower() if not c.isspace()]
    if len(letters) < 16 or not all("a" <= c <= "z" for c in letters):
        return False
    return sum(c in "aeiou" for c in letters) / len(letters) >= 0.3


def _not_seed(kind: PayloadKind, length: int) -> Payload:
    return Payload(kind, length, advice=ADVICE[kind])


def _is_microsoft_activation(text: str) -> bool:
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    if not any(host == h or host.endswith("." + h) for h in _MICROSOFT_HOSTS):
        return False
    return "activat" in parts.path.lower() or "activat" in parts.query.lower()


def _bare_secret(text: str) -> Payload | None:
    if len(text) > 512 or any(c.isspace() and c not in " \t" for c in text):
        return None
    try:
        decoded = decode_secret(text)
    except InputError:
        return None
    if len(decoded.secret) < _BARE_SECRET_MIN_BYTES:
        return None
    if decoded.encoding is SecretEncoding.BASE32 and _looks_like_words(text):
        return _not_seed(PayloadKind.WORDS, len(text))
    kind = PayloadKind.SECRET_HEX if decoded.encoding is SecretEncoding.HEX else PayloadKind.SECRET_BASE32
    return Payload(kind, len(text), accounts=(OtpParams(secret=decoded.secret),),
                   encoding_ambiguous=decoded.ambiguous)
