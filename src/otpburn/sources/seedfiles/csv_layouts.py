"""Text seed files: CSV in the layouts vendors, privacyIDEA/LinOTP and Entra ID use, and lists of
otpauth URIs or Google Authenticator export links."""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Callable, Iterable, Iterator

from otpburn.errors import InputError
from otpburn.otp.codec import decode_base32, decode_hex
from otpburn.otp.params import Algorithm, OtpParams, OtpType
from otpburn.sources.migration import find_migration_links, parse_migration
from otpburn.sources.otpauth import parse_uri
from otpburn.sources.seedfiles.bitwarden import csv_reader as password_manager_csv
from otpburn.sources.seedfiles.model import Rows, SeedRecord
from otpburn.untrusted import ascii_number


def read_text(path: str, text: str) -> Rows:
    first = next((line.strip() for line in _lines(text) if line.strip() and not line.startswith("#")), "")
    # A Google export link anywhere makes it a link list; lower() then a search is 6 times faster than a
    # case-blind regex over a 100 000-row CSV (and done before any record is built, it raises no peak).
    if first.lower().startswith("otpauth://") or "otpauth-migration://" in text.lower():
        return _read_uri_list(text)
    return _read_csv(path, text, first)


def _lines(text: str) -> io.TextIOWrapper:
    """`text` line by line, each with its ending, split only at "\n" as io.StringIO(text) splits it, but decoded a
    block at a time: io.StringIO first copies the whole text at four bytes a character (20 MB for a 100 000-row
    CSV). Lone surrogates (text no file decodes to) go through unchanged."""
    return io.TextIOWrapper(io.BytesIO(text.encode("utf-8", "surrogatepass")), encoding="utf-8",
                            errors="surrogatepass", newline="\n")


def _read_uri_list(text: str) -> Rows:
    """otpauth:// URIs one per line, and Google export links however export tools write them."""
    rows = Rows(kind="otpauth list")
    records, problems = rows.records, rows.problems
    links = {link.line: link for link in find_migration_links(text)}
    if links:
        rows.kind = "Google Authenticator export"
    continuation = {number for link in links.values() for number in range(link.line + 1, link.last_line + 1)}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#") or number in continuation:
            continue
        if number in links:
            try:  # each link let go of once read: an export of 100 000 accounts holds 8 MB of them
                batch = parse_migration(links.pop(number).text)
            except InputError as exc:
                problems.append(f"line {number}: {exc.message}")
                continue
            part = f"export link {batch.batch_index + 1} of {batch.batch_size}, " if batch.batch_size > 1 else ""
            for entry in batch.entries:
                where = f"{part}account {entry.position + 1}"
                if entry.params is None:
                    problems.append(f"line {number} ({where}): {entry.problem}")
                else:
                    records.append(SeedRecord("", entry.params, number, "", where))  # upn, part by position
            continue
        try:
            records.append(SeedRecord("", parse_uri(line), number))
        except InputError as exc:
            problems.append(f"line {number}: {exc.message}")
    return rows


_VERSION = re.compile(r"^#\s*version:\s*(\d+)")
# Token types privacyIDEA's OATH CSV import knows; only HOTP and TOTP go onto an OTP token.
PRIVACYIDEA_TYPES = frozenset({"hotp", "totp", "ocra", "tan", "motp", "daypassword"})


LAYOUT_LOOKAHEAD = 1000  # rows that decide between a vendor base32 and a privacyIDEA hex two-column file

Row = tuple[int, list[str]]  # line number, cells without surrounding spaces


# Excel's first-line hint naming the separator ("sep=;"): Excel reads it, and tools that write CSV for Excel add it.
_EXCEL_SEPARATOR = re.compile(r"sep=([,;\t|])\r?\n")


def _read_csv(path: str, text: str, first: str) -> Rows:
    """The records of a CSV file, read row by row (a 100 000-token file is never held as a list of rows)."""
    hint = _EXCEL_SEPARATOR.match(text)
    try:
        return _read_rows(path, text, hint.group(1) if hint else _separator(first), skip_first=bool(hint))
    except csv.Error as exc:
        raise InputError(f"{path}: not a readable CSV file ({exc})") from None


