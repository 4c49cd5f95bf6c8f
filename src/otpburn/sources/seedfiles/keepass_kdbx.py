"""KeePass databases (`.kdbx`, KDBX 3.1 and 4), opened by KeePassXC's own command-line tool.

Every maintained kdbx reader for Python is GPL (pykeepass, libkeepass), which otpburn, MIT-licensed, cannot
import; KDBX 3.1 also protects its values with Salsa20, which none of otpburn's cryptography libraries offers.
KeePassXC's `keepassxc-cli export --format xml` (tested with KeePassXC 2.7.4) opens the database — both KDBX
versions, every cipher and key derivation KeePass knows — and writes the same XML that KeePass's "Export → KeePass
XML" does, which keepass_xml.py reads. The tool runs as a separate program: the password goes to it on standard
input (never on its command line), the export comes back through a pipe and is never written to a file.

A key file the user names is copied beside the database (an empty password with it means a database opened by
the key file alone); a database that needs a YubiKey is exported as XML by hand.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from otpburn.errors import InputError, Remedy
from otpburn.sources.seedfiles.keepass_xml import read as read_keepass_xml
from otpburn.sources.seedfiles.model import Rows, Unlock
from otpburn.sources.seedfiles.password_crypto import password_text
from otpburn.untrusted import tame

SIGNATURE = bytes.fromhex("03d9a29a67fb4bb5")  # KeePass 2.x signatures 0x9AA2D903, 0xB54BFB67, little-endian
KIND = "KeePass database"
TOOL = "keepassxc-cli"
# Where KeePassXC's installers put the tool when it is not on PATH.
_INSTALLED_AT = ("/Applications/KeePassXC.app/Contents/MacOS/keepassxc-cli",
                 r"C:\Program Files\KeePassXC\keepassxc-cli.exe")
MAX_KEY_FILE_BYTES = 16 * 2**20  # KeePass takes any file as a key file (hashing what is not a key); this bounds it
EXPORT_BY_HAND = ("export it as XML (KeePass: File → Export → KeePass XML (2.x); KeePassXC: Database → Export → "
                  "XML file), load that, then delete it")


def find_tool() -> str | None:
    """KeePassXC's command-line tool: on PATH, or where KeePassXC's installers put it."""
    return shutil.which(TOOL) or next((place for place in _INSTALLED_AT if os.path.isfile(place)), None)


def read(path: str, data: bytes, unlock: Unlock) -> Rows:
    tool = find_tool()
    if tool is None:
        raise InputError(f"{path}: a KeePass database; otpburn opens it with KeePassXC's {TOOL}, which is not "
                         f"installed: install KeePassXC, or {EXPORT_BY_HAND}")
    key_file = unlock.key_file() if unlock.key_file is not None else None
    password = password_text(path, unlock, "a KeePass database")
    if "\n" in password or "\r" in password:
        raise InputError(f"{path}: a KeePass password with a line break cannot be handed to {TOOL}; "
                         f"{EXPORT_BY_HAND}")
    exported = _export(path, tool, data, password, key_file)
    found = read_keepass_xml(path, exported)
    found.kind = KIND
    return found


def _export(path: str, tool: str, data: bytes, password: str, key_file: bytes | None) -> bytes:
    """The database's XML export, from the bytes already read (standard input has no path to hand over)."""
    with tempfile.TemporaryDirectory(prefix="otpburn-kdbx-") as folder:  # private: mode 0700
        database = _private_copy(Path(folder, "database.kdbx"), data)
        command = [tool, "export", "--format", "xml"]
        if key_file is not None:
            command += ["--key-file", str(_private_copy(Path(folder, "database.key"), key_file))]
            if not password:  # opened by the key file alone
                command.append("--no-password")
        try:
            result = subprocess.run(  # noqa: S603  a fixed tool and arguments; the password goes on stdin
                [*command, str(database)], input=(password + "\n").encode("utf-8"), capture_output=True,
                check=False, creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))
        except OSError as exc:
            raise InputError(f"{path}: {TOOL} could not be started ({tame(exc.strerror or str(exc))})") from None
    if result.returncode != 0:
        refused = f"{path}: KeePassXC could not open this KeePass database ({_tool_says(result.stderr)})"
        if key_file is not None:
            raise InputError(f"{refused}; check the password and the key file")
        raise InputError(refused, remedy=Remedy.KEEPASS_KEY_FILE)  # nothing tells a wrong password from a missing key
    return result.stdout


def _private_copy(path: Path, data: bytes) -> Path:
    """`data` in a new file only its owner reads (the database is encrypted; its key file is not)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
    return path


def _tool_says(stderr: bytes) -> str:
    """The tool's error line (or else its first line after the password prompt: Qt may warn before it), tamed."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines()]
    said = [line for line in lines if line and not line.startswith("Enter password")]
    said = [line for line in said if line.startswith("Error")] or said
    return tame(said[0], 160).rstrip(".") if said else f"{TOOL} stopped without saying why"  # it goes in brackets
