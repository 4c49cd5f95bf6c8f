"""Writing files that may hold secrets: private (0600), atomic, never silently overwritten."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from otpburn.errors import InputError, OperationError, Remedy


def read_input_file(path: str | os.PathLike[str], what: str, max_bytes: int) -> bytes:
    """A file the user named, at most `max_bytes` long, or an InputError that says what is wrong.

    `what` names the kind of file expected ("image", "seed file") for the messages.
    """
    label = str(path)
    try:
        with open(path, "rb") as stream:
            data = stream.read(max_bytes + 1)
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


def decode_text(data: bytes, origin: str, hint: str = "") -> str:
    """UTF-8 text (a BOM is fine) from bytes a user gave us, or an InputError naming `origin`."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{origin} is not UTF-8 text{hint}") from None
    if "\0" in text:
        raise InputError(f"{origin} is binary data, not text")
    return text


def _size(count: int) -> str:
    return f"{count // (1024 * 1024)} MiB" if count >= 1024 * 1024 else f"{count // 1024} KiB"


def user_file(override_variable: str, name: str, kind: str = "state") -> Path:
    """A per-user file of otpburn's (`kind` state or data folder), or the path in `override_variable`."""
    override = os.environ.get(override_variable)
    if override:
        return Path(override)
    from platformdirs import user_data_path, user_state_path

    folder = (user_data_path if kind == "data" else user_state_path)("otpburn", appauthor=False)
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


def write_private(path: str | os.PathLike[str], data: bytes, *, force: bool = False) -> Path:
    """Write `data` to `path` as a 0600 file via a temp file and rename.

    Without `force` an existing file is left untouched and an InputError explains why.
    A failure part-way leaves neither a partial file nor a changed old one.
    """
    target = Path(path)
    if target.is_dir():
        raise InputError(f"{target} is a folder; give a file name")
    _refuse_special(target)
    if not force and target.exists():
        raise InputError(f"{target} already exists; choose another name", remedy=Remedy.FORCE)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"the folder {folder} does not exist")
    try:
        handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
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
