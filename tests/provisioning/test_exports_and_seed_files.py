"""Exports re-imported (Entra rules, python-pskc, our own importer), and a bad-input suite."""

import base64
import copy
import csv
import io
import json
import pickle
from pathlib import Path

import pskc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from otpburn.cli.export_notes import export_note_text
from otpburn.cli.wording import describe
from otpburn.errors import InputError
from otpburn.otp import Algorithm, OtpParams, OtpType, encode_base32
from otpburn.provisioning.records.exports import (
    ENTRA_HEADER,
    DuoTypeNote,
    ExportRefusedError,
    Protection,
    TokenRecord,
    entra_csv,
    export,
    render,
)
from otpburn.sources.seedfiles import read_seed_file

RECORDS = [
    TokenRecord(OtpParams(secret=bytes([i]) * 20, issuer="Acme", account=f"user{i}"), f"865962200000{i}",
                "OTPC-P2-i", "Token2", f"user{i}@contoso.com")
    for i in range(1, 4)
]


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return str(path)


def test_entra_csv_follows_microsofts_rules(tmp_path):
    data = entra_csv(RECORDS).decode()
    rows = list(csv.reader(io.StringIO(data)))
    assert rows[0] == ENTRA_HEADER
    assert data.splitlines()[0] == "upn,serial number,secret key,time interval,manufacturer,model"
    for row, record in zip(rows[1:], RECORDS, strict=False):
        assert row == [record.upn, record.serial, encode_base32(record.params.secret), "30", "Token2", "OTPC-P2-i"]
        assert set(row[2]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") and len(row[2]) <= 128
    path = tmp_path / "entra.csv"
    export("entra", RECORDS, str(path))
    assert path.stat().st_mode & 0o777 == 0o600
    back = read_seed_file(str(path)).records
    assert [(r.serial, r.params.secret, r.upn) for r in back] == [(r.serial, r.params.secret, r.upn) for r in RECORDS]


@pytest.mark.parametrize("fmt", ["vendor-csv", "privacyidea", "otpauth"])
def test_text_exports_round_trip_through_our_importer(tmp_path, fmt):
    records = RECORDS + [TokenRecord(OtpParams(secret=b"\x07" * 32, algorithm=Algorithm.SHA256, digits=8, period=60,
                                               issuer="Big", account="carol"), "8659632000009")]
    path = tmp_path / f"out.{fmt}"
    export(fmt, records, str(path))
    back = read_seed_file(str(path)).records
    assert [r.params.secret for r in back] == [r.params.secret for r in records]
    if fmt != "vendor-csv":
        assert back[-1].params.algorithm is Algorithm.SHA256 and back[-1].params.digits == 8
        assert back[-1].params.period == 60
    if fmt != "otpauth":
        assert [r.serial for r in back] == [r.serial for r in records]


def test_pskc_encrypted_is_read_by_python_pskc_and_by_us(tmp_path):
    path = tmp_path / "tokens.pskc"
    export("pskc", RECORDS, str(path), protection=Protection(password="correct horse battery"))
    text = path.read_text()
    assert "EncryptedValue" in text and encode_base32(RECORDS[0].params.secret) not in text
    document = pskc.PSKC(str(path))
    document.encryption.derive_key("correct horse battery")
    assert [(k.serial, k.secret, k.time_interval, k.response_length) for k in document.keys] == [
        (r.serial, r.params.secret, 30, 6) for r in RECORDS]
    back = read_seed_file(str(path), password=lambda: "correct horse battery").records
    assert [r.params.secret for r in back] == [r.params.secret for r in RECORDS]
    with pytest.raises(InputError, match="wrong password"):
        read_seed_file(str(path), password=lambda: "wrong password!")
    with pytest.raises(InputError, match="is encrypted"):
        read_seed_file(str(path))


def test_pskc_plain_hotp_round_trip(tmp_path):
    record = TokenRecord(OtpParams(secret=b"hotp secret 12345678", type=OtpType.HOTP, counter=9), "S1")
    path = tmp_path / "plain.xml"
    export("pskc", [record], str(path))
    (back,) = read_seed_file(str(path)).records
    assert back.params.type is OtpType.HOTP and back.params.counter == 9 and back.serial == "S1"


def test_qr_export_scans_back(tmp_path):
    from otpburn.sources.scan import scan_images

    path = tmp_path / "code.png"
    export("qr", RECORDS[:1], str(path))
    (code,) = scan_images([str(path)]).codes
    assert code.text.startswith("otpauth://totp/Acme:user1?secret=")


def test_existing_file_is_kept(tmp_path):
    path = tmp_path / "entra.csv"
    path.write_text("keep me")
    with pytest.raises(InputError, match="already exists"):
        export("entra", RECORDS, str(path))
    assert path.read_text() == "keep me"


ENTRA_BAD = [
    (OtpParams(secret=b"x" * 20, algorithm=Algorithm.SHA256), "CSV upload takes only SHA1 tokens, not SHA256"),
    (OtpParams(secret=b"x" * 20, type=OtpType.HOTP), "takes only TOTP tokens, not HOTP"),
    (OtpParams(secret=b"x" * 20, period=45), "takes only periods of 30 s or 60 s, not 45 s"),
    (OtpParams(secret=b"x" * 20, digits=8), "takes only 6-digit codes, not 8"),
    (OtpParams(secret=b"x" * 81), "130 base32 characters and Entra ID's CSV upload takes at most 128"),
]


@pytest.mark.parametrize("params,fragment", ENTRA_BAD)
def test_entra_refusals(tmp_path, params, fragment):
    path = tmp_path / "e.csv"
    with pytest.raises(ExportRefusedError) as refused:
        export("entra", [RECORDS[0], TokenRecord(params, "123")], str(path))
    assert refused.value.record == "123" and refused.value.refusals
    assert fragment in describe(refused.value)
    assert not path.exists()  # nothing partially written


BAD_SEED_FILES = [
    ("empty.csv", "", "is empty"),
    ("blank.csv", "\n\n  \n", "is empty"),
    ("binary.csv", b"\x00\x01\x02serial", "binary"),
    ("latin1.csv", "serial,secret\n123,caf\xe9".encode("latin-1"), "not UTF-8"),
    ("layout.csv", "a,b,c,d,e,f,g\n", "unknown CSV layout"),
    ("b32.csv", "serial,secret\n123,JBSW1Y3D\n", "line 2: the secret is not base32"),
    ("cols.csv", "serial,secret\n123,JBSWY3DPEHPK3PXP,extra\n", "line 2: expected 2 columns"),
    ("serial.csv", "serial,secret\nbad serial!,JBSWY3DPEHPK3PXP\n", "line 2:"),
    ("hex.csv", "S1, zz11, totp, 6, 30\n", "line 1: the key is not hex"),
    ("digits.csv", "S1, 31323334353637383930, totp, six, 30\n", "the digits column is not a whole number"),
    ("period.csv", "S1, 31323334353637383930, totp, 6, 0\n", "period must be between"),
    ("algo.csv", "S1, 31323334353637383930, totp, 6, 30, md5\n", "unsupported algorithm"),
    ("oathcols.csv", "S1, 3132, totp, 6, 30, sha1, extra\n", "expected 2 to 6 columns"),
    ("ocra.csv", "S2, 3334, ocra, OCRA-1:HOTP-SHA1-6:QN08\n", "line 1: an OCRA token, not HOTP or TOTP"),
    ("entra.csv", "upn,serial number,secret key,time interval,manufacturer,model\nu@x.com,1,JBSWY3DP\n",
     "expected 6 columns"),
    ("entra2.csv", "upn,serial number,secret key,time interval,manufacturer,model\nu@x.com,1,JBSW!,30,T,M\n",
     "not base32"),
    ("entity.xml", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><KeyContainer>&a;</KeyContainer>',
     "DOCTYPE or entities"),
    ("laughs.pskc", '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><lolz>&lol2;</lolz>',
     "DOCTYPE or entities"),
    ("broken.xml", "<KeyContainer><Key>", "not a valid PSKC file"),
    ("notpskc.xml", "<html><body>hi</body></html>", "not a valid PSKC file"),
    ("quote.csv", 'serial,secret\n"123,JBSWY3DPEHPK3PXP\n', "line"),
]


@pytest.mark.parametrize("name,content,fragment", BAD_SEED_FILES, ids=[case[0] for case in BAD_SEED_FILES])
def test_bad_seed_files(tmp_path, name, content, fragment):
    path = write(tmp_path, name, content)
    with pytest.raises(InputError) as info:
        read_seed_file(path)
    assert fragment in info.value.message
    assert "JBSWY3DPEHPK3PXP" not in info.value.message


# Files with usable records beside unusable ones: the usable load, the others are listed by line;
# --strict refuses the file. Duplicates are notes naming both lines (a batch burns each seed once).
PARTIAL_SEED_FILES = [
    ("type.csv", "S1, 3132, totp, 6, 30\nS2, 3334, motp, 6, 30\n", 1, "line 2: an mOTP token, not HOTP or TOTP"),
    ("uris.txt", "otpauth://totp/A?secret=JBSWY3DPEHPK3PXP\notpauth://totp/B?secret=\n", 1,
     "line 2: the otpauth URI has no secret"),
    ("uris2.txt", "otpauth://totp/A?secret=JBSWY3DPEHPK3PXP\nhttps://example.com\n", 1, "line 2:"),
    ("b32.csv", "serial,secret\n123,JBSW1Y3D\n124,JBSWY3DPEHPK3PXP\n", 1, "line 2: the secret is not base32"),
    ("shifted.csv", "S1, 3132, totp\nS2, 3334, zzzz, 6, 30\n", 1, "line 2: the type column is not totp or hotp"),
]
DUPLICATES = [
    ("dupserial.csv", "serial,secret\n123,JBSWY3DPEHPK3PXP\n123,KRSXG5CTMVRXEZLU\n",
     "line 3: serial 123 again (first at line 2)"),
    ("dupsecret.csv", "serial,secret\n1,JBSWY3DPEHPK3PXP\n2,JBSWY3DPEHPK3PXP\n", "line 3: the same secret as line 2"),
]


@pytest.mark.parametrize("name,content,usable,fragment", PARTIAL_SEED_FILES, ids=[c[0] for c in PARTIAL_SEED_FILES])
def test_usable_records_load_and_the_others_are_listed(tmp_path, name, content, usable, fragment):
    path = write(tmp_path, name, content)
    contents = read_seed_file(path)
    assert len(contents.records) == usable
    assert any(fragment in problem for problem in contents.problems), contents.problems
    with pytest.raises(InputError) as info:
        read_seed_file(path, strict=True)
    assert fragment in info.value.message and "JBSWY3DPEHPK3PXP" not in info.value.message


@pytest.mark.parametrize("name,content,fragment", DUPLICATES, ids=[c[0] for c in DUPLICATES])
def test_duplicates_are_notes_naming_both_lines(tmp_path, name, content, fragment):
    path = write(tmp_path, name, content)
    for strict in (False, True):
        contents = read_seed_file(path, strict=strict)
        assert len(contents.records) == 2 and contents.notes == [fragment]


def test_partial_file_through_the_cli_writes_the_usable_records(cli, tmp_path):
    path = write(tmp_path, "mixed.csv", "S1, 3132333435, totp, 6, 30\nS2, 3334, motp, 6, 30\nS3, zz, totp\n")
    out = tmp_path / "out.csv"
    result = cli("export", "--format", "privacyidea", "--seed-file", path, "--output", str(out))
    err = result.stderr.decode()
    assert result.returncode == 0, err
    assert "line 2: an mOTP token, not HOTP or TOTP (left out)" in err and "line 3: the key is not hex" in err
    assert "1 of 3 records read; --strict refuses" in err
    assert out.read_text().count("\n") == 1
    strict = cli("export", "--format", "privacyidea", "--seed-file", path, "--output", str(tmp_path / "s.csv"),
                 "--strict")
    assert strict.returncode == 2 and strict.stderr.decode().count("\n") == 1
    assert not (tmp_path / "s.csv").exists()


def test_bad_input_suite_is_large_enough():
    assert len(BAD_SEED_FILES) + len(ENTRA_BAD) >= 25


@pytest.mark.parametrize("name,content,fragment", BAD_SEED_FILES, ids=[c[0] for c in BAD_SEED_FILES])
def test_bad_seed_files_through_the_cli(cli, tmp_path, name, content, fragment):
    path = write(tmp_path, name, content)
    out = tmp_path / "out.csv"
    result = cli("export", "--format", "vendor-csv", "--seed-file", path, "--output", str(out))
    err = result.stderr.decode()
    assert result.returncode == 2 and err.count("\n") == 1 and fragment in err, err
    assert not out.exists()


def test_cli_export_and_log(cli, tmp_path):
    out = tmp_path / "entra.csv"
    uri = tmp_path / "uri.txt"
    uri.write_text("otpauth://totp/Acme:bob?secret=JBSWY3DPEHPK3PXP")
    result = cli("export", "--format", "entra", "--uri-file", str(uri), "--serial", "8659622000001", "--upn",
                 "bob@contoso.com", "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text().splitlines()[1].startswith("bob@contoso.com,8659622000001,")
    again = cli("export", "--format", "entra", "--uri-file", str(uri), "--serial", "1", "--output", str(out))
    assert again.returncode == 2 and "already exists" in again.stderr.decode()
    pskc_out = tmp_path / "t.pskc"
    refused = cli("export", "--format", "pskc", "--uri-file", str(uri), "--output", str(pskc_out))
    assert refused.returncode == 2 and "--no-encrypt" in refused.stderr.decode() and not pskc_out.exists()
    entries = json.loads(cli("log", "--json").stdout)
    assert entries[-1]["operation"] == "export"
    assert "JBSWY3DPEHPK3PXP" not in json.dumps(entries)


def test_render_rejects_empty_and_unknown():
    with pytest.raises(InputError):
        render("entra", [])
    with pytest.raises(InputError):
        render("xls", RECORDS)


@pytest.mark.parametrize("row", ["S1, 3132333435363738393031323334353637383930, totp, JBSWY3DPEHPK3PXP, 30",
                                 "S1, 3132333435363738393031323334353637383930, JBSWY3DPEHPK3PXP, 6, 30",
                                 "S1, 3132333435363738393031323334353637383930, totp, 6, JBSWY3DPEHPK3PXP"])
def test_a_secret_in_the_wrong_column_is_never_echoed(tmp_path, row):
    path = write(tmp_path, "shifted.csv", row + "\n")
    with pytest.raises(InputError) as info:
        read_seed_file(path)
    assert "JBSWY3DPEHPK3PXP" not in str(info.value)


@pytest.mark.parametrize("force", [False, True])
def test_a_name_longer_than_the_file_system_takes_is_one_line(cli, tmp_path, force):
    """Looking at the target before writing fails too (ENAMETOOLONG): said as a write that cannot happen."""
    from otpburn.errors import OperationError
    from otpburn.files import write_private

    name = tmp_path / ("x" * 300)
    with pytest.raises(OperationError, match="^cannot look at .*: File name too long$"):
        write_private(name, b"secret", force=force)
    uri = tmp_path / "uri.txt"
    uri.write_text("otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP\n")
    result = cli("export", "--uri-file", str(uri), "--format", "otpauth", "--output", str(name),
                 *(["--force"] if force else []))
    assert result.returncode == 1 and result.stderr.decode().startswith("otpburn: cannot look at ")
    assert "internal error" not in result.stderr.decode() and result.stderr.decode().count("\n") == 1


def test_a_long_name_is_replaced_through_a_temporary_name_short_enough(tmp_path):
    """Replacing goes through a temporary name that repeats the target's, but not one so long that the temporary
    name would pass 255 bytes: a 250-character name is replaced, and nothing is left beside it."""
    from otpburn.files import write_private

    target = tmp_path / ("y" * 250)
    write_private(target, b"old")
    write_private(target, b"new", force=True)
    assert target.read_bytes() == b"new" and [entry.name for entry in tmp_path.iterdir()] == [target.name]


def test_force_never_replaces_devices_pipes_or_links(tmp_path):
    import os

    from otpburn.files import write_private

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    link = tmp_path / "link"
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep")
    link.symlink_to(target)
    for special in (fifo, link, "/dev/null"):
        with pytest.raises(InputError, match="not a regular file"):
            write_private(special, b"secret", force=True)
    assert target.read_text() == "keep" and os.path.islink(link)


@pytest.mark.parametrize("field,value", [("upn", '=HYPERLINK("http://x","a")@b.com'), ("serial", "12\n34"),
                                         ("serial", "+123"), ("model", "@SUM(A1)"), ("manufacturer", "-2+3"),
                                         ("serial", "1" * 200), ("model", "C\udcff301")])
def test_export_cells_that_a_spreadsheet_would_run_or_split_are_refused(field, value):
    from otpburn.otp import OtpParams

    with pytest.raises(InputError):
        TokenRecord(OtpParams(b"12345678901234567890"), **{"serial": "123", field: value})
    record = TokenRecord(OtpParams(b"12345678901234567890"), "123")
    # Every way to a new record checks it: the tuple's own _replace and _make too.
    for build in (lambda: record._replace(**{field: value}),
                  lambda: TokenRecord._make({**record._asdict(), field: value}.values())):
        with pytest.raises(InputError):
            build()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.text(alphabet=st.sampled_from(list('a,"\r\n é€😀\u2028')), max_size=6), max_size=4),
                max_size=5))
