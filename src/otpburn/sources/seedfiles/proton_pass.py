"""Proton Pass's export: a zip holding `Proton Pass/data.json` — `encrypted` false, and `vaults` by id, each with
a `name` and its `items`; a login item's `data` has `type` "login", `metadata.name`, and `content` with
`itemUsername`, `itemEmail` and `totpUri` (an otpauth link or a bare base32 key), plus `extraFields` of type
"totp" whose `data.totpUri` holds more. An export made with a PGP passphrase holds `Proton Pass/data.pgp`
instead: named, not opened.

Sources: Proton's help page "How to export data from Proton Pass" and Aegis's ProtonPassImporter (the zip member
and the item fields it reads).
"""

from __future__ import annotations

from typing import Any

from otpburn.errors import InputError
from otpburn.sources.seedfiles.bitwarden import totp_params
from otpburn.sources.seedfiles.model import Rows, add_record

KIND = "Proton Pass export"
DATA = "Proton Pass/data.json"
ENCRYPTED_DATA = "Proton Pass/data.pgp"


def read(document: object) -> Rows:
    if not isinstance(document, dict) or not isinstance(document.get("vaults"), dict):
        raise InputError("its data.json holds no vaults")
    if document.get("encrypted") is True:
        raise InputError("its items are encrypted")
    found = Rows(kind=KIND)
    number, without = 0, 0
    for vault in document["vaults"].values():
        items = vault.get("items") if isinstance(vault, dict) else None
        for item in items if isinstance(items, list) else []:
            number += 1
            keys = _totp_keys(item)
            if not keys:
                without += 1
            name, user = _names(item)
            for key in keys:
                add_record(found, number, "item", name, totp_params, key, name, user)
    if without:
        found.notes.append(f"{without} item(s) hold no TOTP key and were left out")
    return found


def _data(item: object) -> dict[str, Any]:
    data = item.get("data") if isinstance(item, dict) else None
    return data if isinstance(data, dict) else {}


def _totp_keys(item: object) -> list[str]:
    data = _data(item)
    content = data.get("content")
    keys = []
    if data.get("type") == "login" and isinstance(content, dict) and isinstance(content.get("totpUri"), str):
        keys.append(content["totpUri"])
    for extra in data.get("extraFields") or []:
        if isinstance(extra, dict) and extra.get("type") == "totp" and isinstance(extra.get("data"), dict):
            keys.append(extra["data"].get("totpUri") or "")
    return [key for key in keys if key.strip()]


def _names(item: object) -> tuple[str, str]:
    data = _data(item)
    metadata, content = data.get("metadata"), data.get("content")
    name = metadata.get("name") if isinstance(metadata, dict) else ""
    user = ""
    if isinstance(content, dict):
        user = content.get("itemUsername") or content.get("itemEmail") or ""
    return (name if isinstance(name, str) else ""), (user if isinstance(user, str) else "")
