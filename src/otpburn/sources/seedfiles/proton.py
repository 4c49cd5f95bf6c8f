"""Proton Authenticator's JSON export: `version` and an `entries` list whose `content` holds an otpauth `uri`,
an `entry_type` (Totp or Steam) and a `name` (the ExportedAuthenticatorEntry model of Proton's own importer,
proton-pass-common's authenticator crate). Steam entries are refused as everywhere else."""

from __future__ import annotations

from typing import Any

from otpburn.errors import InputError
from otpburn.sources.otpauth import STEAM_REFUSAL, parse_uri
from otpburn.sources.seedfiles.model import Rows, SeedRecord, printable


def looks_like(document: object) -> bool:
    return isinstance(document, dict) and isinstance(document.get("entries"), list) and "version" in document and \
        any(isinstance(e, dict) and isinstance(e.get("content"), dict) for e in document["entries"][:5])


def read(document: dict[str, Any]) -> Rows:
    found = Rows(kind="Proton Authenticator export")
    for number, entry in enumerate(document["entries"], start=1):
        content = entry.get("content") if isinstance(entry, dict) else None
        if not isinstance(content, dict):
            found.problems.append(f"entry {number}: not an entry")
            continue
        name = content.get("name") if isinstance(content.get("name"), str) else ""
        where = f"entry {number}" + (f" ({printable(name, 60)})" if name else "")
        try:
            if str(content.get("entry_type", "Totp")).lower() == "steam":
                raise InputError(STEAM_REFUSAL)
            uri = content.get("uri")
            if not isinstance(uri, str):
                raise InputError("no otpauth link")
            params = parse_uri(uri)
        except InputError as exc:
            found.problems.append(f"{where}: {exc.message}")
            continue
        found.records.append(SeedRecord("", params, number, unit="entry"))
    return found
