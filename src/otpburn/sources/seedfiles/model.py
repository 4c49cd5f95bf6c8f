"""What every seed-file reader gives back: records, and a problem for each record it cannot use."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, NamedTuple, ParamSpec, TypeVar, cast

from otpburn.errors import InputError
from otpburn.otp.codec import decode_base32
from otpburn.otp.params import OtpParams
from otpburn.untrusted import ascii_digits

MAX_PROBLEMS_SHOWN = 5
P = ParamSpec("P")


class SeedRecord(NamedTuple):
    """One usable seed of a file and where it came from. A tuple, as OtpParams is: a 100 000-token file builds
    100 000 of these, and a tuple is made in one step."""

    serial: str  # "" when the file names no token
    params: OtpParams
    line: int  # where it came from, for messages: a line, or the key or entry number (see `unit`)
    upn: str = ""
    part: str = ""  # which part of a multi-part source it came from ("export link 2, account 3")
    # privacyIDEA "# version: 2" files name the user the server assigns the token to.
    user: str = ""
    resolver: str = ""
    realm: str = ""
    unit: str = "line"  # what `line` counts: "line" in text files, "key" in PSKC, "entry" in app exports,
    # "token" in Deepnet token files
    # The token the seed is for, as an Entra ID CSV names it (a conversion keeps them).
    manufacturer: str = ""
    model: str = ""

    @property
    def place(self) -> str:
        """Where in its file the record is, for messages ("line 4", "key 2 (export link 1 of 2)")."""
        return f"{self.unit} {self.line}" + (f" ({self.part})" if self.part else "")


@dataclass
class SeedFile:
    """What a seed file holds: the usable records, and why the others cannot be used."""

    path: str
    records: list[SeedRecord]
    problems: list[str] = field(default_factory=list)  # records left out, each naming its line or key
    notes: list[str] = field(default_factory=list)  # loaded, but worth knowing (duplicates, keys skipped)
    kind: str = ""  # the format it was read as ("PSKC", "Aegis vault", ...)


class SeedFileError(InputError):
    def __init__(self, path: str, problems: list[str]) -> None:
        shown = "; ".join(problems[:MAX_PROBLEMS_SHOWN])
        more = f" (and {len(problems) - MAX_PROBLEMS_SHOWN} more)" if len(problems) > MAX_PROBLEMS_SHOWN else ""
        super().__init__(f"{path}: {shown}{more}. Nothing was read from it")
        self.problems = problems


@dataclass(frozen=True)
class Unlock:
    """How to open an encrypted seed file, asked only when a file turns out to need it."""

    password: Callable[[], str] | None = None  # PSKC with PBKDF2, an app's encrypted backup, a KeePass database
    key: Callable[[], bytes] | None = None  # PSKC with a pre-shared key
    # The bytes of a key file the user named (a KeePass database's): never asked for, as nothing tells that a
    # database needs one.
    key_file: Callable[[], bytes] | None = None


class RecordRefusedError(Exception):
    """Carries a caller's refusal of a record out of the readers, which turn an InputError met while reading a
    record into a problem with that record; read_seed_file raises `error` itself."""

    def __init__(self, error: InputError) -> None:
        super().__init__(error.message)
        self.error = error


# What the caller of read_seed_file checks each record with as it is read (None: nothing).
RECORD_CHECK: ContextVar[Callable[[SeedRecord], None] | None] = ContextVar("otpburn_record_check", default=None)


class Records(list[SeedRecord]):
    """The records a reader finds. Each one is shown to the caller's check (RECORD_CHECK) as it is added, so
    that a conversion refuses at the first record it cannot take, not after reading the whole file."""

    def append(self, record: SeedRecord) -> None:
        check = RECORD_CHECK.get()
        if check is not None:
            try:
                check(record)
            except InputError as refused:
                raise RecordRefusedError(refused) from None
        super().append(record)


@dataclass
class Rows:
    """What one reader found: usable records, problems (records left out) and notes."""

    records: list[SeedRecord] = field(default_factory=lambda: Records() if RECORD_CHECK.get() else [])
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    kind: str = ""


Entry = dict[str, Any]


def read_entries(kind: str, entries: Iterable[object], read: Callable[[Entry], OtpParams],
                 label: Callable[[Entry], object]) -> Rows:
    """An app export's entries as records; each one that cannot be used is a problem naming its number, its
    label (the file's text, made printable and short) and why."""
    found = Rows(kind=kind)
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            found.problems.append(f"entry {number}: not an account entry")
            continue
        add_record(found, number, "entry", functools.partial(label, entry), read, entry)
    return found


def add_record(found: Rows, number: int, unit: str, label: str | Callable[[], object], read: Callable[P, OtpParams],
               *args: P.args, **kwargs: P.kwargs) -> None:
    """The record `read(*args, **kwargs)` builds, or a problem naming its place, its label (the file's text, made
    printable and short; a function giving it is only called for a problem) and why it cannot be used."""
    try:
        params = read(*args, **kwargs)
    except InputError as exc:
        text = label() if callable(label) else label
        shown = printable(text, 60) if isinstance(text, str) else ""
        found.problems.append(f"{unit} {number}" + (f" ({shown})" if shown else "") + f": {exc.message}")
    else:
        found.records.append(SeedRecord("", params, number, "", "", "", "", "", unit))  # by position: quicker


def note_app_defaults(found: Rows, holder: str, missing: str, used: str) -> None:
    """Say which settings a file does not hold and which otpburn took instead: the ones its app computes with
    (said only when records were read)."""
    if found.records:
        found.notes.append(f"{holder} stores no {missing}: otpburn used {used}, as the app computes its codes")


def base32_field(value: object) -> bytes:
    """A file's base32 secret field. A bad one is named, never quoted: a shifted column could hold a secret."""
    if not isinstance(value, str) or not value.strip():
        raise InputError("no secret")
    try:
        return decode_base32(value)
    except InputError:
        raise InputError("the secret is not base32") from None


def printable(text: str, limit: int | None = None) -> str:
    """A file's own text made safe to show in a message: no control or invisible characters, cut short."""
    if text.isprintable():  # the usual label: nothing to take out
        return text[:limit]
    return "".join(char for char in text if char.isprintable())[:limit]


def same_serial(in_file: str, on_token: str) -> bool:
    """Whether a seed file's serial names this token: exactly, or as the number a spreadsheet made of
    it when it opened and saved the file (0012345 becomes 12345)."""
    if not in_file or not on_token:
        return False
    if in_file == on_token:
        return True
    return ascii_digits(in_file) and ascii_digits(on_token) and len(in_file) < len(on_token) and \
        on_token.lstrip("0") == in_file.lstrip("0")


def spreadsheet_unsafe(serial: str) -> bool:
    """A serial a spreadsheet changes when it opens a CSV: leading zeros dropped, or more digits than
    a spreadsheet number keeps (15) rounded into scientific notation."""
    return ascii_digits(serial) and (serial.startswith("0") and len(serial) > 1 or len(serial) > 15)


T = TypeVar("T")


def run_interruptibly(work: Callable[[], T]) -> T:
    """Run a long C call (a key derivation) so that Ctrl+C still stops the program.

    The work runs in a daemon thread while the caller waits in short slices, where a
    KeyboardInterrupt can arrive; an abandoned derivation ends with the process. The caller waits
    on an event, not in Thread.join: with Python 3.11.2 (Debian 12's) a Ctrl+C that lands inside
    join() left the thread half-stopped and the next join() hung (seen here).
    """
    outcome: dict[str, Any] = {}
    finished = threading.Event()

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # handed to the caller as it is
            outcome["error"] = exc
        finally:
            finished.set()

    threading.Thread(target=run, name="otpburn-key-derivation", daemon=True).start()
    while not finished.wait(0.1):
        pass
    if "error" in outcome:
        raise outcome["error"]
    return cast(T, outcome.get("value"))


# What parsed JSON may hold in memory: ten times the file, or this much for files too small to matter.
JSON_MEMORY_FLOOR = 256 * 1024 * 1024


def json_memory_bound(data: bytes) -> int:
    """About the most bytes Python's parser holds for `data`, counted without parsing it.

    Per value (measured with CPython 3.11): a container ~72 bytes before its members (an empty dict is
    64, plus the pointer to it), a string ~60 plus its text, any other value (a number, true) ~32.
    Braces and quotes inside strings are counted too: the bound only grows. Authenticator exports come
    to about 6 times their size by this count (4 measured); a file of empty objects to 35.
    """
    containers = data.count(b"{") + data.count(b"[")
    strings = data.count(b'"') // 2
    others = max(0, data.count(b",") + data.count(b":") - strings)
    return 72 * containers + 60 * strings + 32 * others + len(data)


def refuse_bloated_json(path: str, data: bytes) -> None:
    """Refuse JSON that would take over ten times its size in memory (past a floor small files stay under)."""
    if json_memory_bound(data) > max(10 * len(data), JSON_MEMORY_FLOOR):
        raise InputError(f"{path}: its JSON is mostly empty structure (it would take over ten times its size in "
                         "memory): not an authenticator export")
