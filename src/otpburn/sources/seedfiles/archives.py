"""Zip archives apps export: Proton Pass's (`Proton Pass/data.json`) and Authenticator Plus's (a password-protected
zip holding `Accounts.txt`, otpauth links one per line — Aegis's AuthenticatorPlusImporter, which opens it with
zip4j: the traditional zip encryption or WinZip's AES). pyzipper opens both (Python's zipfile does not decrypt
WinZip's AES). Sizes are bounded before anything is inflated.

Vendors deliver seed files in password-protected zips too: Token2 ("in a password-protected zip file", "Requesting
factory-set seeds for Token2 hardware tokens") and Feitian (a zip renamed to .pdf, "FEITIAN OTP Seed Process"). A zip
holding one file is read as the seed file inside it, one level deep.
"""

from __future__ import annotations

import io
import json
import lzma
import struct
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from otpburn.errors import InputError, Remedy
from otpburn.sources.seedfiles.csv_layouts import read_text
from otpburn.sources.seedfiles.model import Rows, Unlock, printable, refuse_bloated_json
from otpburn.sources.seedfiles.password_crypto import ask_password
from otpburn.sources.seedfiles.proton_pass import DATA as PROTON_PASS_DATA
from otpburn.sources.seedfiles.proton_pass import ENCRYPTED_DATA as PROTON_PASS_ENCRYPTED_DATA
from otpburn.sources.seedfiles.proton_pass import read as read_proton_pass

if TYPE_CHECKING:
    import pyzipper

MAX_MEMBER_BYTES = 64 * 1024 * 1024
AUTHENTICATOR_PLUS = "Accounts.txt"


ZIP_SIGNATURE = b"PK\x03\x04"


def read(path: str, data: bytes, unlock: Unlock, read_inside: Callable[[str, bytes, Unlock], Rows]) -> Rows:
    """The records of a zip archive; `read_inside` reads the one seed file a vendor's zip holds (named `path:file`,
    so that its suffix still helps tell its format)."""
    import pyzipper  # zips only (~44 ms, with pycryptodomex)

    try:
        archive = pyzipper.AESZipFile(io.BytesIO(data))
    except (pyzipper.BadZipFile, ValueError, EOFError, struct.error, NotImplementedError):
        # NotImplementedError: a "version needed to extract" beyond what pyzipper reads, as damage writes it
        raise InputError(f"{path}: a damaged zip archive") from None
    with archive:
        members = {info.filename: info for info in archive.infolist()}
        if PROTON_PASS_ENCRYPTED_DATA in members:
            raise InputError(f"{path}: a Proton Pass export encrypted with a PGP passphrase; otpburn does not "
                             "decrypt it: export again from Proton Pass without encryption, load that, then delete "
                             "it")
        if PROTON_PASS_DATA in members:
            text = _member(path, archive, members[PROTON_PASS_DATA], unlock, "Proton Pass export")
            refuse_bloated_json(path, text)
            try:
                document = json.loads(text)
            except (ValueError, RecursionError):
                raise InputError(f"{path}: a damaged Proton Pass export (its data.json is not JSON)") from None
            try:
                return read_proton_pass(document)
            except InputError as exc:
                raise InputError(f"{path}: a Proton Pass export that otpburn cannot read ({exc.message})") from None
        accounts = next((info for name, info in members.items() if name.rsplit("/", 1)[-1] == AUTHENTICATOR_PLUS),
                        None)
        if accounts is not None:
            text = _member(path, archive, accounts, unlock, "Authenticator Plus backup")
            found = read_text(path, _decoded(path, text))
            found.kind = "Authenticator Plus backup"
            return found
        files = [info for info in members.values() if not info.is_dir() and not info.filename.startswith("__MACOSX/")]
        if len(files) == 1:  # a vendor's seed delivery
            inside = _member(path, archive, files[0], unlock, "zip archive", member_is="seed file")
            name = printable(files[0].filename, 80)
            if inside.startswith(ZIP_SIGNATURE):
                raise InputError(f"{path}: a zip archive inside a zip archive ({name}): unzip both, load the seed file "
                                 "inside, then delete them")
            found = read_inside(f"{path}:{name}", inside, unlock)
            found.kind = f"{found.kind or 'seed file'} in a zip archive"
            return found
    raise InputError(f"{path}: a zip archive otpburn does not know (it reads Proton Pass and Authenticator Plus "
                     "exports, and zips holding one seed file): unzip it and load the seed file inside")


def _member(path: str, archive: pyzipper.AESZipFile, info: pyzipper.ZipInfo, unlock: Unlock, app: str, *,
            member_is: str = "") -> bytes:
    """The unpacked `info` of `app` (what the password and damage lines name); `member_is` is what a member that large
    cannot be (the app itself, unless given)."""
    import pyzipper

    member_is = member_is or app
    name = printable(info.filename, 80)  # the archive's own text
    if info.file_size > MAX_MEMBER_BYTES:
        raise InputError(f"{path}: its {name} would unpack to more than {MAX_MEMBER_BYTES // 2**20} MiB; that is "
                         f"not {_article(member_is)} {member_is}")
    encrypted = bool(info.flag_bits & 0x1)  # the traditional zip encryption or WinZip's AES
    secret = ask_password(path, unlock, f"a password-protected {app}") if encrypted else None
    wrong_password = InputError(f"{path}: wrong password for this {app} (or the file is damaged)",
                                remedy=Remedy.SEED_FILE_PASSWORD)
    damaged = InputError(f"{path}: a damaged {app} (its {name} does not unpack)")
    try:
        with archive.open(info, pwd=secret) as member:
            content: bytes = member.read(MAX_MEMBER_BYTES + 1)
    except NotImplementedError:  # a compression method pyzipper lacks (Deflate64, PPMd); a RuntimeError, so first
        raise InputError(f"{path}: its {name} is compressed in a way otpburn cannot unpack: unzip it (7-Zip, or "
                         f"`7z x`), load {name.rsplit('/', 1)[-1]}, then delete both") from None
    except RuntimeError:  # "Bad password for file": the password check in the member's header failed
        raise wrong_password from None
    except (struct.error, IndexError, KeyError, AttributeError):  # pyzipper reading an encryption header cut short
        # or naming an AES key size that does not exist, or an AES header on a member not marked encrypted
        raise damaged from None
    except (pyzipper.BadZipFile, zlib.error, lzma.LZMAError, OSError, EOFError, ValueError):
        # The password check is one byte (traditional encryption) or two (AES): one wrong password in 256, or in
        # 65 536, passes it and fails only here, at the CRC, the inflating or AES's authentication code.
        raise (wrong_password if encrypted else damaged) from None
    if len(content) > MAX_MEMBER_BYTES:  # the header understated it
        raise InputError(f"{path}: its {name} unpacks to more than {MAX_MEMBER_BYTES // 2**20} MiB; that is not "
                         f"{_article(member_is)} {member_is}")
    return content


def _decoded(path: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path}: a damaged Authenticator Plus backup (its accounts are not text)") from None


def _article(app: str) -> str:
    return "an" if app[0] in "AEIOU" else "a"
