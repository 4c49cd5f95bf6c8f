"""The seed-file corpus (tests/data/seedfiles): files written from the formats' published
descriptions, each beside the records, problems and notes it must give."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from otpburn.errors import InputError, Remedy
from otpburn.sources.seedfiles import csv_layouts, keepass_kdbx, read_seed_bytes, read_seed_file
from tests.conftest import skip_unless_required

CORPUS = Path(__file__).resolve().parent.parent / "data" / "seedfiles"
FILES = sorted(p for p in CORPUS.iterdir() if not p.name.endswith(".expected.json"))


def as_dict(record) -> dict[str, object]:
    params = record.params
    return {"place": record.place, "serial": record.serial, "type": params.type.value,
            "algorithm": params.algorithm.value, "digits": params.digits, "period": params.period,
            "counter": params.counter, "secret": params.secret.hex(), "issuer": params.issuer,
            "account": params.account, "user": record.user, "resolver": record.resolver, "realm": record.realm,
            "upn": record.upn, "manufacturer": record.manufacturer, "model": record.model}


def read(path: Path, expected: dict):
    """The file read as a user would: with the password or key its expectation names."""
    unlock = expected.get("unlock", {})
    password = (lambda: unlock["password"]) if "password" in unlock else None
    key = (lambda: bytes.fromhex(unlock["key"])) if "key" in unlock else None
    return read_seed_file(str(path), password, key=key)


def test_every_file_has_its_expectation():
    assert FILES and all(CORPUS.joinpath(f"{p.stem}.expected.json").exists() for p in FILES)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_each_file_gives_exactly_its_records_problems_and_notes(path):
    expected = json.loads(CORPUS.joinpath(f"{path.stem}.expected.json").read_text())
    if path.suffix == ".kdbx" and keepass_kdbx.find_tool() is None:
        skip_unless_required("KeePass databases open with KeePassXC's keepassxc-cli (Debian package keepassxc)")
    gives_what_is_expected(path, expected)


def gives_what_is_expected(path: Path, expected: dict) -> None:
    """`path` read as a user would gives exactly the records, problems and notes, or the refusal, `expected` names."""
    if "error" in expected:
        with pytest.raises(InputError) as refused:
            read(path, expected)
        assert str(refused.value) == expected["error"].replace("{path}", str(path))
        assert refused.value.remedy == (Remedy(expected["remedy"]) if "remedy" in expected else None)
        return
    contents = read(path, expected)
    assert contents.kind == expected["kind"]
    assert [as_dict(record) for record in contents.records] == expected["records"]
    assert contents.problems == expected["problems"]
    assert contents.notes == expected["notes"]


def test_a_pskc_with_only_keys_that_are_not_otp_keys_says_which_it_skipped(tmp_path):
    text = CORPUS.joinpath("pskc-mixed-with-pin.xml").read_bytes()
    start = text.index(b"<KeyPackage>")
    only_pin = text[:start] + text[text.index(b"<KeyPackage>", start + 1):]
    path = tmp_path / "pin-only.pskc"
    path.write_bytes(only_pin)
    with pytest.raises(InputError, match=r"key 1 \(serial 987654321\): not an HOTP or TOTP key \(pin\)"):
        read_seed_file(str(path))


def text_files() -> list[Path]:
    """The corpus files that are text (UTF-8, no NUL): CSV, otpauth lists, JSON, XML, base64 backups."""
    found = []
    for path in FILES:
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        if "\0" not in text:
            found.append(path)
    return found


TEXT_FILES = text_files()


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("path", TEXT_FILES, ids=[p.name for p in TEXT_FILES])
def test_each_text_file_saved_as_utf16_reads_the_same(tmp_path, path, encoding):
    """Windows PowerShell 5.1's `>` and Out-File, and Excel's "Unicode Text", save text as UTF-16 with a byte-order
    mark. Saved so (an XML declaration then names UTF-16, as those tools write it), each text file of the corpus
    gives what it gives as UTF-8: the same records, problems and notes, or the same refusal."""
    expected = json.loads(CORPUS.joinpath(f"{path.stem}.expected.json").read_text())
    text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    text = re.sub(r"""^(\s*<\?xml[^>]*encoding=)(["'])[^"']*\2""", r"\1\2UTF-16\2", text)
    saved = tmp_path / path.name
    mark = codecs.BOM_UTF16_LE if encoding == "utf-16-le" else codecs.BOM_UTF16_BE
    saved.write_bytes(mark + text.encode(encoding))
    gives_what_is_expected(saved, expected)


CSV_FILES = [path for path in FILES if path.suffix == ".csv"]


def resaved(text: str, separator: str) -> str:
    """The CSV as a spreadsheet program saves it with another separator: every cell kept, CRLF line ends."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=separator, lineterminator="\r\n").writerows(csv.reader(io.StringIO(text)))
    return buffer.getvalue()


@pytest.mark.parametrize("layout", ["semicolons", "tabs", "Excel's separator line"])
@pytest.mark.parametrize("path", CSV_FILES, ids=[p.name for p in CSV_FILES])
def test_each_csv_saved_with_another_separator_reads_the_same(tmp_path, path, layout):
    """Excel saves CSV with semicolons where the decimal mark is a comma (German, French, Dutch...) and as
    "Text (Tab delimited)" with tabs; a file made for Excel may name its separator on its first line ("sep=;").
    Each CSV of the corpus saved so gives what it gives with commas, line numbers included."""
    expected = json.loads(CORPUS.joinpath(f"{path.stem}.expected.json").read_text())
    text = path.read_text(encoding="utf-8-sig")
    if layout == "Excel's separator line":
        saved_text = "sep=;\r\n" + resaved(text, ";")
        expected = renumbered(expected)  # the hint is line 1: every line comes one later
    else:
        saved_text = resaved(text, ";" if layout == "semicolons" else "\t")
    saved = tmp_path / path.name
    saved.write_text(saved_text, encoding="utf-8")
    gives_what_is_expected(saved, expected)


def renumbered(expected: dict) -> dict:
    """The expectation with every "line N" made "line N+1"."""
    return json.loads(re.sub(r"\bline (\d+)", lambda found: f"line {int(found.group(1)) + 1}", json.dumps(expected)))


def test_the_first_line_with_data_tells_the_separator(tmp_path):
    """Commas win wherever the first data line has one: a comma file whose later cells hold semicolons or tabs
    is read with commas; a semicolon file whose comments hold commas is read with semicolons."""
    commas = tmp_path / "commas.csv"
    commas.write_text("serial,secret\n86596220000001,JBSWY3DPEHPK3PXP\n8659622000;0002,KRSXG5CTMVRXEZLU\n")
    contents = read_seed_file(str(commas), None)
    assert [record.serial for record in contents.records] == ["86596220000001"]
    assert contents.problems == ["line 3: the serial number column holds something else (expected letters, "
                                 "digits, . _ : - up to 64)"]
    semicolons = tmp_path / "semicolons.csv"
    semicolons.write_text("# exported 3 June, 2026, by hand\nserial;secret\n86596220000001;JBSWY3DPEHPK3PXP\n")
    assert [record.serial for record in read_seed_file(str(semicolons), None).records] == ["86596220000001"]


def test_serials_are_letters_digits_and_four_marks_up_to_64(tmp_path):
    """What a serial may hold, at the edges: plain letters and digits are told apart from the rest by a quicker
    check than the pattern's, which must take and refuse exactly what the pattern does."""
    serials = ["A" * 64, "x1", "86.59:22_0-1", "A" * 65, "\u0661\u0662\u0663", "Stra\u00dfe", "12 34", "1/2", "²"]
    path = tmp_path / "seeds.csv"
    path.write_text("serial,secret\n" + "".join(f"{serial},JBSWY3DPEHPK3PXP\n" for serial in serials),
                    encoding="utf-8")
    contents = read_seed_file(str(path), None)
    assert [record.serial for record in contents.records] == serials[:3]
    assert [problem.split(":")[0] for problem in contents.problems] == [f"line {n}" for n in range(5, 11)]
    assert all("serial number column holds something else" in problem for problem in contents.problems)


def test_a_utf16_csv_keeps_its_line_numbers(tmp_path):
    """Blank lines before the header count, in UTF-16 as in UTF-8."""
    path = tmp_path / "seeds.csv"
    path.write_bytes(codecs.BOM_UTF16_LE + "\r\n\r\nserial;secret\r\n86596220000001;JBSWY3DPEHPK3PXP\r\n"
                     "86596220000002;not base32!\r\n".encode("utf-16-le"))
    contents = read_seed_file(str(path), None)
    assert [record.place for record in contents.records] == ["line 4"]
    assert contents.problems == ["line 5: the secret is not base32"]


TEXT_LAYOUT_FILES = [path for path in FILES if path.suffix in (".csv", ".txt") and path in TEXT_FILES]


@pytest.mark.parametrize("path", TEXT_LAYOUT_FILES, ids=[p.name for p in TEXT_LAYOUT_FILES])
def test_each_text_file_read_past_the_rows_that_tell_its_layout_reads_the_same(monkeypatch, path):
    """The rows after the first LAYOUT_LOOKAHEAD with data (the layout told) are read as they come, a vendor or
    privacyIDEA row stripped only when refused so: with only the first two rows looked at (a header and a row,
    enough for every file here to tell its layout), each file gives what it gives."""
    monkeypatch.setattr(csv_layouts, "LAYOUT_LOOKAHEAD", 2)
    gives_what_is_expected(path, json.loads(CORPUS.joinpath(f"{path.stem}.expected.json").read_text()))


# Cells as seed files and the hands that edit them write them: plain, padded, lower case, spaced (with what
# str.strip takes and the csv module does not: tabs, a no-break space, a line break inside quotes), grouped,
# commented, rewritten by a spreadsheet, not ASCII, too long, empty.
SPACES = ["", " ", "\t", "\u00a0", "\n", "\x1c"]
SERIALS = ["86596220000001", "x1", "86.59:22_0-1", "A" * 64, "A" * 65, '="0012345"', "1.23457E+16", "#8659622", "",
           "\u0661\u0662", "Stra\u00dfe", "\u00b2", "12 34", "1/2"]
BASE32_SECRETS = ["JBSWY3DPEHPK3PXP", "jbswy3dpehpk3pxp", "MZXW6===", "MZXW6", "MZXW6========", "JBSW Y3DP-EHPK 3PXP",
                  "JBSWY3DPEHPK3PX", "JBSW1", "0123456789abcdef", "A" * 1640, "A" * 1648, "", "=", "JBSW_Y3DP",
                  "\uff21\uff21"]
HEX_KEYS = ["3132333435363738393031323334353637383930", "0x3132", "31:32 33-34", "313", "31g2", "", "\uff11\uff12"]
OATH_CELLS = ["totp", "TOTP", "hotp", "ocra", "", "6", "8", "06", "\u0666", "30", "0", "-1", "sha1", "SHA256",
              "HmacSHA512", "md5"]


def spaced(values: list[str]) -> st.SearchStrategy[str]:
    return st.tuples(st.sampled_from(SPACES), st.sampled_from(values), st.sampled_from(SPACES)).map("".join)


def csv_text(lines: list[list[str] | str], separator: str) -> str:
    """Rows written as a CSV writer writes them (cells quoted where they need it), and lines written as they are."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\n")
    for line in lines:
        if isinstance(line, str):
            buffer.write(line + "\n")
        else:
            writer.writerow(line)
    return buffer.getvalue()


ODD_LINES = st.sampled_from(["", "# a comment", " , ", "#86596220000001,JBSWY3DPEHPK3PXP", ",,"])
VENDOR_LINES = st.lists(st.one_of(
    st.tuples(spaced(SERIALS), spaced(BASE32_SECRETS)).map(list),
    st.lists(spaced(SERIALS + BASE32_SECRETS), max_size=3), ODD_LINES), max_size=12)
OATH_LINES = st.lists(st.one_of(
    st.tuples(spaced(SERIALS), spaced(HEX_KEYS), st.lists(spaced(OATH_CELLS), max_size=5)).map(
        lambda row: [row[0], row[1], *row[2]]), ODD_LINES), max_size=12)


@settings(max_examples=800, derandomize=True, deadline=None)
@given(st.one_of(VENDOR_LINES.map(lambda lines: [["serial", "secret"], *lines]),
                 OATH_LINES.map(lambda lines: [["86596220000000", HEX_KEYS[0], "totp", "6", "30"], *lines])),
       st.sampled_from([",", ";", "\t", " "]))
@example([["serial", "secret"], ["86596220000001\n", "JBSWY3DPEHPK3PXP"]], ";")  # a pattern's $ took the "\n"
def test_a_row_read_past_the_layout_rows_gives_what_it_gives_among_them(lines, separator):
    """Any vendor or privacyIDEA row gives the same record, problem or nothing whether it is among the rows the
    layout is told by (stripped first) or after them (read as csv.reader gives it, then stripped if refused), with
    each separator a file may use (Feitian's spaces included)."""
    data = csv_text(lines, separator).encode()

    def outcome() -> object:
        try:
            contents = read_seed_bytes("seeds.csv", data)
        except InputError as refused:
            return str(refused)
        return [as_dict(record) for record in contents.records], contents.problems, contents.notes, contents.kind

    among = outcome()
    original = csv_layouts.LAYOUT_LOOKAHEAD
    csv_layouts.LAYOUT_LOOKAHEAD = 1  # only the first row is looked at: every other is read after it
    try:
        assert outcome() == among
    finally:
        csv_layouts.LAYOUT_LOOKAHEAD = original