def _separator(first: str) -> str:
    """What separates the cells, told by the first line with data: commas; or, where that line has none, the
    semicolons a spreadsheet program saves CSV with in languages whose decimal mark is a comma (German, French,
    Dutch...), the tabs of Excel's "Text (Tab delimited)", or spaces (Feitian sends its seed files "serial seed",
    space-delimited: its knowledge base, "FEITIAN OTP Seed Process"). Every layout's first line has two cells or
    more."""
    for separator in (",", ";", "\t", " "):
        if separator in first:
            return separator
    return ","


def _read_rows(path: str, text: str, separator: str, *, skip_first: bool) -> Rows:
    version = None
    first_cell_seen = False
    data_rows: list[Row] = []  # the first rows with data, enough to tell the layout
    lines: Iterable[str] = _lines(text)
    if separator == " ":  # spaces at a line's end would make an empty last cell (and runs of them are one separator)
        lines = (line.rstrip(" \t\r\n") + "\n" for line in lines)
    rows = enumerate(csv.reader(lines, delimiter=separator, skipinitialspace=True), start=1)
    if skip_first:
        next(rows)  # the separator hint; the lines keep their numbers
    for number, row in rows:
        if row and row[0].strip() and not first_cell_seen:  # "# version: 2" must be the first thing in the file
            first_cell_seen = True
            version = _VERSION.match(row[0].strip())
        if _has_data(row):
            data_rows.append((number, [cell.strip() for cell in row]))
            if len(data_rows) >= LAYOUT_LOOKAHEAD:
                break
    if not data_rows:
        return Rows(kind="CSV")
    everything = itertools.chain(data_rows, _with_data(rows))
    after_header = itertools.islice(everything, 1, None)
    first = data_rows[0][1]
    if version and version.group(1) == "2":  # privacyIDEA: user, resolver, realm, then the token
        return _rows(everything, _oath_row_with_user, "privacyIDEA OATH CSV (version 2)")
    header = [cell.lower() for cell in first]
    password_manager = password_manager_csv(first)
    if password_manager is not None:
        kind, read_row = password_manager
        return _rows(after_header, read_row, kind)
    if header[:3] == ["upn", "serial number", "secret key"]:
        return _entra_rows(after_header, data_rows[1:], "Entra ID CSV")
    if header[:2] == ["serial number", "secret key"]:  # Entra ID's columns without upn: Deepnet's SafeID secret files
        return _entra_rows(after_header, data_rows[1:], "Entra ID CSV without upn", upn_column=False)
    if header[:2] == ["serial", "secret"] or header[:2] == ["serial", "seed"]:
        return _rows_as_read(data_rows[1:], rows, _vendor_row, "vendor CSV")
    if len(first) >= 3 and first[2].lower() in PRIVACYIDEA_TYPES:
        return _rows_as_read(data_rows, rows, _oath_row, "privacyIDEA/LinOTP OATH CSV")
    if len(first) == 2:
        # Two columns: the vendor's serial,base32 — or privacyIDEA's serial,hexkey (an HOTP token).
        if _looks_hex([row[1] for _, row in data_rows if len(row) == 2]):
            return _rows_as_read(data_rows, rows, _oath_row, "privacyIDEA/LinOTP OATH CSV")
        return _rows_as_read(data_rows, rows, _vendor_row, "vendor CSV")
    raise InputError(f"{path}: unknown CSV layout; expected 'serial,secret', privacyIDEA/LinOTP OATH CSV "
                     "(serial, hex key[, totp|hotp, digits, period|counter, hash]), an Entra ID CSV (with or without "
                     "its upn column), or a Bitwarden or KeePassXC CSV export")


def _has_data(row: list[str]) -> bool:
    return bool(row) and any(cell.strip() for cell in row) and not row[0].lstrip().startswith("#")


def _with_data(rows: Iterable[tuple[int, list[str]]]) -> Iterator[Row]:
    """The rows holding data (not blank, not a # comment), their cells stripped: what _has_data keeps, with
    each cell stripped once."""
    for number, row in rows:
        cells = list(map(str.strip, row))
        if cells and any(cells) and not cells[0].startswith("#"):
            yield number, cells


def _looks_hex(values: list[str]) -> bool:
    """True when every value is hex and one at least cannot be base32 (0, 1, 8 and 9 are not in it)."""
    hex_digits = set("0123456789abcdefABCDEF")
    return bool(values) and all(value and set(value) <= hex_digits for value in values) and \
        any(set(value) & set("0189") for value in values)


