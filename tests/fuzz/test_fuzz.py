"""Every parser and reader, and the CLI, fed mutated and random input by hypothesis.

The rule everywhere: a result, or an OtpburnError with a one-line message; never another
exception (which the CLI would report as an "internal error"), never a hang. The example
budget is fixed and derandomized for CI (OTPBURN_FUZZ_EXAMPLES, default 100 per target);
`benchmarks/fuzz_long.py` runs the same targets with a large random budget and reports the
slowest example and peak memory of each.
"""

from __future__ import annotations

import base64
import codecs
import contextlib
import io
import os
import signal
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from otpburn.errors import OtpburnError
from otpburn.otp import Algorithm, OtpParams, OtpType, decode_secret
from otpburn.provisioning.records.exports import Protection, TokenRecord, render
from otpburn.sources.classify import classify
from otpburn.sources.images import load_grayscale
from otpburn.sources.migration import parse_migration
from otpburn.sources.otpauth import parse_uri
from otpburn.sources.qr import decode
from otpburn.sources.seedfiles import Unlock, read_seed_bytes, read_seed_file

EXAMPLES = int(os.environ.get("OTPBURN_FUZZ_EXAMPLES", "100"))
RANDOM = os.environ.get("OTPBURN_FUZZ_RANDOM") == "1"  # the long run explores; CI repeats the same examples
HANG_SECONDS = 20  # a watchdog for a real hang (an endless loop), far above any example's honest cost

FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not RANDOM, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

# The slowest example per target, and the CLI's exit codes per command, for the long run's report.
SLOWEST: dict[str, float] = {}
OUTCOMES: Counter[tuple[str, int]] = Counter()


@contextlib.contextmanager
def watchdog(target: str):
    def hung(signum, frame):
        raise AssertionError(f"{target} ran for over {HANG_SECONDS} s: a hang")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(HANG_SECONDS)
    started = time.perf_counter()
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        SLOWEST[target] = max(SLOWEST.get(target, 0.0), time.perf_counter() - started)


def survives(target: str, function: Callable[..., object], *args: object) -> object:
    """Run `function`: its result, or None after an OtpburnError with a one-line message. A warning that gets out
    of it (a library's note that would reach the user's terminal) fails the example."""
    with watchdog(target), warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            return function(*args)
        except OtpburnError as exc:
            message = str(exc)
            assert message.strip() and "\n" not in message.strip(), f"not one line: {message!r}"
            return None


# --- mutations of valid input --------------------------------------------------------

def mutated(seeds: list[bytes]) -> st.SearchStrategy[bytes]:
    """A valid example with a few random edits: flips, inserts, deletes, cuts and repeats."""

    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        data = bytearray(draw(st.sampled_from(seeds)))
        for _ in range(draw(st.integers(1, 6))):
            kind = draw(st.sampled_from(["flip", "insert", "delete", "cut", "repeat", "byte"]))
            at = draw(st.integers(0, max(0, len(data) - 1)))
            if kind == "flip" and data:
                data[at] ^= 1 << draw(st.integers(0, 7))
            elif kind == "insert":
                data[at:at] = draw(st.binary(min_size=1, max_size=16))
            elif kind == "delete":
                del data[at:at + draw(st.integers(1, 32))]
            elif kind == "cut":
                del data[at:]
            elif kind == "repeat":
                data[at:at] = data[at:at + draw(st.integers(1, 64))] * draw(st.integers(2, 50))
            elif data:
                data[at] = draw(st.sampled_from(b"\x00\xff<>&;,\"'=%+-@\r\n\t#:/?"))
        return bytes(data)

    return build()


