"""One otpburn per user holding a reader: a lock file, released when the work ends.

The lock itself is `filelock`'s (fcntl on POSIX, msvcrt on Windows, no symlinks followed);
who holds it is written to a file beside it, so a second otpburn can say who is busy.
"""

from __future__ import annotations

import os
from pathlib import Path

from filelock import FileLock, Timeout

from otpburn.errors import InputError, OperationError
from otpburn.files import user_file, write_private


class ReaderLockedError(OperationError):
    def __init__(self, holder: str) -> None:
        self.holder = holder
        super().__init__(f"another otpburn is using the reader ({holder}); finish or close it first")


def lock_path() -> Path:
    return user_file("OTPBURN_LOCK_FILE", "reader.lock")


class ReaderLock:
    """Exclusive per-user lock; a second otpburn is told who holds it instead of fighting for the reader."""

    def __init__(self, purpose: str = "burn") -> None:
        self.purpose = purpose
        self._lock: FileLock | None = None

    def acquire(self) -> ReaderLock:
        path = lock_path()
        try:
            is_folder = path.is_dir()
        except OSError as exc:  # a name longer than the file system takes
            raise OperationError(f"cannot take the reader lock {path} ({exc.strerror or exc})") from None
        if is_folder:
            raise InputError(f"the reader lock file {path} is a folder; remove it or point OTPBURN_LOCK_FILE "
                             "elsewhere")
        lock = FileLock(str(path), timeout=0, mode=0o600)
        holder_file = path.with_name(path.name + ".holder")
        try:
            lock.acquire()
        except Timeout:
            raise ReaderLockedError(_read_holder(holder_file)) from None
        except OSError as exc:
            raise OperationError(f"cannot take the reader lock {path} ({exc.strerror or exc})") from None

        try:
            write_private(holder_file, f"pid {os.getpid()}, {self.purpose}".encode(), force=True)
        except BaseException:
            lock.release()
            raise
        self._lock = lock
        return self

    def release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> ReaderLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read_holder(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()[:100] or "another otpburn"
    except OSError:
        return "another otpburn"