def _rows(rows: Iterable[Row], parse_row: Callable[[int, list[str]], SeedRecord | None], kind: str) -> Rows:
    found = Rows(kind=kind)
    records, problems = found.records, found.problems
    for number, row in rows:
        try:
            record = parse_row(number, row)
        except InputError as exc:
            problems.append(f"line {number}: {exc.message}")
        else:
            if record is not None:
                records.append(record)
    return found


def _rows_as_read(looked_ahead: list[Row], rest: Iterable[tuple[int, list[str]]],
                  parse_row: Callable[[int, list[str]], SeedRecord], kind: str) -> Rows:
    """The records of a layout whose row reader keeps no cell as it stands: it refuses a cell with spaces around it
    or reads it as it reads the cell without them (a serial, a key, a type, a number: _vendor_row, _oath_row). The
    rows the layout was told by come first; the rest are read as csv.reader gives them, as nearly every row has no
    cell to strip (a 100 000-row file: 25-30 ms less than stripping every row first). A row refused so is read again
    the way every row is read: stripped, skipped when blank or a comment, its problem worded."""
    found = _rows(looked_ahead, parse_row, kind)
    records, problems = found.records, found.problems
    for number, row in rest:
        try:
            record = parse_row(number, row)
        except InputError:
            cells = next((cells for _, cells in _with_data([(number, row)])), None)  # _with_data, for one row
            if cells is None:
                continue
            try:
                record = parse_row(number, cells)
            except InputError as exc:
                problems.append(f"line {number}: {exc.message}")
                continue
        records.append(record)
    return found


MAX_SERIAL = 64
_SERIAL = re.compile(rf"[A-Za-z0-9._:-]{{1,{MAX_SERIAL}}}")  # fullmatch: $ would take a last "\n"


_EXCEL_TEXT = re.compile(r'="(.*)"')  # ="00123": how spreadsheet-minded tools keep a serial's leading zeros
_SCIENTIFIC = re.compile(r"\d[.,]\d+E\+\d+", re.IGNORECASE)


def _serial(value: str) -> str:
    # The usual serial, letters and digits, told in C in a third of the regex's time; then any other the pattern
    # takes. Neither of the spreadsheet forms below can match it.
    if value.isalnum() and value.isascii() and len(value) <= MAX_SERIAL or _SERIAL.fullmatch(value):
        return value
    excel_text = _EXCEL_TEXT.fullmatch(value)
    if excel_text:
        value = excel_text.group(1)
    if _SCIENTIFIC.fullmatch(value):
        raise InputError(f"the serial number {value} is a long number a spreadsheet program rewrote; the real "
                         "serial is lost (write the serials as text)")
    if not _SERIAL.fullmatch(value):
        # The value is not echoed: with columns swapped it could be a secret.
        raise InputError("the serial number column holds something else (expected letters, digits, . _ : - "
                         "up to 64)")
    return value


def _vendor_row(number: int, row: list[str]) -> SeedRecord:
    """A vendor's serial,base32 row. Keeps no cell as it stands (_rows_as_read counts on it)."""
    if len(row) != 2:
        raise InputError(f"expected 2 columns (serial,secret), found {len(row)}")
    try:
        secret = decode_base32(row[1])
    except InputError:
        raise InputError("the secret is not base32") from None  # the codec's detail quotes a character of it
    return SeedRecord(_serial(row[0]), OtpParams.of_secret(secret), number)


_OATH_TYPES = {"totp": OtpType.TOTP, "hotp": OtpType.HOTP}  # a lookup: OtpType(kind) takes 14 times as long


