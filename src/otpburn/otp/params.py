"""`OtpParams`: the one value that travels from seed source to token to export."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from enum import Enum
from typing import Any, NamedTuple, Self, TypeVar, cast

from otpburn.errors import InputError

MIN_DIGITS = 6
MAX_DIGITS = 10
MAX_PERIOD = 86_400
MAX_SECRET_BYTES = 1024
MAX_COUNTER = 2**64 - 1
_exact_type = type  # OtpParams's own field is called type


class OtpType(str, Enum):
    TOTP = "totp"
    HOTP = "hotp"

    def __str__(self) -> str:
        return self.value


class Algorithm(str, Enum):
    SHA1 = "SHA1"
    SHA256 = "SHA256"
    SHA512 = "SHA512"

    def __str__(self) -> str:
        return self.value

    @property
    def hashlib_name(self) -> str:
        return self.value.lower()

    @property
    def digest_size(self) -> int:
        return {"SHA1": 20, "SHA256": 32, "SHA512": 64}[self.value]

    @property
    def block_size(self) -> int:
        """HMAC block size (RFC 2104 'B'): keys up to this length are zero-padded to it."""
        return 128 if self is Algorithm.SHA512 else 64

    @classmethod
    def parse(cls, text: str) -> Algorithm:
        """Accept the spellings seen in the wild: sha1, SHA-1, HmacSHA1, SHA256 ..."""
        exact = _ALGORITHM_NAMES.get(text)  # the usual spelling, found at once
        if exact is not None:
            return exact
        norm = text.strip().upper().replace("-", "").replace("_", "")
        if norm.startswith("HMAC"):
            norm = norm[4:]
        for algorithm in cls:
            if algorithm.value == norm:
                return algorithm
        raise InputError(f"unsupported algorithm {text.strip()!r}: use SHA1, SHA256 or SHA512")


_ALGORITHM_NAMES = {algorithm.value: algorithm for algorithm in Algorithm}


class _OtpFields(NamedTuple):
    secret: bytes
    type: OtpType = OtpType.TOTP
    algorithm: Algorithm = Algorithm.SHA1
    digits: int = 6
    period: int = 30
    counter: int = 0
    issuer: str = ""
    account: str = ""


class OtpParams(_OtpFields):
    """Everything needed to compute an account's one-time codes.

    Validated on construction; `repr` never shows the secret. An immutable tuple of its fields: a file of 100 000
    records builds 100 000 of these, and a tuple is made in one step where a frozen dataclass sets each field
    through object.__setattr__ (measured here: about 0.3 µs more per value).
    """

    __slots__ = ()

    def __new__(cls, secret: bytes, type: OtpType = OtpType.TOTP,  # noqa: A002  the field's name
                algorithm: Algorithm = Algorithm.SHA1, digits: int = 6, period: int = 30, counter: int = 0,
                issuer: str = "", account: str = "") -> OtpParams:
        # Each group is checked first in one expression for the values nearly every record has; only a value that
        # fails it goes through the checks that word the problem. Both paths accept exactly the same values.
        if _exact_type(secret) is not bytes or not 0 < len(secret) <= MAX_SECRET_BYTES:
            _check_secret(secret)
        if _exact_type(type) is not OtpType:
            type = _coerce(OtpType, type, "type")  # noqa: A001
        if _exact_type(algorithm) is not Algorithm:
            algorithm = _coerce(Algorithm, algorithm, "algorithm")
        if not (_exact_type(digits) is int and MIN_DIGITS <= digits <= MAX_DIGITS and _exact_type(period) is int
                and 1 <= period <= MAX_PERIOD and _exact_type(counter) is int and 0 <= counter <= MAX_COUNTER):
            _check_int("digits", digits, MIN_DIGITS, MAX_DIGITS)
            _check_int("period", period, 1, MAX_PERIOD)
            _check_int("counter", counter, 0, MAX_COUNTER)
        if not (_exact_type(issuer) is str and _exact_type(account) is str and len(issuer) <= MAX_LABEL
                and len(account) <= MAX_LABEL and issuer.isascii() and issuer.isprintable()
                and account.isascii() and account.isprintable()):
            _check_label("issuer", issuer)
            _check_label("account", account)
        return tuple.__new__(cls, (secret, type, algorithm, digits, period, counter, issuer, account))

    @classmethod
    def of_secret(cls, secret: bytes) -> Self:
        """A TOTP with every other setting at its default (SHA1, 6 digits, 30 s, no names), as a vendor's
        serial,secret file means it: only the secret is checked, the rest being the defaults __new__ checked once.
        About half the time of __new__, which checks every field (100 000 records: about 15 ms less)."""
        if _exact_type(secret) is not bytes or not 0 < len(secret) <= MAX_SECRET_BYTES:
            _check_secret(secret)
        return tuple.__new__(cls, (secret, *_DEFAULT_SETTINGS))

    def __repr__(self) -> str:
        return (
            f"OtpParams(secret=<{len(self.secret)} bytes>, type={self.type.value}, "
            f"algorithm={self.algorithm.value}, digits={self.digits}, period={self.period}, "
            f"counter={self.counter}, issuer={self.issuer!r}, account={self.account!r})"
        )

    __str__ = __repr__

    def replace(self, **changes: Any) -> OtpParams:
        """A copy with `changes`, checked as any new value is."""
        return self._replace(**changes)

    # NamedTuple's own _make builds the tuple without __new__ (and its _replace goes through _make): this checks,
    # as any new value is.
    @classmethod
    def _make(cls, iterable: Iterable[Any]) -> Self:  # type: ignore[override]  # the same call, a narrower type
        return cls(*iterable)

    @property
    def label(self) -> str:
        """`issuer:account`, or whichever of the two is present."""
        if self.issuer and self.account:
            return f"{self.issuer}:{self.account}"
        return self.issuer or self.account

    @property
    def fingerprint(self) -> str:
        """A short tag that tells two secrets apart without revealing either (for logs)."""
        return hashlib.sha256(b"otpburn-fingerprint\0" + self.secret).hexdigest()[:12]


E = TypeVar("E", bound=Enum)


def _coerce(enum: type[E], value: object, name: str) -> E:
    if isinstance(value, enum):
        return value
    if isinstance(value, str):
        if enum is Algorithm:
            return cast(E, Algorithm.parse(value))
        try:
            return enum(value.strip().lower())
        except ValueError:
            pass
    choices = ", ".join(str(member.value) for member in enum)
    # The value itself is not repeated: in a file with shifted columns it could be a secret.
    raise InputError(f"unsupported {name}: use one of {choices}")


_DIRECTION_CHARACTERS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
MAX_LABEL = 256  # characters of an issuer or account name: far beyond any real one, short enough to show


def _check_secret(secret: object) -> None:
    if not isinstance(secret, bytes):
        raise InputError("secret must be bytes")
    if not secret:
        raise InputError("the secret is empty")
    if len(secret) > MAX_SECRET_BYTES:
        raise InputError(f"the secret is {len(secret)} bytes long; at most {MAX_SECRET_BYTES} are accepted")


def _check_label(name: str, value: object) -> None:
    """Issuers and accounts reach terminals, windows, CSV files and logs: no control or direction characters."""
    if not isinstance(value, str):
        raise InputError(f"{name} must be text")
    if len(value) > MAX_LABEL:
        raise InputError(f"the {name} name is {len(value)} characters long; at most {MAX_LABEL} are accepted")
    if value.isascii() and value.isprintable():  # the common case, in C: no controls, no direction marks
        return
    for position, char in enumerate(value, start=1):
        # Controls (ESC, BEL, newlines) and the direction marks and overrides (U+202E...) that
        # make text display in another order than it is stored.
        if unicodedata.category(char) == "Cc" or char in _DIRECTION_CHARACTERS:
            raise InputError(f"the {name} name holds an invisible control character (U+{ord(char):04X}) at "
                             f"position {position}; otpburn does not accept it")


def _check_int(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{name} must be a whole number")
    if not low <= value <= high:
        raise InputError(f"{name} must be between {low} and {high}, not {value}")


_DEFAULT_SETTINGS = tuple(OtpParams(b"\0"))[1:]  # checked by __new__, as every value is
