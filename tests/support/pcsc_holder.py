"""Another program on the same reader, as Yubico Authenticator or scdaemon would be.

Run as `python -m tests.support.pcsc_holder READER shared|exclusive`; it connects and then
obeys lines on stdin: `transmit` (GET INFO, prints the status word), `begin` / `end` (a
PC/SC transaction), `quit`. Each command prints one line when it finishes.
"""

from __future__ import annotations

import sys

from smartcard import scard


def main(reader: str, mode: str) -> int:
    code, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    share = scard.SCARD_SHARE_EXCLUSIVE if mode == "exclusive" else scard.SCARD_SHARE_SHARED
    code, card, protocol = scard.SCardConnect(context, reader, share, scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1)
    print(f"connected {code & 0xFFFFFFFF:#x}", flush=True)
    for line in sys.stdin:
        command = line.strip()
        if command == "transmit":
            code, response = scard.SCardTransmit(card, protocol, [0x80, 0x41, 0x00, 0x00, 0x02, 0x02, 0x11])
            status = bytes(response[-2:]).hex() if code == scard.SCARD_S_SUCCESS else f"{code & 0xFFFFFFFF:#x}"
            print(f"transmitted {status}", flush=True)
        elif command == "begin":
            print(f"begun {scard.SCardBeginTransaction(card) & 0xFFFFFFFF:#x}", flush=True)
        elif command == "end":
            print(f"ended {scard.SCardEndTransaction(card, scard.SCARD_LEAVE_CARD) & 0xFFFFFFFF:#x}", flush=True)
        elif command == "quit":
            break
    scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)
    scard.SCardReleaseContext(context)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1], sys.argv[2]))