SECRET = b"12345678901234567890"
URIS = [
    "otpauth://totp/ACME%20Co:john@example.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co"
    "&algorithm=SHA1&digits=6&period=30",
    "otpauth://hotp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&counter=7&issuer=Example",
    "otpauth://totp/bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA256&digits=8&period=60",
]
MIGRATION_PAYLOADS = [base64.b64decode(
    "CjUKEPqlBekzoNEukL7qlsjBCDYSDnBpQHJhc3BiZXJyeXBpGgtyYXNwYmVycnlwaSABKAEwAhABGAEgACjr4JKK+/////8B"),
    base64.b64decode("CiUKEPqlBekzoNEukL7qlsjBCDYSCWhvdHAgZGVtbyABKAEwATgEEAEYASAAKNuv15j6/////wE=")]


def seed_files() -> list[tuple[str, bytes]]:
    records = [TokenRecord(OtpParams(SECRET, account=f"user{i}@example.com", issuer="Acme"),
                           serial=f"86596220000{i:02d}", upn=f"user{i}@example.com") for i in range(3)]
    records.append(TokenRecord(OtpParams(SECRET, type=OtpType.HOTP, algorithm=Algorithm.SHA256, digits=8,
                                         counter=5), serial="8659622000099"))
    files = [(fmt, render(fmt, records, None)) for fmt in ("vendor-csv", "privacyidea", "otpauth")]
    files.append(("pskc", render("pskc", records, Protection(password="fuzz password"))))
    files.append(("entra", render("entra", records[:3], None)))
    files.append(("dualshield", render("dualshield", records[:3], None)))
    # As Windows tools save them: Excel's "Unicode Text" (UTF-16 with tabs), a German Excel's CSV (semicolons),
    # and XML through PowerShell 5.1's Out-File (UTF-16).
    tabs = render("vendor-csv", records, None).decode().replace(",", "\t").replace("\n", "\r\n")
    files.append(("unicode-text", codecs.BOM_UTF16_LE + tabs.encode("utf-16-le")))
    files.append(("semicolons", render("entra", records[:3], None).replace(b",", b";")))
    xml = render("dualshield", records[:3], None).decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    files.append(("dualshield-utf16", codecs.BOM_UTF16_LE + xml.encode("utf-16-le")))
    return files


SEED_FILES = seed_files()
SUFFIX = {"vendor-csv": ".csv", "privacyidea": ".csv", "otpauth": ".txt", "pskc": ".pskc", "entra": ".csv",
          "dualshield": ".xml", "unicode-text": ".txt", "semicolons": ".csv", "dualshield-utf16": ".xml"}


def images() -> list[bytes]:
    from PIL import Image

    picture = Image.open("examples/2fa-setup-screenshot.png").convert("L").resize((200, 130))
    out = []
    for fmt in ("PNG", "JPEG", "GIF", "BMP", "WEBP", "TIFF"):
        buffer = io.BytesIO()
        picture.save(buffer, fmt)
        out.append(buffer.getvalue())
    return out


IMAGES = images()


# --- the targets ---------------------------------------------------------------------

@FUZZ
@given(st.one_of(mutated([u.encode() for u in URIS]).map(lambda b: b.decode("utf-8", "replace")), st.text()))
def test_otpauth_uris(text):
    survives("parse_uri", parse_uri, text)
    with watchdog("classify"):
        classify(text)  # classification never raises at all


@FUZZ
@given(st.one_of(mutated(MIGRATION_PAYLOADS), st.binary(max_size=300)), st.booleans())
def test_google_export_payloads(payload, quoted):
    data = base64.b64encode(payload).decode()
    text = "otpauth-migration://offline?data=" + (quote(data, safe="") if quoted else data)
    survives("parse_migration", parse_migration, text)
    with watchdog("classify"):
        classify(text)


@FUZZ
@given(st.sampled_from(range(len(SEED_FILES))), st.data())
def test_seed_files(tmp_path_factory, index, data):
    fmt, content = SEED_FILES[index]
    body = data.draw(mutated([content]))
    path = Path(tmp_path_factory.mktemp("seedfile")) / f"tokens{SUFFIX[fmt]}"
    path.write_bytes(body)
    survives(f"read_seed_file {fmt}", read_seed_file, str(path), lambda: "fuzz password")