def test_csv_exports_are_the_bytes_a_text_csv_writer_gives_encoded(rows):
    """CSV exports are encoded as they are written: the same bytes as the text a csv.writer makes, then encoded."""
    from otpburn.provisioning.records.exports import _csv

    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    assert _csv(iter(rows)) == text.getvalue().encode("utf-8")


def test_a_csv_export_is_built_in_about_the_memory_of_its_bytes():
    """Held as text, then encoded, 20 000 Entra rows took 2.8 times their bytes at peak (the text writer's buffer,
    its string and the bytes); encoded as they are written, 1.2 times. Counted by tracemalloc, not timed."""
    import tracemalloc

    from otpburn.provisioning.records.exports import _csv

    rows = (["user@example.org", f"8659622{n:07d}", "A" * 32, "30", "Token2", "C301"] for n in range(20_000))
    tracemalloc.start()
    try:
        written = _csv(rows)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(written) == 20_000 * 81 and peak < 1.6 * len(written)


def test_a_token_record_copies_pickles_and_shows_no_secret():
    record = RECORDS[0]
    assert copy.copy(record) == record == pickle.loads(pickle.dumps(record))  # noqa: S301  our own bytes
    assert record._replace(model="C301").model == "C301"
    shown = repr(record) + str(record)
    assert "<20 bytes>" in shown and "8659622000001" in shown
    assert repr(record.params.secret) not in shown and encode_base32(record.params.secret) not in shown


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=140) | st.text(alphabet="=+-@\t\r\n\x00\x1f\x7f\u200e\u2028\udcff aZ09.", max_size=8))
def test_a_cell_is_taken_exactly_when_the_worded_checks_take_it(value):
    """TokenRecord checks the usual cell in one expression first; it must take and refuse what _check_cell does."""
    from otpburn.otp import OtpParams
    from otpburn.provisioning.records.exports import _check_cell

    try:
        _check_cell("model", value)
    except InputError:
        with pytest.raises(InputError):
            TokenRecord(OtpParams(b"12345678901234567890"), "123", model=value)
    else:
        assert TokenRecord(OtpParams(b"12345678901234567890"), "123", model=value).model == value


