"""Files that hold secrets or decide where they go: written private (0600), atomic, never silently
overwritten; read only when no other user could have changed them, never through a link or a FIFO."""

from __future__ import annotations

import codecs
import errno
import os
import stat
import sys
import tempfile
import time
from enum import StrEnum
from pathlib import Path
from typing import IO

from otpburn.errors import InputError, OperationError, Remedy
from otpburn.untrusted import ascii_digits


def read_input_file(path: str | os.PathLike[str], what: str, max_bytes: int) -> bytes:
    """A file the user named, at most `max_bytes` long, or an InputError that says what is wrong.

    `what` names the kind of file expected ("image", "seed file") for the messages.
    """
    label = str(path)
    try:
        with open(path, "rb") as stream:
            data = read_at_most(stream, max_bytes, os.fstat(stream.fileno()).st_size)
    except FileNotFoundError:
        raise InputError(f"{label}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{label} is a folder, not {what}") from None
    except PermissionError:
        raise InputError(f"{label}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{label}: {exc.strerror}") from None
    if len(data) > max_bytes:
        raise InputError(f"{label} is larger than {_size(max_bytes)}; that is not {what}")
    return data


_READ_BLOCK = 1 << 16


def read_at_most(stream: IO[bytes], max_bytes: int, expected: int = 0) -> bytes:
    """What `stream` holds, but no more than `max_bytes + 1` bytes (one more than allowed tells it is too long).

    Read a block at a time, the first of the `expected` size (a regular file's) and one byte more: one
    read(max_bytes + 1) sets that many bytes aside before it reads any, 128 MiB for a 5 MB seed file.
    """
    blocks: list[bytes] = []
    left = max_bytes + 1
    block_size = expected + 1 if expected else _READ_BLOCK
    while left > 0:
        block = stream.read(min(left, block_size))
        if not block:
            break
        blocks.append(block)
        left -= len(block)
        block_size = _READ_BLOCK  # it grew since its size was taken, or is a pipe
    return b"".join(blocks)  # one block: that block itself, not a copy


UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def decode_text(data: bytes, origin: str, hint: str = "") -> str:
    """Text from bytes a user gave us: UTF-8 (a BOM is fine), or UTF-16 that starts with its byte-order mark, as
    Windows PowerShell 5.1's `>` and Out-File and Excel's "Unicode Text" save it; or an InputError naming `origin`."""
    utf16 = data.startswith(UTF16_BOMS)
    try:
        text = data.decode("utf-16" if utf16 else "utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{origin} is not {'UTF-16' if utf16 else 'UTF-8'} text{hint}") from None
    if "\0" in text:
        raise InputError(f"{origin} is binary data, not text")
    return text


class UnsafeFileProblem(StrEnum):
    """Why a file that chooses where secrets go, or holds one, is not used."""

    MISSING = "missing"
    LINK = "link"  # a symbolic link: its target may be anybody's
    NOT_REGULAR = "not-regular"  # a folder, FIFO, socket or device (a FIFO would hang the read)
    WRITABLE_BY_OTHERS = "writable-by-others"  # the file: another user could change it
    FOLDER_WRITABLE_BY_OTHERS = "folder-writable-by-others"  # a folder on its path: another user could swap it
    READABLE_BY_OTHERS = "readable-by-others"  # a secret others can read
    UNREADABLE = "unreadable"  # an OS error (permission denied, I/O error)


