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

from otpburn.errors import InputError
from otpburn.otp.hotp import hash_key
from otpburn.otp.params import Algorithm


@dataclass(frozen=True, repr=False)
class FittedSecret:
    secret: bytes
    action: str  # "unchanged", "padded", "trimmed", "hashed", "hashed+padded"
    original_length: int

    def __repr__(self) -> str:
        return f"FittedSecret(<{len(self.secret)} bytes>, {self.action!r}, from {self.original_length})"

    @property
    def changed(self) -> bool:
        return self.action != "unchanged"

    def describe(self) -> str:
        if not self.changed:
            return f"{len(self.secret)} bytes, unchanged"
        return (
            f"{self.original_length} bytes {self.action} to {len(self.secret)} bytes "
            "(RFC 2104: the codes are identical)"
        )


class SecretDoesNotFitError(InputError):
    pass


def fit_secret(secret: bytes, algorithm: Algorithm, min_length: int = 1, max_length: int | None = None) -> FittedSecret:
    """Return a secret of min_length..max_length bytes with the same HMAC as `secret`, or refuse."""
    algorithm = Algorithm(algorithm)
    block = algorithm.block_size
    max_length = block if max_length is None else max_length
    if min_length > max_length:
        raise ValueError("min_length is larger than max_length")
    if min_length > block:
        raise SecretDoesNotFitError(
            f"the token needs at least {min_length} bytes, more than {algorithm}'s {block}-byte block; "
            "no equivalent secret of that length exists"
        )
    original = len(secret)
    key, actions = secret, []
    if len(key) > block:
        key = hash_key(key, algorithm)
        actions.append("hashed")
    if len(key) > max_length:
        trimmed = key.rstrip(b"\0")
        if len(trimmed) <= max_length and len(trimmed) >= 1:
            key = trimmed
            actions.append("trimmed")
        else:
            raise SecretDoesNotFitError(
                f"the secret is {original} bytes and the token holds at most {max_length}; "
                "shortening it would change every code"
            )
    if len(key) < min_length:
        key = key + b"\0" * (min_length - len(key))
        actions.append("padded")
    return FittedSecret(key, "+".join(actions) or "unchanged", original)