def test_deeply_nested_xml_is_refused_before_the_pskc_parser(tmp_path):
    path = tmp_path / "deep.pskc"
    path.write_text("<a>" * 150_000 + "</a>" * 150_000)
    with pytest.raises(InputError, match="nested more than"):
        read_seed_file(str(path))


@pytest.mark.parametrize("element,value", [("IterationCount", "2000000000"), ("KeyLength", "999999999")])
def test_pskc_key_derivation_work_is_bounded_before_the_password_is_tried(tmp_path, element, value):
    import re

    path = tmp_path / "tokens.pskc"
    export("pskc", RECORDS, str(path), protection=Protection(password="correct horse battery"))
    text = path.read_text()
    assert f"{element}>" in text
    path.write_text(re.sub(rf"(<[\w:]*{element}>)\d+(</)", rf"\g<1>{value}\2", text))
    asked = []

    def password():
        asked.append(1)
        return "correct horse battery"

    with pytest.raises(InputError, match="otpburn runs at most"):
        read_seed_file(str(path), password)
    assert not asked


def test_a_key_derivation_in_progress_gives_way_to_ctrl_c():
    import _thread
    import signal
    import threading

    from otpburn.sources.seedfiles import run_interruptibly

    release = threading.Event()  # the "derivation" would never end by itself
    # A run started in the background by a non-interactive shell inherits SIGINT ignored, and then
    # interrupt_main does nothing: Python's own handler is put in place for the test.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    threading.Timer(0.2, _thread.interrupt_main).start()
    try:
        with pytest.raises(KeyboardInterrupt):
            run_interruptibly(release.wait)
    finally:
        release.set()
        signal.signal(signal.SIGINT, previous)
    assert run_interruptibly(lambda: 42) == 42
    with pytest.raises(ValueError):
        run_interruptibly(lambda: int("x"))


