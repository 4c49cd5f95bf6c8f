"""The built-in virtual tokens: an emulated Token2 token, and an emulated Molto2, each in an
in-process reader.

Their memory persists in the user's state folder (0600), so `otpburn info --reader virtual`
after a burn shows the same token.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from otpburn.emulator.memory import UNREADABLE_MEMORY, MemoryFieldError
from otpburn.emulator.molto2 import Molto2Emulator
from otpburn.emulator.token2 import Token2Emulator
from otpburn.errors import OperationError
from otpburn.files import user_file
from otpburn.transport.virtual import VirtualReader

# A Molto2 is a reader of its own, named after the product: the name says "Molto2" like the real one's.
VIRTUAL_MOLTO2_READER = "otpburn virtual Molto2"
DEFAULT_SERIAL = "8659622000001"  # an OTPC-P2-i: the common model, whose clock write erases the seed


# Not a card's memory, or no file (a folder) where it is kept.
_DAMAGED = (*UNREADABLE_MEMORY, IsADirectoryError, NotADirectoryError)
Card = TypeVar("Card", Token2Emulator, Molto2Emulator)


def state_path() -> Path:
    return user_file("OTPBURN_VIRTUAL_TOKEN", "virtual-token.json")


def open_virtual_reader() -> tuple[VirtualReader, Token2Emulator]:
    card = _card(Token2Emulator, state_path(), "virtual token")
    return VirtualReader(card), card


def open_virtual_molto2() -> tuple[VirtualReader, Molto2Emulator]:
    card = _card(Molto2Emulator, user_file("OTPBURN_VIRTUAL_MOLTO2", "virtual-molto2.json"), "virtual Molto2")
    return VirtualReader(card, name=VIRTUAL_MOLTO2_READER), card


def _card(emulator: type[Card], path: Path, name: str) -> Card:
    """The emulated card whose memory is kept at `path`; `name` says which in the line a bad memory file gets."""
    try:
        return emulator(state_path=path)
    except MemoryFieldError as exc:  # a field edited by hand, say
        raise OperationError(f"the {name}'s memory {path} is damaged (its {exc.field!r} field); move it away to "
                             "start with a fresh one") from None
    except _DAMAGED as exc:
        raise OperationError(f"the {name}'s memory {path} is damaged ({type(exc).__name__}); move it away to start "
                             "with a fresh one") from None
    except OSError as exc:  # a name longer than the file system takes, a folder on the way that cannot be searched
        raise OperationError(f"the {name}'s memory {path} cannot be read ({exc.strerror})") from None
