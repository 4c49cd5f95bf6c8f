"""The built-in virtual token: an emulated Token2 token in an in-process reader.

Its memory persists in the user's state folder (0600), so `otpburn info --reader virtual`
after a burn shows the same token.
"""

from __future__ import annotations

import os
from pathlib import Path

from otpburn.emulator.token2 import Token2Emulator
from otpburn.transport.virtual import VirtualReader

DEFAULT_SERIAL = "8659622000001"  # an OTPC-P2-i: the common model, whose clock write erases the seed


def state_path() -> Path:
    override = os.environ.get("OTPBURN_VIRTUAL_TOKEN")
    if override:
        return Path(override)
    from platformdirs import user_state_path

    folder = user_state_path("otpburn", appauthor=False)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder / "virtual-token.json"


def open_virtual_reader() -> tuple[VirtualReader, Token2Emulator]:
    card = Token2Emulator(state_path=state_path())
    return VirtualReader(card), card
