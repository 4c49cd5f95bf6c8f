"""Writing files that may hold secrets: private (0600), atomic, never silently overwritten."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from otpburn.errors import InputError, OperationError


def write_private(path: str | os.PathLike[str], data: bytes, *, force: bool = False) -> Path:
    """Write `data` to `path` as a 0600 file via a temp file and rename.

    Without `force` an existing file is left untouched and an InputError explains why.
    A failure part-way leaves neither a partial file nor a changed old one.
    """
    target = Path(path)
    if target.is_dir():
        raise InputError(f"{target} is a folder; give a file name")
    if not force and target.exists():
        raise InputError(f"{target} already exists; choose another name or use --force to replace it")
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
            os.replace(temp_name, target)
        else:
            # link() refuses an existing name, so a file created meanwhile is not clobbered.
            try:
                os.link(temp_name, target)
            except FileExistsError:
                raise InputError(f"{target} already exists; choose another name or use --force to replace it") from None
            except OSError:
                if target.exists():
                    raise InputError(f"{target} already exists; choose another name or use --force") from None
                os.replace(temp_name, target)  # file systems without hard links
    except OSError as exc:
        raise OperationError(f"cannot write {target}: {exc.strerror}") from None
    finally:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
    return target
