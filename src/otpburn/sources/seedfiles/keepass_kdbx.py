"""KeePass databases (`.kdbx`, KDBX 3.1 and 4), opened by KeePassXC's own command-line tool.

Every maintained kdbx reader for Python is GPL (pykeepass, libkeepass), which otpburn, MIT-licensed, cannot
import; KDBX 3.1 also protects its values with Salsa20, which none of otpburn's cryptography libraries offers.
KeePassXC's `keepassxc-cli export --format xml` (tested with KeePassXC 2.7.4) opens the database — both KDBX
versions, every cipher and key derivation KeePass knows — and writes the same XML that KeePass's "Export → KeePass
XML" does, which keepass_xml.py reads. The tool runs as a separate program: the password goes to it on standard
input (never on its command line), the export comes back through a pipe and is never written to a file.

A key file the user names is copied beside the database (an empty password with it means a database opened by
the key file alone); a database that needs a YubiKey is exported as XML by hand.

Before the tool runs (and before the password is asked for), the key derivation the database's outer header asks
for is bounded, as otpburn bounds every file's: a damaged byte there (one found by fuzzing made an Argon2 of 65 550
passes over 64 MiB) would otherwise keep KeePassXC busy for hours. The header is read by hand, as no MIT-licensed
library reads it: KeePass's file format (KDBX 3.1: field 6, the AES-KDF's rounds; KDBX 4: field 11, a variant
dictionary holding the KDF's UUID and its "R" rounds, or Argon2's "I" passes, "M" memory in bytes and "P" lanes).
"""

from __future__ import annotations

import os
import shutil
import struct
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
    refuse_costly_kdf(path, data)
    key_file = unlock.key_file() if unlock.key_file is not None else None
    password = password_text(path, unlock, "a KeePass database")
    if "\n" in password or "\r" in password:
        raise InputError(f"{path}: a KeePass password with a line break cannot be handed to {TOOL}; "
                         f"{EXPORT_BY_HAND}")
    exported = _export(path, tool, data, password, key_file)
    found = read_keepass_xml(path, exported)
    found.kind = KIND
    return found


# Far beyond what KeePass and KeePassXC calibrate (about a second's work on the machine that saved the database),
# low enough that a damaged high byte is caught.
MAX_AES_KDF_ROUNDS = 1_000_000_000
MAX_ARGON2_MEMORY = 4 * 2**30  # bytes
MAX_ARGON2_WORK = 256 * 2**30  # passes × memory: 256 passes over 1 GiB, or 4 096 over 64 MiB
_AES_KDF_UUID = bytes.fromhex("c9d9f39a628a4460bf740d08c18a4fea")
_AES_KDF = {_AES_KDF_UUID, bytes.fromhex("7c02bb8279a74ac0927d114a00648238")}  # and the one KeePassXC gives KDBX 3.1
_ARGON2 = {bytes.fromhex("ef636ddf8c29444b91f7a9a403e30a0c"), bytes.fromhex("9e298b1956db4773b23dfc3ec6f0a1e6")}


def refuse_costly_kdf(path: str, data: bytes) -> None:
    """Refuse a database whose key derivation asks for more than MAX_* (or whose header does not parse)."""
    try:
        kdf = _kdf_parameters(data)
    except (struct.error, ValueError, IndexError):
        raise InputError(f"{path}: a damaged KeePass database (its header does not parse)") from None
    rounds = kdf.get("R")
    if kdf.get("$UUID") in _AES_KDF and isinstance(rounds, int) and rounds > MAX_AES_KDF_ROUNDS:
        raise InputError(f"{path}: its key derivation asks for {rounds} AES-KDF rounds; otpburn does at most "
                         f"{MAX_AES_KDF_ROUNDS} (is the file damaged?)")
    passes, memory = kdf.get("I"), kdf.get("M")
    if kdf.get("$UUID") in _ARGON2 and isinstance(passes, int) and isinstance(memory, int) and \
            (memory > MAX_ARGON2_MEMORY or passes * memory > MAX_ARGON2_WORK):
        raise InputError(f"{path}: its key derivation asks for Argon2 with {passes} passes over {memory // 2**20} "
                         f"MiB; otpburn does at most 256 passes over 1 GiB, or the same work with less memory, and "
                         "4 GiB (is the file damaged?)")


def _kdf_parameters(data: bytes) -> dict[str, object]:
    """The outer header's key derivation settings: KDBX 4's variant dictionary, or KDBX 3.1's AES-KDF rounds as
    {"$UUID": AES-KDF, "R": rounds}; empty when the header holds none (the tool then says what is wrong)."""
    major = struct.unpack_from("<H", data, 10)[0]
    at = 12
    while True:
        if major >= 4:
            field, size = struct.unpack_from("<BI", data, at)
            at += 5
        else:
            field, size = struct.unpack_from("<BH", data, at)
            at += 3
        value = data[at:at + size]
        if len(value) != size:
            raise ValueError("the header ends inside a field")
        at += size
        if field == 0:
            return {}
        if field == 6 and major < 4 and size == 8:  # KDBX 3.1: TransformRounds
            return {"$UUID": _AES_KDF_UUID, "R": struct.unpack("<Q", value)[0]}
        if field == 11 and major >= 4:  # KDBX 4: KdfParameters
            return _variant_dictionary(value)


def _variant_dictionary(data: bytes) -> dict[str, object]:
    """KeePass's VariantDictionary: a version (major byte 1), then typed entries up to a type 0."""
    if struct.unpack_from("<H", data, 0)[0] >> 8 != 1:
        raise ValueError("not a version 1 variant dictionary")
    entries: dict[str, object] = {}
    at = 2
    while (kind := data[at]) != 0:
        key_size = struct.unpack_from("<i", data, at + 1)[0]
        if key_size < 0:
            raise ValueError("a key of negative size")
        key = data[at + 5:at + 5 + key_size].decode("utf-8", "replace")
        at += 5 + key_size
        value_size = struct.unpack_from("<i", data, at)[0]
        value = data[at + 4:at + 4 + value_size]
        if value_size < 0 or len(value) != value_size:
            raise ValueError("a value runs past the dictionary")
        at += 4 + value_size
        if kind in (0x04, 0x05) and value_size in (4, 8):  # UInt32, UInt64
            entries[key] = int.from_bytes(value, "little")
        elif kind == 0x42:  # byte array
            entries[key] = value
    return entries


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
