"""What each identity system takes, once, for its registrar and for the import file written for it.

Where a system's two ways in differ, the difference is written here as such: Entra ID's CSV upload has
no column for the hash function, so it takes SHA-1 only, while Microsoft Graph takes SHA-1 and SHA-256.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from otpburn.otp.codec import base32_length
from otpburn.otp.params import Algorithm, OtpParams, OtpType
from otpburn.otp.refusals import Refusal, RefusalKind

ALL_ALGORITHMS = frozenset(Algorithm)


@dataclass(frozen=True)
class Accepts:
    """The accounts an identity system takes: `holder` names the system or its import (as IMPORT_NAMES keys it)."""

    holder: str
    types: frozenset[OtpType] = frozenset(OtpType)
    algorithms: frozenset[Algorithm] = field(default=ALL_ALGORITHMS)
    periods: frozenset[int] | None = None  # None: any period
    digits: frozenset[int] | None = None  # None: any number of digits a token shows
    max_base32: int | None = None  # the longest secret, in base32 characters
    needs_serial: bool = True  # tokens are filed by serial number

    def refusals(self, params: OtpParams, serial: str | None = None) -> list[Refusal]:
        """Why `params` (for the token `serial`, when known) cannot go in; empty when they can."""
        found = []
        if params.type not in self.types:
            found.append(Refusal(RefusalKind.TYPE, self.holder, params.type, tuple(sorted(self.types))))
        if params.algorithm not in self.algorithms:
            found.append(Refusal(RefusalKind.ALGORITHM, self.holder, params.algorithm, tuple(sorted(self.algorithms))))
        if params.type is OtpType.TOTP and self.periods is not None and params.period not in self.periods:
            found.append(Refusal(RefusalKind.PERIOD, self.holder, params.period, tuple(sorted(self.periods))))
        if self.digits is not None and params.digits not in self.digits:
            found.append(Refusal(RefusalKind.DIGITS, self.holder, params.digits, tuple(sorted(self.digits))))
        if self.max_base32 is not None and base32_length(params.secret) > self.max_base32:
            found.append(Refusal(RefusalKind.BASE32_TOO_LONG, self.holder, base32_length(params.secret),
                                 (self.max_base32,)))
        if self.needs_serial and serial is not None and not serial:
            found.append(Refusal(RefusalKind.SERIAL_MISSING, self.holder, ""))
        return found


# Microsoft Graph's hardwareOathDevices: TOTP, hmacsha1 or hmacsha256, 30 or 60 s, 6 digits, base32 <= 128.
ENTRA = Accepts("entra", frozenset({OtpType.TOTP}), frozenset({Algorithm.SHA1, Algorithm.SHA256}),
                frozenset({30, 60}), frozenset({6}), 128)
# Entra's CSV upload: the same, but its columns have no hash function, and that means SHA-1.
ENTRA_CSV = replace(ENTRA, holder="entra-csv", algorithms=frozenset({Algorithm.SHA1}))
# privacyIDEA holds HOTP and TOTP with SHA-1/256/512, any digits and step a token shows.
PRIVACYIDEA = Accepts("privacyidea")
# Okta's custom OTP factor: what it computes is set on its factor profile (HOTP or TOTP, SHA-1/256/512, 6 to 8
# digits), so the token's settings are the administrator's to match; a factor is filed by user, not serial.
OKTA = Accepts("okta", digits=frozenset({6, 7, 8}), needs_serial=False)
# Duo's Admin API hardware tokens: SHA-1 HOTP (h6, h8) and TOTP (t6, t8), 30 or 60 s.
DUO = Accepts("duo", frozenset(OtpType), frozenset({Algorithm.SHA1}), frozenset({30, 60}), frozenset({6, 8}))
# Duo's Import Hardware Tokens (the admin panel's CSV): the same, TOTP only.
DUO_CSV = replace(DUO, holder="duo-csv", types=frozenset({OtpType.TOTP}))
# DualShield's token import file ("V5"): TOTP with HmacSHA1/256/512, 6 or 8 digits, 30 or 60 s, filed by serial.
DUALSHIELD = Accepts("dualshield", frozenset({OtpType.TOTP}), periods=frozenset({30, 60}), digits=frozenset({6, 8}))