def test_ctrl_c_during_a_long_pskc_derivation_cancels_in_one_line(tmp_path):
    import os
    import re
    import signal
    import subprocess
    import sys

    path = tmp_path / "tokens.pskc"
    export("pskc", RECORDS, str(path), protection=Protection(password="correct horse battery"))
    path.write_text(re.sub(r"(<[\w:]*IterationCount>)\d+(</)", r"\g<1>10000000\2", path.read_text()))
    # The password comes through a FIFO: once otpburn has read it, the ten-million-round derivation starts,
    # so the Ctrl+C below lands inside it however slow the machine is (it takes seconds, the pause 0.3 s).
    password_pipe = tmp_path / "password"
    os.mkfifo(password_pipe)
    process = subprocess.Popen([sys.executable, "-m", "otpburn", "export", "--seed-file", str(path),
                                "--seed-password-file", str(password_pipe), "--format", "otpauth",
                                "--output", str(tmp_path / "out.txt")], stderr=subprocess.PIPE, text=True,
                               # as from a terminal, whatever this run inherited (a background job ignores it)
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    with open(password_pipe, "w") as pipe:  # opens once otpburn opens it to read
        pipe.write("correct horse battery")
    import time

    time.sleep(0.3)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert (process.returncode, err.strip()) == (130, "otpburn: cancelled")
    assert not (tmp_path / "out.txt").exists()


def test_a_bad_key_column_quotes_no_character_of_it(tmp_path):
    path = write(tmp_path, "typo.csv", "S1, 3132333435, totp\nS2, 31zz333435, totp\nS3,JBSW1Y3DPEHPK3PX,totp\n")
    problems = read_seed_file(path).problems
    assert problems == ["line 2: the key is not hex", "line 3: the key is not hex"]


def test_duo_hardware_token_import_lines(tmp_path):
    path = tmp_path / "duo.csv"
    notes = export("duo", RECORDS, str(path))
    assert path.read_text().splitlines() == [f"{r.serial},{r.params.secret.hex()},30" for r in RECORDS]
    assert path.stat().st_mode & 0o777 == 0o600
    assert DuoTypeNote(6, 30) in notes
    assert any("choose the type TOTP-6 (30 s)" in export_note_text(note) for note in notes)
    mixed = RECORDS + [TokenRecord(OtpParams(secret=b"\x09" * 20, period=60), "8659632000010")]
    with pytest.raises(InputError, match="Duo imports one token type per file: these tokens mix 6 digits/30 s and "
                                         "6 digits/60 s"):
        render("duo", mixed)
    with pytest.raises(ExportRefusedError) as refused:
        render("duo", [TokenRecord(OtpParams(secret=b"\x09" * 20, algorithm=Algorithm.SHA256), "1")])
    assert describe(refused.value) == "token 1 cannot go into the duo export: Duo's hardware-token import takes only " \
                                      "SHA1 tokens, not SHA256"


def test_pskc_export_with_a_preshared_key_from_the_command_line(cli, tmp_path):
    key = tmp_path / "psk.hex"
    key.write_text("12345678901234567890123456789012\n")
    out = tmp_path / "tokens.pskc"
    uri = "otpauth://totp/Acme:amy?secret=JBSWY3DPEHPK3PXPJBSWY3DP&issuer=Acme"
    result = cli("export", "--format", "pskc", "--output", str(out), "--export-key-file", str(key),
                 "--serial", "8659622000009", stdin=uri)
    assert result.returncode == 0, result.stderr
    assert b"Pre-shared-key" in out.read_bytes() and b"JBSWY3DP" not in out.read_bytes()
    back = cli("export", "--format", "otpauth", "--output", str(tmp_path / "back.txt"), "--seed-file", str(out),
               "--seed-key-file", str(key))
    assert back.returncode == 0, back.stderr
    assert "secret=JBSWY3DPEHPK3PXPJBSWY3DP" in (tmp_path / "back.txt").read_text()
    both = cli("export", "--format", "pskc", "--output", str(tmp_path / "x.pskc"), "--export-key-file", str(key),
               "--no-encrypt", stdin=uri)
    assert both.returncode == 2 and "one of --export-password-file, --export-key-file and --no-encrypt" in \
        both.stderr.decode()
    key.write_text("00" * 24)
    wide = cli("export", "--format", "pskc", "--output", str(tmp_path / "y.pskc"), "--export-key-file", str(key),
               stdin=uri)
    assert wide.returncode == 2 and "16 bytes (32 hex digits, AES-128" in wide.stderr.decode()


def test_a_check_sees_each_record_as_it_is_read_and_its_refusal_stops_the_reading(tmp_path):
    path = tmp_path / "links.txt"
    path.write_text("".join(f"otpauth://totp/Acme:user{n}?secret={encode_base32(bytes([n + 1]) * 20)}\n"
                            for n in range(5)))
    seen = []
    read_seed_file(str(path), check=lambda record: seen.append(record.line))
    assert seen == [1, 2, 3, 4, 5]  # every record, in file order
    refusal = InputError("record 2 cannot convert")
    seen.clear()

    def refuse_the_second(record):
        seen.append(record.line)
        if record.line == 2:
            raise refusal

    with pytest.raises(InputError) as caught:
        read_seed_file(str(path), check=refuse_the_second)
    assert caught.value is refusal and seen == [1, 2]  # raised as it is, and records 3-5 never read


def test_a_conversion_refuses_the_first_record_it_cannot_take_before_reading_the_rest(cli, tmp_path):
    """An otpauth list names no serials: an Entra export refuses token 1 at once, with the writer's own words,
    and a damaged line later in the file is never reached (it would otherwise be listed as left out)."""
    path = tmp_path / "links.txt"
    path.write_text(f"otpauth://totp/Acme:amy?secret={encode_base32(bytes(range(1, 21)))}\n"
                    "otpauth://totp/Acme:bob?secret=not-base32\n")
    result = cli("export", "--seed-file", str(path), "--format", "entra", "--output", str(tmp_path / "out.csv"))
    stderr = result.stderr.decode()
    assert result.returncode == 2 and "token 1 cannot go into the entra export" in stderr
    assert "line 2" not in stderr and not (tmp_path / "out.csv").exists()
    result = cli("export", "--seed-file", str(path), "--format", "vendor-csv", "--output", str(tmp_path / "v.csv"))
    assert result.returncode == 2 and "token 1: the vendor seed file needs the token's serial number" in \
        result.stderr.decode() and "line 2" not in result.stderr.decode()


@pytest.mark.parametrize("option", ["--serial", "--upn", "--manufacturer", "--model"])
def test_an_argument_that_is_not_utf8_is_refused_before_the_export_is_written(cli, tmp_path, option):
    """Text typed in another encoding (here the byte 0xff) reaches Python as a lone surrogate, which no UTF-8 file
    can hold: a refusal naming the option, not an internal error."""
    path = tmp_path / "seeds.csv"
    path.write_text(f"serial,secret\n8659622000001,{encode_base32(bytes(range(1, 21)))}\n")
    result = cli("export", "--seed-file", str(path), "--format", "entra", option, "a\udcffb@example.org", "--output",
                 str(tmp_path / "out.csv"))
    assert result.returncode == 2, result.stderr
    assert f"'{option}': holds bytes that are not UTF-8 text" in result.stderr.decode()
    assert "internal error" not in result.stderr.decode() and not (tmp_path / "out.csv").exists()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab,\"# \n\r\t\x0b\x0c\x1c\x85\u2028\u2029é€😀\ud800")), max_size=60))