class UnsafeFileError(InputError):
    """A file that otpburn trusts with secrets (or to say where they go) failed a safety check.

    `path` is the file, `problem` what is wrong, `where` the folder at fault for FOLDER_WRITABLE_BY_OTHERS.
    """

    def __init__(self, path: Path, problem: UnsafeFileProblem, where: Path | None = None,
                 reason: str = "", what: str = "") -> None:
        self.path, self.problem, self.where, self.what = path, problem, where, what
        named = f"{path} ({what})" if what else str(path)
        texts = {
            UnsafeFileProblem.MISSING: f"{named}: no such file",
            UnsafeFileProblem.LINK: f"{named} is a symbolic link; name the file itself",
            UnsafeFileProblem.NOT_REGULAR: f"{named} is not a regular file (a folder, pipe, socket or device)",
            UnsafeFileProblem.WRITABLE_BY_OTHERS: f"{named} can be changed by other users; make it yours alone "
                                                  f"(chmod go-w {path})",
            UnsafeFileProblem.FOLDER_WRITABLE_BY_OTHERS: f"the folder {where} (on the way to {named}) can be "
                                                         "changed by other users; make it yours alone "
                                                         f"(chmod go-w {where})",
            UnsafeFileProblem.READABLE_BY_OTHERS: f"{named} can be read by other users; make it private "
                                                  f"(chmod 600 {path})",
            UnsafeFileProblem.UNREADABLE: f"cannot read {named}: {reason}",
        }
        super().__init__(texts[problem])


