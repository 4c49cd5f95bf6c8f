"""Status words as typed errors, with messages a user can act on."""

from __future__ import annotations

from otpburn.errors import OperationError, Remedy

GENERIC_MEANINGS = {
    0x6700: "wrong length",
    0x6982: "security status not satisfied",
    0x6983: "authentication method blocked",
    0x6984: "reference data not usable",
    0x6985: "conditions of use not satisfied",
    0x6A80: "incorrect data",
    0x6A82: "not found",
    0x6A84: "not enough memory",
    0x6A86: "incorrect P1/P2",
    0x6D00: "instruction not supported",
    0x6E00: "class not supported",
    0x6F00: "unknown error",
}


def describe_sw(sw: int) -> str:
    if sw >> 8 == 0x63 and sw & 0xF0 == 0xC0:
        return f"verification failed, {sw & 0x0F} tries left"
    return GENERIC_MEANINGS.get(sw, "unexpected status")


class StatusWordError(OperationError):
    """A card answered a command with a status other than success."""

    def __init__(self, sw: int, command: str, message: str | None = None, remedy: Remedy | None = None) -> None:
        self.sw = sw
        self.command = command
        text = message or f"{command} failed: the token answered {sw:04X} ({describe_sw(sw)})"
        super().__init__(text, remedy=remedy)