def _oath_row(number: int, row: list[str], user: str = "", resolver: str = "", realm: str = "") -> SeedRecord:
    """privacyIDEA/LinOTP OATH CSV: serial, hex key[, type[, digits[, period|counter[, hash]]]].

    Two columns mean HOTP, as the server reads them. `user`, `resolver` and `realm` are a version 2 file's, given
    as they stand; no cell of `row` is kept so (_rows_as_read counts on it).
    """
    if not 2 <= len(row) <= 6:
        raise InputError(f"expected 2 to 6 columns (serial, key, type, digits, period|counter, hash), "
                         f"found {len(row)}")
    serial = _serial(row[0])
    try:
        secret = decode_hex(row[1])
    except InputError:
        raise InputError("the key is not hex") from None  # the codec's detail quotes a character of it
    kind = row[2].lower() if len(row) > 2 and row[2] else "hotp"
    otp_type = _OATH_TYPES.get(kind)
    if otp_type is None:
        if kind in PRIVACYIDEA_TYPES:  # a known type name, not a shifted secret: safe to name
            named = {"ocra": "an OCRA", "tan": "a TAN", "motp": "an mOTP", "daypassword": "a day-password"}[kind]
            raise InputError(f"{named} token, not HOTP or TOTP")
        raise InputError("the type column is not totp or hotp")  # not echoed: it could be a shifted secret
    digits = _number(row, 3, 6, "digits")
    totp = otp_type is OtpType.TOTP
    moving = _number(row, 4, 30 if totp else 0, "period" if totp else "counter")
    algorithm = Algorithm.parse(row[5]) if len(row) > 5 and row[5] else Algorithm.SHA1
    period, counter = (moving, 0) if totp else (30, moving)
    params = OtpParams(secret, otp_type, algorithm, digits, period, counter)  # by position: keywords cost 25% more
    # upn, part, user, resolver, realm by position: keywords to a NamedTuple took 10 ms more per 100 000 rows
    return SeedRecord(serial, params, number, "", "", user, resolver, realm)


def _oath_row_with_user(number: int, row: list[str]) -> SeedRecord:
    if len(row) < 5:
        raise InputError(f"expected user, resolver, realm, serial, key and more; found {len(row)} columns")
    return _oath_row(number, row[3:], row[0], row[1], row[2])


_ENTRA_COLUMNS = ("upn", "serial number", "secret key", "time interval", "manufacturer", "model")


def _entra_rows(rows: Iterable[Row], sample: list[Row], kind: str, *, upn_column: bool = True) -> Rows:
    """Entra ID's layout, with its upn column or without it (as Deepnet ships the secret files of its SafeID tokens:
    Deepnet's wiki, "Token Secret File" and "How to Upload SafeID Hardware Token to Azure AD", whose example also
    spells the column "timeinterval"). Microsoft's secret keys are base32; Deepnet's may be hex, which a file's keys
    show by holding 0, 1, 8 or 9 (base32 has none of them): the first rows decide for the whole file, as for
    two-column files."""
    columns = _ENTRA_COLUMNS if upn_column else _ENTRA_COLUMNS[1:]
    width = len(columns)
    serial_at = columns.index("serial number")  # after the upn, if there is one; the other columns follow it
    key_at, period_at, manufacturer_at, model_at = range(serial_at + 1, serial_at + 5)
    hex_keys = _looks_hex([row[key_at] for _, row in sample if len(row) == width])
    decode = decode_hex if hex_keys else decode_base32
    names: dict[str, str] = {}  # one string per manufacturer and model, not one per row (100 000 rows: ~11 MB)

    def read_row(number: int, row: list[str]) -> SeedRecord:
        if len(row) != width:
            raise InputError(f"expected {width} columns ({', '.join(columns)}), found {len(row)}")
        try:
            secret = decode(row[key_at])
        except InputError:  # the codec's detail quotes a character
            raise InputError(f"the secret key is not {'hex' if hex_keys else 'base32'}") from None
        params = OtpParams(secret, period=_number(row, period_at, 30, "time interval"))
        manufacturer, model = row[manufacturer_at], row[model_at]
        return SeedRecord(_serial(row[serial_at]), params, number, row[0] if upn_column else "",
                          manufacturer=names.setdefault(manufacturer, manufacturer),
                          model=names.setdefault(model, model))

    found = _rows(rows, read_row, kind)
    if hex_keys and found.records:
        found.notes.append("its secret keys are hex, not base32 (they hold 0, 1, 8 or 9, which base32 has not)")
    return found


def _number(row: list[str], index: int, default: int, name: str) -> int:
    if len(row) <= index or not row[index]:
        return default
    number = ascii_number(row[index], 9)
    if number is None:
        raise InputError(f"the {name} column is not a whole number")  # not echoed: it could be a shifted secret
    return number
