"""The burn of any family: the family burn for the session's type, run on the shared step core."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from otpburn.errors import OperationError
from otpburn.otp.params import OtpParams
from otpburn.provisioning.burn.molto2 import Molto2Burn
from otpburn.provisioning.burn.oath import OathBurn
from otpburn.provisioning.burn.steps import BurnOptions, BurnReport, FamilyBurn, Step, run_burn
from otpburn.provisioning.burn.token2 import Token2Burn
from otpburn.tokens.base import TokenSession
from otpburn.tokens.molto2 import Molto2Session
from otpburn.tokens.token2 import Token2Session
from otpburn.tokens.ykoath import YkoathSession

# Adding a family adds a driver session, an emulator and one entry here.
FAMILY_BURNS: dict[type[TokenSession], FamilyBurn[Any]] = {
    Token2Session: Token2Burn(),
    YkoathSession: OathBurn(),
    Molto2Session: Molto2Burn(),
}


def family_burn(session: TokenSession) -> FamilyBurn[Any]:
    try:
        return FAMILY_BURNS[type(session)]
    except KeyError:
        raise OperationError(f"otpburn cannot burn {session.info.model} tokens") from None


def burn(session: TokenSession, params: OtpParams, options: BurnOptions,
         progress: Callable[[Step], None] | None = None, skip: frozenset[Step] = frozenset()) -> BurnReport:
    """Burn `params` into the token of `session` (identified by `open_session`).

    `skip` holds steps an earlier presentation of the same token finished (see resilient.py).
    """
    return run_burn(family_burn(session), session, params, options, progress, skip)
