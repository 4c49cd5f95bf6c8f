"""Secret text codecs: base32 and hex, tolerant of how people copy them.

Auto-detection rule (documented in the README as well):

1. A `0x` prefix means hex.
2. Any character that only base32 has (`G`-`Z`) means base32 (a stray `0`/`1`/`8`/`9`
   beside them is then reported as a base32 typo).
3. Otherwise any character that only hex has (`0`, `1`, `8`, `9`) means hex.
4. A string made only of `A`-`F` and `2`-`7` is valid as both. It is read as base32,
   the encoding of otpauth URIs and of every vendor tool, and the result is flagged
   `ambiguous` so front ends can show both readings' lengths and ask.

Errors name the first bad character and its 1-based position in what the user typed,
but never echo the rest of the text (it may be a secret).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from otpburn.errors import InputError

_BASE32_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
_HEX_ALPHABET = frozenset("0123456789ABCDEF")
_HEX_ONLY = frozenset("0189")
_BASE32_ONLY = _BASE32_ALPHABET - _HEX_ALPHABET
# Separators people paste along with secrets ("JBSW Y3DP", "jbsw-y3dp", "de:ad:be:ef").
_BASE32_SEPARATORS = frozenset(" \t\r\n-")
_HEX_SEPARATORS = frozenset(" \t\r\n-:")
# Base32 lengths (mod 8) that end on a whole byte.
_VALID_BASE32_REMAINDERS = {0, 2, 4, 5, 7}


class SecretEncoding(str, Enum):
    BASE32 = "base32"
    HEX = "hex"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, repr=False)
class DecodedSecret:
    secret: bytes
    encoding: SecretEncoding
    ambiguous: bool = False  # the text was also valid in the other encoding

    def __repr__(self) -> str:
        return f"DecodedSecret(<{len(self.secret)} bytes>, {self.encoding.value}, ambiguous={self.ambiguous})"


def _describe(char: str) -> str:
    if char.isprintable() and not char.isspace():
        return repr(char)
    return f"U+{ord(char):04X}"


_BASE32_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567abcdefghijklmnopqrstuvwxyz"
# Both cases map straight to int()'s base-32 digits, so no upper() copy is made first; every other byte maps to "!",
# which int() refuses wherever it stands (it would take spaces, underscores, signs and the digits 0, 1, 8 and 9).
_BASE32_AS_DIGITS = bytes(
    b"0123456789abcdefghijklmnopqrstuv0123456789abcdefghijklmnop"[_BASE32_LETTERS.index(byte)]
    if byte in _BASE32_LETTERS else ord("!") for byte in range(256))


def decode_base32(text: str) -> bytes:
    """Decode base32, accepting lower case, spaces, hyphens and missing or present padding."""
    # The common case, checked in C: ASCII base32 letters of either case making whole bytes, then at most 7 '='.
    # It is decoded as base64.b32decode does (the bits past the last whole byte dropped) by Python's own big-integer
    # parsing, about ten times faster than b32decode's loop; every other text goes through the loop that words
    # problems. A 100 000-record file decodes this way.
    letters = text.rstrip("=")
    if letters.isascii() and len(letters) % 8 in _VALID_BASE32_REMAINDERS and len(text) - len(letters) < 8:
        try:
            value = int(letters.encode().translate(_BASE32_AS_DIGITS), 32)
        except ValueError:  # no letters, or a byte outside the alphabet
            pass
        else:
            whole = len(letters) * 5 // 8
            return (value >> (len(letters) * 5 - whole * 8)).to_bytes(whole, "big")
    return _decode_base32_by_character(text)


def _decode_base32_by_character(text: str) -> bytes:
    """Any base32 decode_base32 takes, character by character: where the problem is worded."""
    kept: list[str] = []
    padding_at: int | None = None
    for position, char in enumerate(text, start=1):
        if char in _BASE32_SEPARATORS:
            continue
        if char == "=":
            padding_at = padding_at or position
            continue
        upper = char.upper()
        if upper not in _BASE32_ALPHABET:
            hint = ""
            if upper in "0189":
                hint = " (base32 has no 0, 1, 8 or 9; is this a hex secret?)"
            raise InputError(f"character {_describe(char)} at position {position} is not base32 (A-Z, 2-7){hint}")
        if padding_at is not None:
            raise InputError(f"padding '=' at position {padding_at} is followed by more base32 characters")
        kept.append(upper)
    if not kept:
        raise InputError("the secret is empty")
    remainder = len(kept) % 8
    if remainder not in _VALID_BASE32_REMAINDERS:
        raise InputError(
            f"{len(kept)} base32 characters do not form whole bytes "
            "(a character is missing or extra; check the end of the secret)"
        )
    padded = "".join(kept) + "=" * ((8 - remainder) % 8)
    try:
        return base64.b32decode(padded)
    except binascii.Error as exc:  # pragma: no cover - guarded by the checks above
        raise InputError("the secret is not valid base32") from exc


def decode_hex(text: str) -> bytes:
    """Decode hex, accepting a 0x prefix, any case and space, hyphen or colon separators."""
    # The common case, checked in C: whole bytes of hex digits in any case, nothing around them. bytes.fromhex
    # refuses anything else but the ASCII spaces it skips, and a space makes the bytes too few for the text's length.
    # A 100 000-record file decodes this way (checked first by a regex, a key took 467 ns instead of 101).
    if text and not len(text) % 2:
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            pass
        else:
            if len(raw) * 2 == len(text):
                return raw
    return _decode_hex_by_character(text)


def _decode_hex_by_character(text: str) -> bytes:
    """Any hex decode_hex takes, character by character: where the problem is worded."""
    offset = 0
    stripped = text.lstrip()
    lead = len(text) - len(stripped)
    if stripped[:2].lower() == "0x":
        offset = lead + 2
    kept: list[str] = []
    for position, char in enumerate(text[offset:], start=offset + 1):
        if char in _HEX_SEPARATORS:
            continue
        upper = char.upper()
        if upper not in _HEX_ALPHABET:
            raise InputError(f"character {_describe(char)} at position {position} is not hex (0-9, A-F)")
        kept.append(upper)
    if not kept:
        raise InputError("the secret is empty")
    if len(kept) % 2:
        raise InputError(f"{len(kept)} hex digits do not form whole bytes (a digit is missing or extra)")
    return bytes.fromhex("".join(kept))


def encode_base32(secret: bytes) -> str:
    """Upper-case base32 without padding, the form otpauth URIs and tokens use."""
    return base64.b32encode(secret).decode("ascii").rstrip("=")


def base32_length(secret: bytes) -> int:
    """How many characters `encode_base32(secret)` has, without encoding it: five bits each, the last one
    padded out."""
    return (len(secret) * 8 + 4) // 5


def encode_hex(secret: bytes) -> str:
    return secret.hex().upper()


def detect_encoding(text: str) -> tuple[SecretEncoding, bool]:
    """Apply the rule in the module docstring. Returns (encoding, ambiguous)."""
    body = text.strip()
    if body[:2].lower() == "0x":
        return SecretEncoding.HEX, False
    chars = {c.upper() for c in body if c not in _HEX_SEPARATORS and c != "="}
    if chars & _BASE32_ONLY:
        # Base32 with a stray 0/1/8/9 is a typo far more often than hex with a stray G-Z;
        # the base32 decoder then names the bad character.
        return SecretEncoding.BASE32, False
    if chars & _HEX_ONLY:
        return SecretEncoding.HEX, False
    # Only A-F and 2-7 (or nothing usable): valid as both when the lengths work out.
    return SecretEncoding.BASE32, _decodes(decode_hex, text) and _decodes(decode_base32, text)


def _decodes(decoder: Callable[[str], bytes], text: str) -> bool:
    try:
        decoder(text)
    except InputError:
        return False
    return True


def decode_secret(text: str, encoding: SecretEncoding | str | None = None) -> DecodedSecret:
    """Decode a secret typed or pasted by a user.

    `encoding` None or "auto" applies the detection rule; "base32" or "hex" forces one.
    """
    if encoding in (None, "auto"):
        chosen, ambiguous = detect_encoding(text)
    else:
        chosen, ambiguous = SecretEncoding(encoding), False
    if chosen is SecretEncoding.HEX:
        return DecodedSecret(decode_hex(text), chosen, ambiguous)
    try:
        return DecodedSecret(decode_base32(text), chosen, ambiguous)
    except InputError as exc:
        if encoding in (None, "auto"):
            raise InputError(f"{exc.message}; the text is not valid hex either") from None
        raise


def mask_secret(secret: bytes) -> str:
    """What a UI shows instead of a secret: its length and nothing that helps guess it."""
    return f"{'•' * 8} ({len(secret)} bytes)"
