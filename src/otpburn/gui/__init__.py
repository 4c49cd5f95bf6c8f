"""The desktop app (PySide6): the five steps people know — seed, reader, token, burn, test."""
