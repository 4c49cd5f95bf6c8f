"""The SM4 primitives Token2's programmable tokens use (protocols.md §1.3, §1.13).

Both families encrypt with SM4-ECB and MAC their CLA 84 commands with SM4-CBC over a pseudo
header (`80 INS P1 P2 Lc'`, Lc' without the MAC); they differ only in what they pad.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def sm4_ecb(key: bytes, data: bytes) -> bytes:
    # The tokens' protocol is SM4 in ECB mode: not our choice, and the data is random challenges
    # and single padded blocks.
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()  # noqa: S305
    return encryptor.update(data) + encryptor.finalize()


def pad_method2(data: bytes, always: bool) -> bytes:
    """ISO 9797-1 padding method 2: 80 then zeros to a 16-byte boundary (`always`: aligned data too)."""
    if not always and len(data) % 16 == 0:
        return data
    padded = data + b"\x80"
    return padded + b"\x00" * (-len(padded) % 16)


def command_mac(key: bytes, ins: int, p1: int, p2: int, body: bytes) -> bytes:
    """SM4-CBC-MAC over `80 INS P1 P2 Lc'` + body, padded only when unaligned; the first 4 bytes."""
    message = bytes((0x80, ins, p1, p2, len(body))) + body
    encryptor = Cipher(algorithms.SM4(key), modes.CBC(b"\x00" * 16)).encryptor()
    chained = encryptor.update(pad_method2(message, always=False)) + encryptor.finalize()
    return chained[-16:-12]
