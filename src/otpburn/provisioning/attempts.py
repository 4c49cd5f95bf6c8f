"""What Molto2 devices said about their authentication attempts, remembered across runs.

A device that refused a customer key said how many attempts were left (`63 Cx`). That count
is kept per serial (no secret: serial and number) so that a later run, with one attempt
left, asks for explicit consent before it authenticates at all. A success forgets it.
"""

from __future__ import annotations

import json
from pathlib import Path

from otpburn.files import user_file, write_private

FILE_VARIABLE = "OTPBURN_ATTEMPTS_FILE"


def _path() -> Path:
    return user_file(FILE_VARIABLE, "molto2-attempts.json")


def _load() -> dict[str, int]:
    try:
        data = json.loads(_path().read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): int(v) for k, v in data.items() if isinstance(v, int)} if isinstance(data, dict) else {}


def remaining(serial: str) -> int | None:
    """The attempts the device `serial` said were left when it last refused a key, if it did."""
    return _load().get(serial)


def remember(serial: str, left: int) -> None:
    counts = _load()
    counts[serial] = left
    write_private(_path(), json.dumps(counts, indent=1).encode(), force=True)


def forget(serial: str) -> None:
    counts = _load()
    if counts.pop(serial, None) is not None:
        write_private(_path(), json.dumps(counts, indent=1).encode(), force=True)
