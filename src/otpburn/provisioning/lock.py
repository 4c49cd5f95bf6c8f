"""One otpburn per user holding a reader: a lock file, released when the work ends."""

from __future__ import annotations

import os
from pathlib import Path

from otpburn.errors import OperationError


class ReaderLockedError(OperationError):
    pass


def lock_path() -> Path:
    from otpburn.files import user_file

    return user_file("OTPBURN_LOCK_FILE", "reader.lock")


class ReaderLock:
    """Exclusive per-user lock; a second otpburn is told who holds it instead of fighting for the reader."""

    def __init__(self, purpose: str = "burn") -> None:
        self.purpose = purpose
        self._handle = None

    def acquire(self) -> "ReaderLock":
        path = lock_path()
        handle = open(path, "a+")
        try:
            _lock(handle)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "another otpburn"
            handle.close()
            raise ReaderLockedError(f"another otpburn is using the reader ({holder}); finish or close it first") \
                from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, {self.purpose}")
        handle.flush()
        self._handle = handle
        return self

    def release(self) -> None:
        if self._handle is not None:
            self._handle.seek(0)
            self._handle.truncate()
            _unlock(self._handle)
            self._handle.close()
            self._handle = None

    def __enter__(self) -> "ReaderLock":
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def _lock(handle) -> None:
    if os.name == "nt":  # pragma: no cover - Windows
        import msvcrt

        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def _unlock(handle) -> None:
    if os.name == "nt":  # pragma: no cover - Windows
        import msvcrt

        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
