"""Text that otpburn did not write — from a token, an identity system, a seed file — made safe to show.

Such text reaches terminals, the window and the audit log. Left raw, a Molto2 title or a server's
user name could carry terminal escapes (set the window title, clear the screen, forge a line of
output), bidirectional overrides that reorder what is read, or newlines that forge log entries.
`tame` keeps what a person can read: printable characters on one line, cut to a length.
"""

from __future__ import annotations

ELLIPSIS = "…"


def tame(text: str, limit: int = 200) -> str:
    """`text` as one printable line of at most `limit` characters.

    Control characters (C0, C1, DEL), format characters (bidirectional overrides, zero-width joiners
    and the like) and line or paragraph separators become spaces; runs of spaces become one.
    """
    cleaned = " ".join("".join(char if char.isprintable() else " " for char in text).split())
    if len(cleaned) <= limit:
        return cleaned
    return cleaned[: max(limit - 1, 0)] + ELLIPSIS