# The seed-file corpus (files as other systems write them), each read with the password or key
# its expectation names: byte mutations, and for JSON also values swapped for other JSON types.
CORPUS = Path(__file__).resolve().parent.parent / "data" / "seedfiles"
CORPUS_FILES = sorted(p for p in CORPUS.iterdir() if not p.name.endswith(".expected.json"))


def corpus_unlock(path: Path) -> Unlock:
    import json

    unlock = json.loads(CORPUS.joinpath(f"{path.stem}.expected.json").read_text()).get("unlock", {})
    return Unlock(password=lambda: unlock.get("password", "fuzz password"),
                  key=lambda: bytes.fromhex(unlock.get("key", "00" * 16)))


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats() | st.text(max_size=40),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                         max_size=4), max_leaves=8)


@st.composite
def json_mutated(draw: st.DrawFn, text: bytes) -> bytes:
    """A JSON document with a few values (anywhere in it) replaced by values of any JSON type."""
    import json

    document = json.loads(text)
    for _ in range(draw(st.integers(1, 4))):
        parent, key = None, None
        node = document
        while isinstance(node, (dict, list)) and node and draw(st.booleans()):
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            parent, key = node, draw(st.sampled_from(keys))
            node = node[key]
        if parent is None:
            continue
        parent[key] = draw(JSON_VALUES)
    return json.dumps(document).encode()


