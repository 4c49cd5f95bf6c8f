"""What Molto2 devices said about their authentication attempts, remembered across runs.

A device that refused a customer key said how many attempts were left (`63 Cx`). That count
is kept per serial (no secret: serial and number) so that a later run, with one attempt
left, asks for explicit consent before it authenticates at all. A success forgets it.

The guard fails closed: a count that cannot be read (a damaged file, a link) or could not be
saved would let a later run spend the last attempt unasked, so no authentication is sent
unless the file reads cleanly and can be written first (`ready`).
"""

from __future__ import annotations

import json
from pathlib import Path

from otpburn.errors import OperationError, OtpburnError
from otpburn.files import UnsafeFileError, UnsafeFileProblem, read_trusted_file, user_file, write_private

FILE_VARIABLE = "OTPBURN_ATTEMPTS_FILE"
MAX_FILE_BYTES = 1024 * 1024


class AttemptsFileError(OperationError):
    """The attempts file cannot be read or written: otpburn does not authenticate to a Molto2 then.

    `path` is the file, `reason` what went wrong; `remaining` the attempts the device said were left
    when the failure came right after a refusal (None before any authentication was sent).
    """

    def __init__(self, path: Path, reason: str, remaining: int | None = None) -> None:
        self.path, self.reason, self.remaining = path, reason, remaining
        if remaining is None:
            text = (f"otpburn keeps count of a Molto2's authentication attempts in {path} and cannot use it "
                    f"({reason}); it does not authenticate while it cannot count them. Nothing was sent to the "
                    "token")
        else:
            attempts = "1 attempt remains" if remaining == 1 else f"{remaining} attempts remain"
            text = (f"the Molto2 refused the customer key ({attempts} before it locks for good), and the count "
                    f"could not be saved in {path} ({reason}): otpburn does not try again until it can")
        super().__init__(text)


def _path() -> Path:
    return user_file(FILE_VARIABLE, "molto2-attempts.json")


def _load() -> dict[str, int]:
    path = _path()
    try:
        data = read_trusted_file(path, MAX_FILE_BYTES, what="attempts file")
    except UnsafeFileError as exc:
        if exc.problem is UnsafeFileProblem.MISSING:
            return {}
        raise AttemptsFileError(path, str(exc)) from None
    try:
        counts = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise AttemptsFileError(path, "it is damaged; move it aside only if no Molto2 refused a key lately") \
            from None
    if not isinstance(counts, dict) or not all(isinstance(v, int) and not isinstance(v, bool)
                                               for v in counts.values()):
        raise AttemptsFileError(path, "it does not hold attempt counts")
    return {str(k): int(v) for k, v in counts.items()}


def _save(counts: dict[str, int], remaining: int | None = None) -> None:
    path = _path()
    try:
        write_private(path, json.dumps(counts, indent=1).encode(), force=True)
    except OtpburnError as exc:  # a link, a folder that does not exist, a full disk
        raise AttemptsFileError(path, exc.message, remaining) from None


def remaining(serial: str) -> int | None:
    """The attempts the device `serial` said were left when it last refused a key, if it did."""
    return _load().get(serial)


def ready() -> None:
    """Raise AttemptsFileError unless the count can be read and saved: called before authenticating."""
    _save(_load())


def remember(serial: str, left: int) -> None:
    counts = _load()
    counts[serial] = left
    _save(counts, left)


def forget(serial: str) -> None:
    counts = _load()
    if counts.pop(serial, None) is not None:
        _save(counts)