# Without O_NOFOLLOW (Windows) a link is refused by looking first; O_NONBLOCK keeps a FIFO from hanging the open.
_SAFE_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(
    os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def _folders_writable_by_others(path: Path) -> Path | None:
    """The first folder on `path`'s way from the root that another user could change, if any.

    A folder with the sticky bit (/tmp) is fine for a file we own: others cannot rename or remove it there.
    """
    if sys.platform == "win32":
        return None
    folder = path.absolute().parent
    for candidate in (folder, *folder.parents):
        try:
            info = candidate.stat()
        except OSError:
            return candidate
        sticky = bool(info.st_mode & stat.S_ISVTX)
        if info.st_mode & 0o022 and not sticky:
            return candidate
        if info.st_uid not in (0, os.getuid()):
            return candidate
    return None


def read_trusted_file(path: str | os.PathLike[str], max_bytes: int, *, private: bool = False,
                      what: str = "") -> bytes:
    """The bytes of a file otpburn trusts: a regular file (no link, FIFO or device), not changeable by
    other users, nor any folder on its way; with `private`, not readable by them either.

    Raises UnsafeFileError. Files larger than `max_bytes` are cut there (callers check the length).
    """
    target = Path(path)
    if sys.platform == "win32" and target.is_symlink():
        raise UnsafeFileError(target, UnsafeFileProblem.LINK, what=what)
    try:
        handle = os.open(target, _SAFE_OPEN_FLAGS)
    except FileNotFoundError:
        raise UnsafeFileError(target, UnsafeFileProblem.MISSING, what=what) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP or (exc.errno == errno.EMLINK and target.is_symlink()):
            raise UnsafeFileError(target, UnsafeFileProblem.LINK, what=what) from None
        if isinstance(exc, IsADirectoryError):
            raise UnsafeFileError(target, UnsafeFileProblem.NOT_REGULAR, what=what) from None
        raise UnsafeFileError(target, UnsafeFileProblem.UNREADABLE, reason=exc.strerror or str(exc),
                              what=what) from None
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeFileError(target, UnsafeFileProblem.NOT_REGULAR, what=what)
        if sys.platform != "win32":
            if info.st_mode & 0o022 or info.st_uid not in (0, os.getuid()):
                raise UnsafeFileError(target, UnsafeFileProblem.WRITABLE_BY_OTHERS, what=what)
            if private and info.st_mode & 0o044:
                raise UnsafeFileError(target, UnsafeFileProblem.READABLE_BY_OTHERS, what=what)
            folder = _folders_writable_by_others(target)
            if folder is not None:
                raise UnsafeFileError(target, UnsafeFileProblem.FOLDER_WRITABLE_BY_OTHERS, where=folder,
                                      what=what)
        if hasattr(os, "set_blocking"):
            os.set_blocking(handle, True)
        chunks, left = [], max_bytes + 1
        while left > 0:
            chunk = os.read(handle, min(left, 1 << 16))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise UnsafeFileError(target, UnsafeFileProblem.UNREADABLE, reason=exc.strerror or str(exc),
                              what=what) from None
    finally:
        os.close(handle)


def prepare_private_file(path: str | os.PathLike[str]) -> Path:
    """Make sure `path` is a private (0600) regular file of ours in a folder only we can change, creating it
    empty if missing, for a library that opens it by name itself (MSAL's token cache). Raises UnsafeFileError.
    """
    target = Path(path)
    if sys.platform == "win32" and target.is_symlink():
        raise UnsafeFileError(target, UnsafeFileProblem.LINK)
    try:
        handle = os.open(target, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0),
                         0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafeFileError(target, UnsafeFileProblem.LINK) from None
        if isinstance(exc, IsADirectoryError) or exc.errno == errno.ENXIO:  # ENXIO: a FIFO nobody reads
            raise UnsafeFileError(target, UnsafeFileProblem.NOT_REGULAR) from None
        raise UnsafeFileError(target, UnsafeFileProblem.UNREADABLE, reason=exc.strerror or str(exc)) from None
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeFileError(target, UnsafeFileProblem.NOT_REGULAR)
        if sys.platform != "win32":
            if info.st_uid != os.getuid():
                raise UnsafeFileError(target, UnsafeFileProblem.WRITABLE_BY_OTHERS)
            os.fchmod(handle, 0o600)  # an older cache made with a looser mode
            folder = _folders_writable_by_others(target)
            if folder is not None:
                raise UnsafeFileError(target, UnsafeFileProblem.FOLDER_WRITABLE_BY_OTHERS, where=folder)
    finally:
        os.close(handle)
    return target


def _size(count: int) -> str:
    return f"{count // (1024 * 1024)} MiB" if count >= 1024 * 1024 else f"{count // 1024} KiB"


def user_file(override_variable: str, name: str, kind: str = "state") -> Path:
    """A per-user file of otpburn's (`kind` state, data or config folder), or the path in `override_variable`."""
    override = os.environ.get(override_variable)
    if override:
        return Path(override)
    from platformdirs import user_config_path, user_data_path, user_state_path

    where = {"data": user_data_path, "config": user_config_path}.get(kind, user_state_path)
    folder = where("otpburn", appauthor=False)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder / name


def _refuse_special(target: Path) -> None:
    """Only regular files are ever replaced: never a device (/dev/null), a FIFO, a socket or a link."""
    try:
        mode = target.lstat().st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise OperationError(f"cannot look at {target}: {exc.strerror}") from None
    if not stat.S_ISREG(mode):
        raise InputError(f"{target} is not a regular file (a device, pipe, socket or link); give a file name")


STALE_TEMP_AGE = 3600.0  # seconds; where a writer's process cannot be asked about (Windows)
TEMP_SUFFIX = ".otpburn-tmp"  # only files with this ending are ever cleaned up
# A temp file's name holds its target's (a leftover one says whose it was) unless that would take it past the 255
# bytes file systems allow a name: the rest (".", the PID, random characters, TEMP_SUFFIX) adds about 40.
_TARGET_NAME_IN_TEMP = 200


def _temp_prefix(target: Path) -> str:
    """`.NAME.PID.`, the start of a temp file's name for `target` (`..PID.` for a name too long to repeat)."""
    name = target.name if len(os.fsencode(target.name)) <= _TARGET_NAME_IN_TEMP else ""
    return f".{name}.{os.getpid()}."


def _process_gone(pid: int) -> bool:
    if sys.platform == "win32":  # os.kill(pid, 0) would terminate it there
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, someone else's
        return False
    return False


def remove_stale_temp_files(folder: Path) -> None:
    """Remove temp files that killed otpburn writers left in `folder` (they may hold secrets).

    A temp file is named `.NAME.PID.RANDOM.otpburn-tmp`: it is stale once process PID is
    gone (or, where that cannot be asked, once it is an hour old). Live writers' files stay.
    """
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if not (entry.name.startswith(".") and entry.name.endswith(TEMP_SUFFIX)):
            continue
        parts = entry.name[: -len(TEMP_SUFFIX)].rsplit(".", 2)
        if len(parts) != 3 or not ascii_digits(parts[1]) or int(parts[1]) == os.getpid():
            continue
        try:
            old = time.time() - entry.stat(follow_symlinks=False).st_mtime > STALE_TEMP_AGE
            if _process_gone(int(parts[1])) or old:
                os.unlink(entry.path)
        except OSError:
            continue  # another cleaner got there first, or it is not ours to remove


def _write_unnamed(folder: Path, target: Path, data: bytes, force: bool) -> bool:
    """Linux: write into an unnamed file (O_TMPFILE) and give it its name only once complete, so that a
    writer killed part-way leaves nothing behind. False where the system or file system has no such file.
    """
    unnamed = getattr(os, "O_TMPFILE", 0)
    if not unnamed or not os.path.isdir("/proc/self/fd"):
        return False
    try:
        handle = os.open(folder, unnamed | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0), 0o600)
    except OSError as exc:
        if exc.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT):
            return False  # no O_TMPFILE here: the named temp file below
        raise OperationError(f"cannot write in {folder}: {exc.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
            here = f"/proc/self/fd/{stream.fileno()}"
            # With a folder descriptor os.link is linkat(AT_SYMLINK_FOLLOW), which names the unnamed file;
            # without one it is link(), which would try to link the /proc entry itself.
            folder_handle = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            try:
                if not force:
                    try:  # linkat refuses an existing name: a file created meanwhile stays
                        os.link(here, target.name, dst_dir_fd=folder_handle, follow_symlinks=True)
                    except FileExistsError:
                        raise InputError(f"{target} already exists; choose another name",
                                         remedy=Remedy.FORCE) from None
                    return True
                # Replacing: a name of its own first (link cannot replace), renamed over the old file at once.
                temporary = folder / f"{_temp_prefix(target)}{os.urandom(6).hex()}{TEMP_SUFFIX}"
                os.link(here, temporary.name, dst_dir_fd=folder_handle, follow_symlinks=True)
            finally:
                os.close(folder_handle)
            try:
                _refuse_special(target)  # checked again at the moment of writing: it may have appeared meanwhile
                os.replace(temporary, target)
            finally:
                if os.path.lexists(temporary):
                    os.unlink(temporary)
            return True
    except OSError as exc:
        raise OperationError(f"cannot write {target}: {exc.strerror}") from None


def write_private(path: str | os.PathLike[str], data: bytes, *, force: bool = False) -> Path:
    """Write `data` to `path` as a 0600 file, complete or not at all.

    Without `force` an existing file is left untouched and an InputError explains why.
    A failure part-way leaves neither a partial file nor a changed old one. On Linux the data goes
    into an unnamed file that gets its name once complete (a writer killed part-way leaves nothing);
    elsewhere into a named temp file that is renamed, and a killed writer's temp file is removed by
    the next write in the same folder.
    """
    target = Path(path)
    try:
        if target.is_dir():
            raise InputError(f"{target} is a folder; give a file name")
        _refuse_special(target)
        if not force and target.exists():
            raise InputError(f"{target} already exists; choose another name", remedy=Remedy.FORCE)
        folder = target.parent if str(target.parent) else Path(".")
        if not folder.is_dir():
            raise InputError(f"the folder {folder} does not exist")
    except OSError as exc:  # a name longer than the file system takes; a folder on the way that cannot be searched
        raise OperationError(f"cannot look at {target}: {exc.strerror}") from None
    remove_stale_temp_files(folder)
    if _write_unnamed(folder, target, data, force):
        return target
    try:
        handle, temp_name = tempfile.mkstemp(prefix=_temp_prefix(target), suffix=TEMP_SUFFIX, dir=folder)
    except OSError as exc:
        raise OperationError(f"cannot write in {folder}: {exc.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as stream:  # mkstemp already created it 0600
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if force:
            _refuse_special(target)  # checked again at the moment of writing: it may have appeared meanwhile
            os.replace(temp_name, target)
        else:
            # link() refuses an existing name, so a file created meanwhile is not clobbered.
            try:
                os.link(temp_name, target)
            except FileExistsError:
                raise InputError(f"{target} already exists; choose another name", remedy=Remedy.FORCE) from None
            except OSError:
                if target.exists():
                    raise InputError(f"{target} already exists; choose another name", remedy=Remedy.FORCE) from None
                os.replace(temp_name, target)  # file systems without hard links
    except OSError as exc:
        raise OperationError(f"cannot write {target}: {exc.strerror}") from None
    finally:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
    return target