def test_csv_text_is_split_into_lines_as_io_stringio_splits_it(text):
    """The CSV reader's lines come decoded a block at a time instead of from an io.StringIO copy of the text: the
    same lines, the other line separators Unicode knows kept inside them, and so the same rows."""
    from otpburn.sources.seedfiles.csv_layouts import _lines

    assert list(_lines(text)) == list(io.StringIO(text))


def test_csv_lines_across_the_decoders_blocks_are_whole():
    from otpburn.sources.seedfiles.csv_layouts import _lines

    text = "".join(f"8659622{n:07d},\"é😀\u2028{n}\"\r\n" for n in range(20_000)) + "last\ud800"
    assert list(_lines(text)) == list(io.StringIO(text))


def test_a_deepnet_secret_file_converts_to_entra_with_its_own_manufacturer_and_model(cli, tmp_path):
    """Deepnet ships SafeID tokens with Entra ID's columns but no upn column, keys in base32 or hex; the Entra
    export adds the UPN and keeps the file's manufacturer and model (not the defaults), keys in base32."""
    corpus = Path(__file__).resolve().parent.parent / "data" / "seedfiles"
    out = tmp_path / "entra.csv"
    result = cli("export", "--seed-file", str(corpus / "safeid-token-secret-file-hex-keys.csv"), "--format", "entra",
                 "--output", str(out))
    assert result.returncode == 0, result.stderr.decode()
    assert "its secret keys are hex" in result.stderr.decode()
    key = base64.b32encode(bytes.fromhex("3132333435363738393031323334353637383930")).decode()
    assert out.read_text().splitlines()[2] == f"user002@contoso.com,10001002,{key},60,Deepnet Security,SafeID/Classic"
    result = cli("export", "--seed-file", str(corpus / "safeid-token-secret-file.csv"), "--format", "entra",
                 "--upn", "amy@example.org", "--manufacturer", "Token2", "--output", str(out), "--force")
    assert result.returncode == 0, result.stderr.decode()
    assert out.read_text().splitlines()[1] == ("amy@example.org,10001001,234567ABCDEFGHIJKLMNOPQRSTUVWXYZ,60,"
                                               "Deepnet Security,SafeID/Classic")
