"""The command line's words for the notes an export leaves about the file it wrote.

Apart from the wording tables (`otpburn.cli.wording`): those load every room's data types (~50 ms), and a
successful `otpburn export` needs only these words.
"""

from __future__ import annotations

from otpburn.provisioning.records.exports import DuoTypeNote, ExportNote, SpreadsheetNote


def export_note_text(note: ExportNote) -> str:
    if isinstance(note, SpreadsheetNote):
        shown = ", ".join(note.serials[:3]) + (f" and {len(note.serials) - 3} more" if len(note.serials) > 3 else "")
        return (f"serial{'s' if len(note.serials) > 1 else ''} {shown} would be changed by a spreadsheet program "
                "(leading zeros dropped, long numbers rounded): upload the file as written, or open it with the "
                "serial column imported as text")
    if isinstance(note, DuoTypeNote):
        return (f"in Duo's Import Hardware Tokens, choose the type TOTP-{note.digits} ({note.period} s); Duo cannot "
                "resync a drifting TOTP token, so burn with the clock set")
    raise KeyError(type(note).__name__)
