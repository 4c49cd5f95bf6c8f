"""APDU tracing for `--trace`: every exchange, with secret spans redacted."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

from otpburn.transport.apdu import Apdu, Response

Tracer = Callable[[Apdu, "Response | None", float], None]


def stream_tracer(stream: TextIO | None = None) -> Tracer:
    """A tracer printing `>> command` and `<< answer` lines to `stream` (stderr by default)."""
    out = stream or sys.stderr

    def trace(apdu: Apdu, response: Response | None, elapsed: float) -> None:
        label = f" [{apdu.name}]" if apdu.name else ""
        print(f">>{label} {apdu.redacted_hex()}", file=out)
        if response is None:
            print("<< (no answer: the link was lost)", file=out)
        else:
            if not response.data:
                body = ""
            elif apdu.secret_response:
                body = f"<redacted {len(response.data)} bytes> "
            else:
                body = response.data.hex(" ").upper() + " "
            print(f"<< {body}{response.sw:04X}  ({elapsed * 1000:.1f} ms)", file=out)
        out.flush()

    return trace
