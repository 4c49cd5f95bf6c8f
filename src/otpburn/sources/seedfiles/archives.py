"""Zip archives apps export: Proton Pass's (`Proton Pass/data.json`) and Authenticator Plus's (a password-protected
zip holding `Accounts.txt`, otpauth links one per line — Aegis's AuthenticatorPlusImporter). Python's zipfile
opens them, including the traditional zip encryption; a member sealed with WinZip's AES, which zipfile does not
decrypt, is named with what to do instead. Sizes are bounded before anything is inflated.
"""

from __future__ import annotations

import io
import json
import zipfile
import zlib

from otpburn.errors import InputError, Remedy
from otpburn.sources.seedfiles.csv_layouts import read_text
from otpburn.sources.seedfiles.model import Rows, Unlock, printable, refuse_bloated_json
from otpburn.sources.seedfiles.password_crypto import ask_password
from otpburn.sources.seedfiles.proton_pass import DATA as PROTON_PASS_DATA
from otpburn.sources.seedfiles.proton_pass import ENCRYPTED_DATA as PROTON_PASS_ENCRYPTED_DATA
from otpburn.sources.seedfiles.proton_pass import read as read_proton_pass

MAX_MEMBER_BYTES = 64 * 1024 * 1024
AUTHENTICATOR_PLUS = "Accounts.txt"
_AES = 99  # the compression method WinZip's AES encryption records


def read(path: str, data: bytes, unlock: Unlock) -> Rows:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError):
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
    raise InputError(f"{path}: a zip archive otpburn does not know (it reads Proton Pass and Authenticator Plus "
                     "exports): unzip it and load the seed file inside")


def _member(path: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo, unlock: Unlock, app: str) -> bytes:
    name = printable(info.filename, 80)  # the archive's own text
    if info.file_size > MAX_MEMBER_BYTES:
        raise InputError(f"{path}: its {name} would unpack to more than {MAX_MEMBER_BYTES // 2**20} MiB; that is "
                         f"not {_article(app)} {app}")
    if info.compress_type == _AES:
        raise InputError(f"{path}: {_article(app)} {app} in a zip sealed with AES, which otpburn does not open: "
                         f"unzip it (7-Zip, or `7z x`), load {name.rsplit('/', 1)[-1]}, then delete both")
    secret = None
    if info.flag_bits & 0x1:  # encrypted with the traditional zip encryption
        secret = ask_password(path, unlock, f"a password-protected {app}")
    try:
        with archive.open(info, pwd=secret) as member:
            content = member.read(MAX_MEMBER_BYTES + 1)
    except RuntimeError:  # zipfile's "Bad password for file"
        raise InputError(f"{path}: wrong password for this {app} (or the file is damaged)",
                         remedy=Remedy.SEED_FILE_PASSWORD) from None
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, OSError, EOFError, ValueError):
        raise InputError(f"{path}: a damaged {app} (its {name} does not unpack)") from None
    if len(content) > MAX_MEMBER_BYTES:  # the header understated it
        raise InputError(f"{path}: its {name} unpacks to more than {MAX_MEMBER_BYTES // 2**20} MiB; that is not "
                         f"{_article(app)} {app}")
    return content


def _decoded(path: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path}: a damaged Authenticator Plus backup (its accounts are not text)") from None


def _article(app: str) -> str:
    return "an" if app[0] in "AEIOU" else "a"
