"""Google Authenticator export payloads built field by field (protobuf wire format), for tests."""

from __future__ import annotations

import base64


def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _field(number: int, value) -> bytes:
    if isinstance(value, bytes):
        return _varint(number << 3 | 2) + _varint(len(value)) + value
    return _varint(number << 3) + _varint(value)


def _entry(secret=b"A" * 10, name="Acme:bob", issuer="", algorithm=1, digits=1, otp_type=2, extra=b""):
    body = _field(1, secret) + _field(2, name.encode()) + (_field(3, issuer.encode()) if issuer else b"")
    return body + _field(4, algorithm) + _field(5, digits) + _field(6, otp_type) + extra


def _uri(*entries: bytes, header=b"") -> str:
    payload = b"".join(_field(1, e) for e in entries) + header
    return "otpauth-migration://offline?data=" + base64.b64encode(payload).decode()


def export_link(*entries: bytes, batch_size: int = 1, batch_index: int = 0, batch_id: int = 7) -> str:
    """An export link of several accounts, as one QR code of a batch of `batch_size`."""
    header = _field(2, 1) + _field(3, batch_size) + _field(4, batch_index) + _field(5, batch_id)
    return _uri(*entries, header=header)
