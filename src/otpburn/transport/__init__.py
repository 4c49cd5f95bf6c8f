"""APDUs, status words, reader backends (PC/SC and virtual) and redacted tracing."""

from otpburn.transport.apdu import SW_OK, Apdu, Response
from otpburn.transport.channel import CardConnection, Channel
from otpburn.transport.errors import CardRemovedError, NoCardError, NoReaderError, NoServiceError, ReaderBusyError
from otpburn.transport.readers import ReaderBackend, ReaderInfo
from otpburn.transport.status import StatusWordError, describe_sw
from otpburn.transport.virtual import VIRTUAL_READER, LinkLostError, VirtualReader

__all__ = [
    "SW_OK",
    "Apdu",
    "CardConnection",
    "CardRemovedError",
    "Channel",
    "LinkLostError",
    "NoCardError",
    "NoReaderError",
    "NoServiceError",
    "ReaderBackend",
    "ReaderBusyError",
    "ReaderInfo",
    "Response",
    "StatusWordError",
    "VIRTUAL_READER",
    "VirtualReader",
    "describe_sw",
]
