"""RFC 2104 secret fitting: change a secret's length without changing a single code.

HMAC first replaces a key longer than the hash block by its hash, then zero-pads
the key to the block size. So, for keys that stay within one block:
- appending zero bytes gives the same HMAC (padding), and so does
- removing trailing zero bytes, and
- a key longer than the block is equivalent to its hash.
Anything else would change the codes, so we refuse.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from otpburn.errors import InputError
from otpburn.otp.hotp import hash_key
from otpburn.otp.params import Algorithm


class FitAction(StrEnum):
    HASHED = "hashed"  # longer than the hash block: replaced by its hash, as HMAC does
    TRIMMED = "trimmed"  # trailing zero bytes removed
    PADDED = "padded"  # zero bytes appended


@dataclass(frozen=True, repr=False)
class FittedSecret:
    secret: bytes
    actions: tuple[FitAction, ...]  # in the order applied; empty when the secret went on unchanged
    original_length: int

    def __repr__(self) -> str:
        done = "+".join(self.actions) or "unchanged"
        return f"FittedSecret(<{len(self.secret)} bytes>, {done}, from {self.original_length})"

    @property
    def changed(self) -> bool:
        return bool(self.actions)


class SecretDoesNotFitError(InputError):
    """No secret of the token's lengths gives the same codes: `length` bytes given, `limit` the token's
    maximum (`too_long`) or minimum (not `too_long`)."""

    def __init__(self, length: int, limit: int, too_long: bool, algorithm: Algorithm) -> None:
        self.length, self.limit, self.too_long, self.algorithm = length, limit, too_long, algorithm
        if too_long:
            text = (f"the secret is {length} bytes and the token holds at most {limit}; shortening it would change "
                    "every code")
        else:
            text = (f"the token needs at least {limit} bytes, more than {algorithm}'s {algorithm.block_size}-byte "
                    "block; no equivalent secret of that length exists")
        super().__init__(text)


def fit_secret(secret: bytes, algorithm: Algorithm, min_length: int = 1, max_length: int | None = None) -> FittedSecret:
    """Return a secret of min_length..max_length bytes with the same HMAC as `secret`, or refuse."""
    algorithm = Algorithm(algorithm)
    block = algorithm.block_size
    max_length = block if max_length is None else max_length
    if min_length > max_length:
        raise ValueError("min_length is larger than max_length")
    original = len(secret)
    if min_length > block:
        raise SecretDoesNotFitError(original, min_length, False, algorithm)
    key, actions = secret, []
    if len(key) > block:
        key = hash_key(key, algorithm)
        actions.append(FitAction.HASHED)
    if len(key) > max_length:
        trimmed = key.rstrip(b"\0")
        if len(trimmed) <= max_length and len(trimmed) >= 1:
            key = trimmed
            actions.append(FitAction.TRIMMED)
        else:
            raise SecretDoesNotFitError(original, max_length, True, algorithm)
    if len(key) < min_length:
        key = key + b"\0" * (min_length - len(key))
        actions.append(FitAction.PADDED)
    return FittedSecret(key, tuple(actions), original)
