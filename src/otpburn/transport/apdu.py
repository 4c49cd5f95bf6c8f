"""Command and response APDUs (ISO/IEC 7816-4 short form), with redaction for traces."""

from __future__ import annotations

from dataclasses import dataclass, field

SW_OK = 0x9000


@dataclass(frozen=True)
class Apdu:
    """A command APDU. `secret_spans` marks byte ranges of `data` that a trace must hide."""

    cla: int
    ins: int
    p1: int = 0
    p2: int = 0
    data: bytes = b""
    le: int | None = None
    secret_spans: tuple[tuple[int, int], ...] = field(default=(), compare=False)
    name: str = field(default="", compare=False)
    secret_response: bool = field(default=False, compare=False)  # hide the answer's data in traces

    def __post_init__(self) -> None:
        for value in (self.cla, self.ins, self.p1, self.p2):
            if not 0 <= value <= 0xFF:
                raise ValueError("APDU header bytes must be 0..255")
        if len(self.data) > 255:
            raise ValueError("short APDUs carry at most 255 data bytes")
        if self.le is not None and not 0 <= self.le <= 256:
            raise ValueError("Le must be 0..256")

    @property
    def header(self) -> bytes:
        return bytes((self.cla, self.ins, self.p1, self.p2))

    def to_bytes(self) -> bytes:
        out = bytearray(self.header)
        if self.data:
            out.append(len(self.data))
            out += self.data
        if self.le is not None:
            out.append(self.le & 0xFF)
        return bytes(out)

    def with_le(self, le: int) -> Apdu:
        return Apdu(self.cla, self.ins, self.p1, self.p2, self.data, le, self.secret_spans, self.name,
                    self.secret_response)

    @property
    def secure_messaging(self) -> bool:
        """CLA bits 3-4 set (84, 8C...): the body is encrypted or MACed with a key.

        Such a body is never traced whole: an encryption or MAC of text an onlooker knows (a title, a
        clock) lets them test key guesses offline.
        """
        return bool(self.cla & 0x0C)

    def redacted_hex(self) -> str:
        """The APDU as hex with secret spans replaced by `<redacted N bytes>`; a secure-messaging body whole."""
        parts = [self.header.hex(" ").upper()]
        if self.data:
            parts.append(f"{len(self.data):02X}")
            spans = ((0, len(self.data)),) if self.secure_messaging else self.secret_spans
            parts.append(redact(self.data, spans))
        if self.le is not None:
            parts.append(f"{self.le & 0xFF:02X}")
        return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class Response:
    data: bytes
    sw: int

    @classmethod
    def from_bytes(cls, raw: bytes) -> Response:
        if len(raw) < 2:
            raise ValueError("a response needs at least the two status bytes")
        return cls(bytes(raw[:-2]), int.from_bytes(raw[-2:], "big"))

    @property
    def sw1(self) -> int:
        return self.sw >> 8

    @property
    def sw2(self) -> int:
        return self.sw & 0xFF

    @property
    def ok(self) -> bool:
        return self.sw == SW_OK


def redact(data: bytes, spans: tuple[tuple[int, int], ...]) -> str:
    if not spans:
        return data.hex(" ").upper()
    pieces, position = [], 0
    for start, end in sorted(spans):
        if start > position:
            pieces.append(data[position:start].hex(" ").upper())
        pieces.append(f"<redacted {end - start} bytes>")
        position = max(position, end)
    if position < len(data):
        pieces.append(data[position:].hex(" ").upper())
    return " ".join(pieces)
