"""The Battle.net Authenticator's data (its shared preferences, from a rooted or backed-up phone).

The older app (com.blizzard.bma) keeps `com.blizzard.bma.AUTH_STORE.HASH`: the secret's 40 hex digits followed by
the authenticator's serial ("US-2211-2050-3346"), each byte XORed with a fixed 57-byte mask the app ships. The
Battle.net app (com.blizzard.messenger) keeps `…AUTHENTICATOR_DEVICE_SECRET` and `…AUTHENTICATOR_SERIAL` apart,
masked the same way. Its codes are standard TOTP: SHA-1, 8 digits, every 30 s.

Sources: Aegis's BattleNetImporter (the mask and the newer keys) and its test file battle_net_authenticator.xml,
which reads here to the secret and serial Aegis finds; WinAuth documents the same mask.
"""

from __future__ import annotations

from otpburn.errors import InputError
from otpburn.otp.params import OtpParams
from otpburn.sources.seedfiles.model import Rows, add_record

KIND = "Battle.net Authenticator data"
OLD_STORE = "com.blizzard.bma.AUTH_STORE.HASH"
SECRET = "com.blizzard.messenger.AUTHENTICATOR_DEVICE_SECRET"  # noqa: S105 (a preference's name)
SERIAL = "com.blizzard.messenger.AUTHENTICATOR_SERIAL"
_MASK = bytes.fromhex("398e27fc50276a656065b0e525f4c06c04c61075286b8e7aeda59da9813b5dd6c80d2fb38068773fa59ba47c17ca6c"
                      "6479015c1d5b8b8f6b9a")
_SECRET_DIGITS = 40  # 20 bytes, in hex


def looks_like(strings: dict[str, str]) -> bool:
    return OLD_STORE in strings or SECRET in strings


def read(strings: dict[str, str]) -> Rows:
    found = Rows(kind=KIND)
    if OLD_STORE in strings:
        add_record(found, 1, "authenticator", "", _old_store, strings[OLD_STORE])
    else:
        add_record(found, 1, "authenticator", "", _params, strings[SECRET], strings.get(SERIAL, ""))
    return found


def _unmasked(text: str) -> str:
    try:
        masked = bytes.fromhex(text.strip())
    except ValueError:
        raise InputError("its stored value is not the app's masked hex (the file is damaged)") from None
    if len(masked) > len(_MASK):
        raise InputError("its stored value is longer than the app writes (the file is damaged)")
    try:
        return bytes(byte ^ mask for byte, mask in zip(masked, _MASK, strict=False)).decode("ascii")
    except UnicodeDecodeError:
        raise InputError("its stored value does not unmask to text (the file is damaged)") from None


def _old_store(text: str) -> OtpParams:
    plain = _unmasked(text)
    return _params_from(plain[:_SECRET_DIGITS], plain[_SECRET_DIGITS:])


def _params(secret: str, serial: str) -> OtpParams:
    return _params_from(_unmasked(secret), _unmasked(serial) if serial.strip() else "")


def _params_from(secret_hex: str, serial: str) -> OtpParams:
    try:
        secret = bytes.fromhex(secret_hex)
    except ValueError:
        raise InputError("its secret does not unmask to hex (the file is damaged)") from None
    if len(secret) != _SECRET_DIGITS // 2:
        raise InputError("its secret is not the 20 bytes the app keeps (the file is damaged)")
    return OtpParams(secret=secret, digits=8, issuer="Battle.net", account=serial)
