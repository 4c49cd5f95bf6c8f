"""A batch's record of what it burned: seed fingerprint -> token serial (never a secret).

An interrupted batch goes on from it and never burns one seed into two tokens. Because a burn that
could not be recorded would let the next run give the same seed to the next token, the record must be
readable and writable before the first token is written (`ready`): fail closed.
"""

from __future__ import annotations

import errno
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from otpburn.errors import InputError, OtpburnError, Remedy
from otpburn.files import read_at_most, write_private

MAX_FILE_BYTES = 16 * 1024 * 1024


class ProgressFileError(InputError):
    """The progress file cannot be read or written: `path`, and `reason` in the system's words. The place is the
    user's to change, so it is bad input, found before the first token."""

    def __init__(self, path: Path, reason: str, *, damaged: bool = False) -> None:
        self.path, self.reason, self.damaged = path, reason, damaged
        if damaged:
            text = f"the progress file {path} is damaged ({reason}); move it away to start the batch afresh"
        else:
            text = (f"the batch records what it burned in {path} and cannot write it ({reason}); nothing was "
                    "burned")
        super().__init__(text, remedy=None if damaged else Remedy.PROGRESS_FILE)


@dataclass
class Progress:
    """What earlier runs of this batch burned: seed fingerprint -> token serial."""

    path: Path
    burned: dict[str, str] = field(default_factory=dict)
    registered: dict[str, str] = field(default_factory=dict)  # fingerprint -> a RegistrationState's value

    @classmethod
    def load(cls, path: Path) -> Progress:
        try:
            handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        except FileNotFoundError:
            return cls(path)
        except OSError as exc:
            reason = ("it is a symbolic link, which otpburn does not follow here" if exc.errno == errno.ELOOP
                      else exc.strerror or str(exc))
            raise ProgressFileError(path, reason) from None
        try:
            with os.fdopen(handle, "rb") as stream:
                data = json.loads(read_at_most(stream, MAX_FILE_BYTES).decode("utf-8"))
            return cls(path, {str(k): str(v) for k, v in dict(data.get("burned", {})).items()},
                       {str(k): str(v) for k, v in dict(data.get("registered", {})).items()})
        except (OSError, ValueError, TypeError, AttributeError, RecursionError) as exc:  # RecursionError: nested
            raise ProgressFileError(path, type(exc).__name__, damaged=True) from None  # deeper than JSON parses

    def save(self) -> None:
        data = {"burned": self.burned, **({"registered": self.registered} if self.registered else {})}
        try:
            write_private(self.path, json.dumps(data, indent=1).encode(), force=True)
        except OtpburnError as exc:  # a link, a read-only folder, a full disk
            raise ProgressFileError(self.path, exc.message) from None

    def ready(self) -> None:
        """Raise ProgressFileError unless the record can be written: before the first token is touched."""
        self.save()

    def record_burn(self, fingerprint: str, serial: str) -> None:
        self.burned[fingerprint] = serial
        self.save()

    def record_registration(self, fingerprint: str, state: str) -> None:
        self.registered[fingerprint] = state
        self.save()
