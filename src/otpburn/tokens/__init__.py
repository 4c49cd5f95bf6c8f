"""Token drivers, one module per family, each a session over a transport Channel.

Every family's session follows `TokenSession`; `open_session` identifies the card on a
channel (with reads only) and returns the right one.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Loaded on first use, so importing one submodule (the CLI does) does not load them all.
_WHERE = {
    "Capabilities": "otpburn.tokens.base",
    "Family": "otpburn.tokens.base",
    "Molto2Session": "otpburn.tokens.molto2",
    "NotIdentifiedError": "otpburn.tokens.base",
    "Token2Session": "otpburn.tokens.token2",
    "TokenInfo": "otpburn.tokens.base",
    "TokenSession": "otpburn.tokens.base",
    "UnknownTokenError": "otpburn.tokens.detect",
    "YkoathSession": "otpburn.tokens.ykoath",
    "open_session": "otpburn.tokens.detect",
}

if TYPE_CHECKING:
    from otpburn.tokens.base import Capabilities, Family, NotIdentifiedError, TokenInfo, TokenSession
    from otpburn.tokens.detect import UnknownTokenError, open_session
    from otpburn.tokens.molto2 import Molto2Session
    from otpburn.tokens.token2 import Token2Session
    from otpburn.tokens.ykoath import YkoathSession


__all__ = [
    "Capabilities",
    "Family",
    "Molto2Session",
    "NotIdentifiedError",
    "Token2Session",
    "TokenInfo",
    "TokenSession",
    "UnknownTokenError",
    "YkoathSession",
    "open_session",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_WHERE[name]), name)
