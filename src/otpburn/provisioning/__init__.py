"""The burn a user can trust: the token session both front ends use, preflight, the burn steps,
read-back, verification, exports, the audit log and batches.

Front ends start at `token_session` (or `reader_session` + `presented_token` for batches) and
`burn_job`; the names below are the package's public surface.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Loaded on first use, so importing one submodule (the CLI does) does not load them all.
_WHERE = {
    "BurnFailed": "otpburn.provisioning.steps",
    "BurnOptions": "otpburn.provisioning.steps",
    "BurnReport": "otpburn.provisioning.steps",
    "Check": "otpburn.provisioning.preflight",
    "DifferentTokenError": "otpburn.provisioning.resilient",
    "FAMILY_BURNS": "otpburn.provisioning.burn",
    "FamilyBurn": "otpburn.provisioning.steps",
    "JobResult": "otpburn.provisioning.job",
    "SeedDoesNotFitError": "otpburn.provisioning.steps",
    "Step": "otpburn.provisioning.steps",
    "TokenOnReader": "otpburn.provisioning.session",
    "TokenState": "otpburn.provisioning.steps",
    "UnknownModelError": "otpburn.provisioning.steps",
    "Verification": "otpburn.provisioning.steps",
    "burn": "otpburn.provisioning.burn",
    "burn_checks": "otpburn.provisioning.preflight",
    "burn_job": "otpburn.provisioning.job",
    "check_exports": "otpburn.provisioning.job",
    "family_burn": "otpburn.provisioning.burn",
    "presented_token": "otpburn.provisioning.session",
    "raise_for_stops": "otpburn.provisioning.preflight",
    "reader_session": "otpburn.provisioning.session",
    "resilient_burn": "otpburn.provisioning.resilient",
    "token_session": "otpburn.provisioning.session",
}

if TYPE_CHECKING:
    from otpburn.provisioning.burn import FAMILY_BURNS, burn, family_burn
    from otpburn.provisioning.job import JobResult, burn_job, check_exports
    from otpburn.provisioning.preflight import Check, burn_checks, raise_for_stops
    from otpburn.provisioning.resilient import DifferentTokenError, resilient_burn
    from otpburn.provisioning.session import TokenOnReader, presented_token, reader_session, token_session
    from otpburn.provisioning.steps import (
        BurnFailed,
        BurnOptions,
        BurnReport,
        FamilyBurn,
        SeedDoesNotFitError,
        Step,
        TokenState,
        UnknownModelError,
        Verification,
    )


__all__ = [
    "FAMILY_BURNS",
    "BurnFailed",
    "BurnOptions",
    "BurnReport",
    "Check",
    "DifferentTokenError",
    "FamilyBurn",
    "JobResult",
    "SeedDoesNotFitError",
    "Step",
    "TokenOnReader",
    "TokenState",
    "UnknownModelError",
    "Verification",
    "burn",
    "burn_checks",
    "burn_job",
    "check_exports",
    "family_burn",
    "presented_token",
    "raise_for_stops",
    "reader_session",
    "resilient_burn",
    "token_session",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_WHERE[name]), name)
