"""Which family is the card on the reader? Asked without sending any authentication.

A Molto2 is a USB reader of its own whose name carries the product word: on such a
reader only the Molto2's plain reads are sent, and nothing of the Molto2's to any other.
Elsewhere order matters: GET INFO is a harmless read on Token2-family tokens and answered
with an error by others; then the OATH applet is selected. No authentication is sent to a
card before it has identified itself as that family.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from otpburn.errors import OperationError, Remedy
from otpburn.tokens import molto2, token2, ykoath
from otpburn.tokens.base import TokenSession
from otpburn.transport.channel import Channel


class UnknownTokenError(OperationError):
    def __init__(self, atr: bytes) -> None:
        super().__init__(
            f"the card on the reader is not a token otpburn knows (ATR {atr.hex(' ').upper() or 'none'}); "
            "it was left alone",
            remedy=Remedy.PROBE_REPORT,
        )


@dataclass(frozen=True)
class Credentials:
    """What the user gave for each family; the session for the family the token turns out to be gets its own
    part, and nothing of another family's is ever sent to it."""

    token2: token2.Token2Credentials = field(default_factory=token2.Token2Credentials)
    oath: ykoath.OathCredentials = field(default_factory=ykoath.OathCredentials)
    molto2: molto2.Molto2Credentials = field(default_factory=molto2.Molto2Credentials)


def open_session(channel: Channel, credentials: Credentials | None = None) -> TokenSession:
    """A driver session for the card, identified (`info` set), or UnknownTokenError."""
    given = credentials or Credentials()
    if molto2.is_molto2_reader(channel.reader):
        device = molto2.Molto2Session(channel, given.molto2)
        try:
            device.identify()  # device information and profile 0's public block: reads only
        except OperationError:
            raise UnknownTokenError(channel.atr) from None
        return device
    candidates: list[TokenSession] = [
        token2.Token2Session(channel, given.token2),  # GET INFO: a read every Token2-family token answers
        ykoath.YkoathSession(channel, given.oath),  # SELECT: selecting an applet authenticates nothing
    ]
    for session in candidates:
        try:
            session.identify()
        except OperationError:
            continue
        return session
    raise UnknownTokenError(channel.atr)