@pytest.mark.parametrize("path", CORPUS_FILES, ids=[p.name for p in CORPUS_FILES])  # one target per file
@settings(FUZZ, max_examples=max(1, EXAMPLES // 5))
@given(data=st.data())
def test_seed_file_corpus_mutated(path, data):
    content = path.read_bytes()
    strategies = [mutated([content])]
    if content.lstrip().startswith((b"{", b"[")):
        strategies.append(json_mutated(content))
    body = data.draw(st.one_of(strategies))
    survives(f"corpus {path.name}", read_seed_bytes, str(path), body, corpus_unlock(path))


@FUZZ
@given(st.one_of(mutated(IMAGES), st.binary(max_size=2000)))
def test_images(content):
    picture = survives("load_grayscale", load_grayscale, content, "fuzzed image")
    if picture is not None:
        survives("decode", decode, picture)


@FUZZ
@given(st.integers(1, 96), st.integers(1, 96), st.binary(min_size=1, max_size=512))
def test_decoder_on_arbitrary_pixels(width, height, pattern):
    pixels = (pattern * (width * height // len(pattern) + 1))[: width * height]  # the pattern, tiled
    array = np.frombuffer(pixels, dtype=np.uint8).reshape(height, width)
    survives("decode pixels", decode, array)


@FUZZ
@given(st.text(max_size=200), st.sampled_from([None, "base32", "hex"]))
def test_secrets_as_typed(text, encoding):
    survives("decode_secret", decode_secret, text, encoding)


# --- the command line ----------------------------------------------------------------

VALUES = ["", "0", "1", "-1", "30", "60", "8", "nan", "inf", "1e300", "18446744073709551615", "SHA512", "SHA256",
          "x" * 300, "../x", "/dev/null", "-", "virtual", "otpauth", "entra:out.csv", "pskc:out.pskc", "2",
          "user@example.com", "=1+1", "\x1b[31m", "é", "²", "١٢",  # digits str.isdigit() takes and 0-9 are not
          "am\udcffy"]  # the byte 0xff as Python gets it
COMMANDS = {
    "parse": ["--file", "--json", "--pick", "--account"],
    "scan": ["--image", "--json", "--pick", "--account", "--save-capture"],
    "code": ["--at", "--counter", "--json", "--digits", "--period", "--algorithm", "--uri-file", "--encoding"],
    "verify": ["--code", "--uri-file", "--json", "--at", "--algorithm", "--period", "--digits"],
    "export": ["--format", "--output", "--uri-file", "--serial", "--upn", "--model", "--force", "--no-encrypt",
               "--seed-file"],
    "info": ["--reader", "--json", "--trace"],
    "burn": ["--reader", "--uri-file", "--algorithm", "--period", "--display-timeout", "--export", "--upn",
             "--resume-timeout", "--json", "--sync-clock", "--yes", "--seed-file", "--pick"],
    "batch": ["--reader", "--dry-run", "--count", "--progress-file", "--json"],
    "readers": ["--json"],
    "log": ["--tail", "--json"],
}
FLAGS = {"--json", "--trace", "--force", "--no-encrypt", "--sync-clock", "--yes", "--dry-run"}
REQUIRED = {"export": ["--format", "--output", "--uri-file"], "verify": ["--code", "--uri-file"]}
# Values an option would usually get, so the fuzzer also reaches the work behind the checks.
PLAUSIBLE = {
    "--file": ["uri.txt", "-"], "--image": ["image.png"], "--uri-file": ["uri.txt"], "--seed-file": ["tokens.csv"],
    "--at": ["0", "59", "1700000000"], "--counter": ["0", "7"], "--digits": ["6", "8"], "--period": ["30", "60"],
    "--algorithm": ["SHA1", "SHA256"], "--encoding": ["base32", "hex"], "--code": ["123456", "755224"],
    "--format": ["entra", "vendor-csv", "privacyidea", "otpauth", "qr", "pskc"],
    "--output": ["out.csv", "out.txt"], "--serial": ["8659622000001"], "--upn": ["user@example.com"],
    "--reader": ["virtual"], "--export": ["privacyidea:out.csv", "otpauth:out.txt"], "--display-timeout": ["30"],
    "--resume-timeout": ["0", "1"], "--count": ["1", "2"], "--progress-file": ["progress.json"], "--tail": ["5"],
    "--pick": ["1"], "--account": ["alice"], "--save-capture": ["capture.png"],
}


@st.composite
def command_lines(draw: st.DrawFn) -> tuple[list[str], bytes]:
    command = draw(st.sampled_from(sorted(COMMANDS)))
    args = [command]
    if command == "batch":
        args.append(draw(st.sampled_from(["tokens.csv", "missing.csv", "uri.txt", ""])))
    for option in REQUIRED.get(command, []):  # usually there, so the command gets past its usage checks
        if draw(st.integers(0, 9)):
            args += [option, draw(st.sampled_from(PLAUSIBLE[option]))]
    for option in draw(st.lists(st.sampled_from(COMMANDS[command]), max_size=5)):
        args.append(option)
        if option not in FLAGS:
            plausible = PLAUSIBLE.get(option, [])
            args.append(draw(st.sampled_from(plausible) if plausible and draw(st.booleans())
                             else st.sampled_from(VALUES)))
    if command in ("burn", "export", "batch", "info"):  # only ever the virtual token: no real reader here
        args += ["--reader", "virtual"] if command != "export" else []
    stdin = draw(st.sampled_from([b"", URIS[0].encode(), b"\xff\xfe", SECRET.hex().encode(), b"x" * 5000]))
    return args, stdin


def run_in_process(args: list[str], stdin: bytes) -> tuple[int, str]:
    from otpburn.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(args)
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.stdin = saved
    return code, err.getvalue()


@settings(FUZZ, max_examples=max(1, EXAMPLES // 2))
@given(command_lines())
def test_command_lines(tmp_path_factory, line):
    args, stdin = line
    folder = tmp_path_factory.mktemp("cli")
    (folder / "uri.txt").write_text(URIS[0])
    (folder / "tokens.csv").write_bytes(SEED_FILES[0][1])
    (folder / "image.png").write_bytes(IMAGES[0])
    with contextlib.chdir(folder), watchdog(f"otpburn {args[0]}"):
        code, err = run_in_process(args, stdin)
    OUTCOMES[(args[0], code)] += 1
    assert "internal error" not in err and "Traceback" not in err, (args, err)
    assert code in (0, 1, 2, 3, 4), (args, code, err)
    if code in (1, 2, 3):  # a failure says why (a mismatch, 4, is the verdict on standard output)
        assert err.strip(), (args, code)

