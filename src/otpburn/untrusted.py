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

    Each run of control characters (C0, C1, DEL), format characters (bidirectional overrides,
    zero-width joiners and the like) and line or paragraph separators becomes one space; the
    printable text around them stays as it was.
    """
    pieces: list[str] = []
    hidden = False
    for char in text:
        if char.isprintable():
            pieces.append(char)
            hidden = False
        elif not hidden:
            pieces.append(" ")
            hidden = True
    cleaned = "".join(pieces).strip()
    if len(cleaned) <= limit:
        return cleaned
    return cleaned[: max(limit - 1, 0)] + ELLIPSIS


def tame_lines(text: str, limit: int = 2000) -> str:
    """Like `tame`, line by line: text that is several lines on purpose (checks, notes) keeps its lines."""
    return "\n".join(tame(line, limit) for line in text.split("\n"))


def escape_invisible(json_text: str) -> str:
    """JSON text with every character a terminal could act on written as a \\uXXXX escape.

    `json.dumps(..., ensure_ascii=False)` escapes C0 controls but leaves C1 controls (U+009B acts as
    CSI on some terminals) and bidirectional overrides raw; the data stays the same, only its spelling.
    """
    return "".join(char if char.isprintable() or char == "\n" else _json_escape(char) for char in json_text)


def _json_escape(char: str) -> str:
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # beyond the BMP: a surrogate pair, as JSON spells it
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def utf8_encodable(text: str) -> bool:
    """Whether `text` can be written as UTF-8 at all. Only lone surrogates cannot: what Python makes of bytes in a
    command-line argument that are not UTF-8, and what no file, request or log line can carry."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def ascii_digits(text: str) -> bool:
    """Whether `text` is one or more of the digits 0-9: a number as every format and protocol otpburn reads writes
    it. str.isdigit() alone is no such check: it also takes superscripts and circled digits (²), which int()
    refuses, and Arabic-Indic or full-width digits, which int() reads though no file or server writes them."""
    return text.isascii() and text.isdigit()


def ascii_number(text: str, max_digits: int) -> int | None:
    """The whole number `text` writes in at most `max_digits` ASCII digits, or None for any other text (other
    digits, a sign, spaces; more digits, which int() refuses past 4300 and no field otpburn reads needs)."""
    # ascii_digits's test written out: a CSV's number columns come here for every row
    return int(text) if text.isascii() and text.isdigit() and len(text) <= max_digits else None
