"""Reaching a token: readers (PC/SC and the built-in virtual ones), the per-user reader lock, and the
token session — lock, reader, connection, identified family — that every front end opens."""
