"""The built-in virtual token: an emulated Token2 token in an in-process reader.

Its memory persists in the user's state folder (0600), so `otpburn info --reader virtual`
after a burn shows the same token.
"""

from __future__ import annotations

from pathlib import Path

from otpburn.emulator.token2 import Token2Emulator
from otpburn.errors import OperationError
from otpburn.transport.virtual import VirtualReader

DEFAULT_SERIAL = "8659622000001"  # an OTPC-P2-i: the common model, whose clock write erases the seed


def state_path() -> Path:
    from otpburn.files import user_file

    return user_file("OTPBURN_VIRTUAL_TOKEN", "virtual-token.json")


def open_virtual_reader() -> tuple[VirtualReader, Token2Emulator]:
    path = state_path()
    try:
        card = Token2Emulator(state_path=path)
    except (ValueError, TypeError, KeyError) as exc:  # not JSON, or not the memory of a token
        raise OperationError(f"the virtual token's memory {path} is damaged ({type(exc).__name__}); move it away "
                             "to start with a fresh virtual token") from None
    return VirtualReader(card), card
