"""Simple BER-TLV (one-byte tags, short and 0x81/0x82 long lengths) as smart-card applets use it."""

from __future__ import annotations

from otpburn.errors import OperationError


def tlv(tag: int, value: bytes) -> bytes:
    length = len(value)
    if length < 0x80:
        head = bytes((length,))
    elif length < 0x100:
        head = bytes((0x81, length))
    else:
        head = bytes((0x82,)) + length.to_bytes(2, "big")
    return bytes((tag,)) + head + value


def parse_tlvs(data: bytes) -> list[tuple[int, bytes]]:
    """(tag, value) pairs in order; OperationError if the data is cut short."""
    items, position = [], 0
    while position < len(data):
        if position + 2 > len(data):
            raise OperationError("the token's answer is cut short")
        tag, length = data[position], data[position + 1]
        position += 2
        if length in (0x81, 0x82):
            size = length - 0x80
            if position + size > len(data):
                raise OperationError("the token's answer is cut short")
            length, position = int.from_bytes(data[position:position + size], "big"), position + size
        elif length > 0x80:
            raise OperationError("the token's answer has a length form otpburn does not know")
        if position + length > len(data):
            raise OperationError("the token's answer is cut short")
        items.append((tag, data[position:position + length]))
        position += length
    return items
