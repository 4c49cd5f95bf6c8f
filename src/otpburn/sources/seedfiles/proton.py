"""Proton Authenticator's JSON export: `version` and an `entries` list whose `content` holds an otpauth `uri`,
an `entry_type` (Totp or Steam) and a `name` (the ExportedAuthenticatorEntry model of Proton's own importer,
proton-pass-common's authenticator crate). Steam entries are refused as everywhere else."""

from __future__ import annotations

from typing import Any

from otpburn.errors import InputError
from otpburn.otp.params import OtpParams
from otpburn.sources.otpauth import STEAM_REFUSAL, parse_uri
from otpburn.sources.seedfiles.model import Entry, Rows, read_entries


def looks_like(document: object) -> bool:
    return isinstance(document, dict) and isinstance(document.get("entries"), list) and "version" in document and \
        any(isinstance(e, dict) and isinstance(e.get("content"), dict) for e in document["entries"][:5])


def read(document: dict[str, Any]) -> Rows:
    return read_entries("Proton Authenticator export", document["entries"], _params, _label)


def _content(entry: Entry) -> Entry:
    content = entry.get("content")
    if not isinstance(content, dict):
        raise InputError("not an account entry")
    return content


def _label(entry: Entry) -> object:
    content = entry.get("content")
    return content.get("name") if isinstance(content, dict) else ""


def _params(entry: Entry) -> OtpParams:
    content = _content(entry)
    if str(content.get("entry_type", "Totp")).lower() == "steam":
        raise InputError(STEAM_REFUSAL)
    uri = content.get("uri")
    if not isinstance(uri, str):
        raise InputError("no otpauth link")
    return parse_uri(uri)
