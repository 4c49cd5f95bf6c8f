"""Which family is the card on the reader? Asked without sending any authentication.

Order matters: GET INFO is a harmless read on Token2-family tokens and answered with
an error by others; then the OATH applet is selected. No authentication is sent to a
card before it has identified itself as that family.
"""

from __future__ import annotations

from otpburn.errors import OperationError
from otpburn.tokens import token2, ykoath
from otpburn.transport.channel import Channel


class UnknownTokenError(OperationError):
    def __init__(self, atr: bytes) -> None:
        super().__init__(
            f"the card on the reader is not a token otpburn knows (ATR {atr.hex(' ').upper() or 'none'}); "
            "it was left alone"
        )


def open_session(channel: Channel, token2_key: bytes = token2.TRANSPORT_KEY):
    """A driver session for the card, with its `info` filled in, or UnknownTokenError."""
    session = token2.Token2Session(channel, token2_key)
    try:
        session.get_info()  # a read that every Token2-family token answers, needing no key
        return session
    except OperationError:
        pass
    oath = ykoath.YkoathSession(channel)
    try:
        oath.select()  # selecting an applet authenticates nothing
        return oath
    except OperationError:
        raise UnknownTokenError(channel.atr) from None
