"""Duo Mobile's account list (files/duokit/accounts.json in the app's data, from a rooted or backed-up phone): a
JSON list of accounts, each with a `name` and, for an account added from a QR code, an `otpGenerator` holding the
base32 `otpSecret` and, for HOTP, a `counter`. Duo Mobile makes 6-digit SHA-1 codes, every 30 s for TOTP. Duo's
own push accounts hold no OTP key.

Source: Aegis's DuoImporter and its test file duo.json, which reads here to the accounts Aegis checks it against.
"""

from __future__ import annotations

from otpburn.errors import InputError
from otpburn.otp.params import OtpParams, OtpType
from otpburn.sources.seedfiles.model import Entry, Rows, add_record, base32_field, note_app_defaults

KIND = "Duo Mobile accounts"


def looks_like(document: object) -> bool:
    return isinstance(document, list) and any(isinstance(item, dict) and "otpGenerator" in item
                                              for item in document[:20])


def read(document: list[object]) -> Rows:
    found = Rows(kind=KIND)
    push = 0
    for number, entry in enumerate(document, start=1):
        if isinstance(entry, dict) and "otpGenerator" not in entry:
            push += 1  # a Duo push account: no OTP key
            continue
        if not isinstance(entry, dict):
            found.problems.append(f"entry {number}: not an account entry")
            continue
        add_record(found, number, "entry", _label(entry), _params, entry)
    note_app_defaults(found, "Duo Mobile", "algorithm, digits or period", "SHA-1, 6 digits and 30 s")
    if push:
        found.notes.append(f"{push} Duo push account(s) hold no OTP key and were left out")
    return found


def _label(entry: Entry) -> str:
    name = entry.get("name")
    return name if isinstance(name, str) else ""


def _params(entry: Entry) -> OtpParams:
    generator = entry.get("otpGenerator")
    if not isinstance(generator, dict):
        raise InputError("no secret")
    name = entry.get("name")
    account = name if isinstance(name, str) else ""
    counter = generator.get("counter")
    if counter is None:
        return OtpParams(secret=base32_field(generator.get("otpSecret")), account=account)
    return OtpParams(secret=base32_field(generator.get("otpSecret")), type=OtpType.HOTP, counter=counter,
                     account=account)
