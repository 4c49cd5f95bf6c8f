"""The audit log: one JSON line per operation, never a secret (a short fingerprint instead)."""

from __future__ import annotations

import collections
import getpass
import json
import os
import socket
import stat
import sys
import time
from pathlib import Path

from otpburn.errors import InputError
from otpburn.files import user_file
from otpburn.otp.params import OtpParams, OtpType
from otpburn.untrusted import tame


def log_path() -> Path:
    return user_file("OTPBURN_AUDIT_LOG", "audit.jsonl", kind="data")


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return str(os.getuid()) if hasattr(os, "getuid") else ""


def record(operation: str, result: str, *, params: OtpParams | None = None, reader: str = "",
           family: str = "", model: str = "", serial: str = "", verification: str = "", detail: str = "",
           extra: dict[str, object] | None = None) -> dict[str, object]:
    """Append one entry and return it. A log that cannot be written never fails the operation."""
    entry: dict[str, object] = {
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "host": socket.gethostname(),
        "user": _user(),
        "operation": operation,
        "result": result,
        "reader": reader,
        "family": family,
        "model": model,
        "serial": serial,
    }
    if params is not None:
        entry.update({
            "issuer": params.issuer, "account": params.account, "type": params.type.value,
            "algorithm": params.algorithm.value, "digits": params.digits,
            "period": params.period if params.type is OtpType.TOTP else None,
            "secret_fingerprint": params.fingerprint,
        })
    if verification:
        entry["verification"] = verification
    if detail:
        entry["detail"] = detail
    if extra:
        entry.update(extra)
    # Text from a token, a server or a file (a title, a user name, a server's refusal) is kept to one printable
    # line: no terminal escapes for whoever reads the log, no newline that forges an entry.
    entry = {key: tame(value, 1000) if isinstance(value, str) else value for key, value in entry.items()}
    try:
        path = log_path()
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0), 0o600)
        try:
            os.write(fd, line)  # one append: a writer killed part-way cannot interleave half a line
        finally:
            os.close(fd)
    except OSError:
        entry["logged"] = False
    return entry


def last_burns(serial: str) -> dict[object, dict[str, object]]:
    """The latest successful burn into each profile of token `serial` (key None for a single-profile token),
    from this station's audit log: what the token should hold now, as far as this station knows."""
    latest: dict[object, dict[str, object]] = {}
    try:
        entries = read_entries()
    except InputError:  # a log this station cannot read tells nothing, as one that was never written
        return latest
    for entry in entries:
        profile = entry.get("profile")  # a number, or none for a single-profile token (in an edited line, anything)
        if entry.get("operation") == "burn" and entry.get("result") == "ok" and entry.get("serial") == serial \
                and (profile is None or type(profile) is int):
            latest[profile] = entry
    return latest


_UNREADABLE_LINE = {"time": "?", "operation": "?", "result": "unreadable line"}


def read_entries(limit: int | None = None) -> list[dict[str, object]]:
    """The log's entries, oldest first: the last `limit` (all with none), only they held at once. Anyone may have
    edited the file: a line that is not a JSON object is shown as an unreadable line; a log that cannot be read
    at all is an InputError."""
    path = log_path()
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # a folder; a pipe would hang the read
            raise InputError(f"the audit log {path} is not a regular file")
        with path.open(encoding="utf-8", errors="replace") as stream:
            # A limit past what a deque can count (--tail 18446744073709551615) is more than any log holds: all.
            return list(collections.deque(map(_entry, filter(str.strip, stream)),
                                          maxlen=min(limit, sys.maxsize) if limit else None))
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise InputError(f"the audit log {path} cannot be read ({exc.strerror})") from None


def _entry(line: str) -> dict[str, object]:
    try:
        entry = json.loads(line)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than any entry
        return dict(_UNREADABLE_LINE)
    return entry if isinstance(entry, dict) else dict(_UNREADABLE_LINE)
