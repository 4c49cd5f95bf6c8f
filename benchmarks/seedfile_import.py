"""Importing large seed files: time and peak memory per format (goal: 100 000 records within 200 MiB).

For each format a file of --records records is written (by otpburn's exporters, python-pskc, or the apps'
published layouts), then read in a fresh process by `read_seed_file`, which lets go of the records before the
process ends, as otpburn's commands do (held to the end, the interpreter's shutdown collections traverse them:
~30 ms that no command pays). (The Battle.net Authenticator's data holds one authenticator by design: no row.)
Baseline in the same run, in a fresh process too: the format's bare parser on the same file (csv, json,
ElementTree; for Google Authenticator's export links, the URI's query, base64 and protobuf's own runtime, installed
with the bench extra), which any importer pays; the ratio says what otpburn's checks cost on top. Peak memory is the
process's maximum resident set size (for a KeePass database, that of KeePassXC's keepassxc-cli when it is the
larger: the reading process waits for it). Each pair (baseline, then
import) runs --runs times, the two in turn, and the figures printed are medians, the ratio the median of each
pair's own ratio: one slow or lucky run does not move it, and a machine that slows down during the run slows both
halves of a pair.

Usage: python benchmarks/seedfile_import.py [--records N] [--runs N] [--only FORMAT ...]
"""

from __future__ import annotations

import argparse
import base64
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from otpburn.otp import OtpParams, encode_base32  # noqa: E402
from otpburn.provisioning.records.exports import TokenRecord, render  # noqa: E402

PASSWORD = "benchmark password"  # noqa: S105  the generated files' password
KEY = bytes(range(16))


def secret(n: int) -> bytes:
    return n.to_bytes(4, "big") * 5


def token_records(count: int) -> list[TokenRecord]:
    return [TokenRecord(OtpParams(secret(n), issuer="Acme", account=f"user{n}@example.org"), f"8659622{n:07d}",
                        upn=f"user{n}@example.org") for n in range(count)]


def google_export(count: int) -> bytes:
    from tests.support.migration_payloads import _entry, export_link

    per_link = 10
    links = (count + per_link - 1) // per_link
    lines = []
    for index in range(links):
        entries = [_entry(secret=secret(n), name=f"user{n}@example.org", issuer="Acme")
                   for n in range(index * per_link, min(count, (index + 1) * per_link))]
        lines.append(export_link(*entries, batch_size=links, batch_index=index, batch_id=99))
    return ("\n".join(lines) + "\n").encode()


def pskc_file(count: int, protection: str) -> bytes:
    import io

    import pskc

    document = pskc.PSKC()
    for n in range(count):
        document.add_key(secret=secret(n), algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp",
                         serial=f"8659622{n:07d}", time_interval=30, response_length=6)
    if protection == "password":
        document.encryption.setup_pbkdf2(PASSWORD, iterations=12000)
    elif protection == "key":
        document.encryption.setup_preshared_key(key=KEY)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def aegis(count: int, encrypted: bool) -> bytes:
    from tests.support.app_exports import aegis_encrypted, aegis_entry, aegis_plain

    entries = [aegis_entry("totp", f"user{n}@example.org", "Acme", encode_base32(secret(n)), algo="SHA1", digits=6,
                           period=30) for n in range(count)]
    document = aegis_encrypted(entries, PASSWORD) if encrypted else aegis_plain(entries)
    return json.dumps(document).encode()


def two_fas(count: int) -> bytes:
    services = [{"name": "Acme", "secret": encode_base32(secret(n)), "updatedAt": 0,
                 "otp": {"account": f"user{n}@example.org", "issuer": "Acme", "digits": 6, "period": 30,
                         "algorithm": "SHA1", "tokenType": "TOTP"}, "order": {"position": n}} for n in range(count)]
    return json.dumps({"services": services, "schemaVersion": 4}).encode()


def andotp(count: int) -> bytes:
    return json.dumps([{"secret": encode_base32(secret(n)), "issuer": "Acme", "label": f"user{n}@example.org",
                        "digits": 6, "type": "TOTP", "algorithm": "SHA1", "period": 30} for n in range(count)]).encode()


def freeotp_plus(count: int) -> bytes:
    tokens = [{"algo": "SHA1", "counter": 0, "digits": 6, "issuerExt": "Acme", "label": f"user{n}@example.org",
               "period": 30, "secret": [b - 256 if b > 127 else b for b in secret(n)], "type": "TOTP"}
              for n in range(count)]
    return json.dumps({"tokenOrder": [f"Acme:user{n}@example.org" for n in range(count)], "tokens": tokens}).encode()


def authenticator_pro(count: int) -> bytes:
    return json.dumps({"Authenticators": [{"Type": 2, "Issuer": "Acme", "Username": f"user{n}@example.org",
                                           "Secret": encode_base32(secret(n)), "Algorithm": 0, "Digits": 6,
                                           "Period": 30, "Counter": 0} for n in range(count)]}).encode()


def bitwarden_json(count: int) -> bytes:
    items = [{"type": 1, "name": "Acme", "login": {"username": f"user{n}@example.org",
                                                   "totp": encode_base32(secret(n))}} for n in range(count)]
    return json.dumps({"encrypted": False, "folders": [], "items": items}).encode()


def bitwarden_csv(count: int) -> bytes:
    lines = ["folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp"]
    lines += [f",,login,Acme,,,0,,user{n}@example.org,x,{encode_base32(secret(n))}" for n in range(count)]
    return ("\n".join(lines) + "\n").encode()


def andotp_encrypted(count: int) -> bytes:
    from tests.support.make_app_exports import andotp as seal

    return seal(andotp(count), PASSWORD.encode(), new=True)


def google_authenticator_db(count: int) -> bytes:
    import sqlite3

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "databases"
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE accounts (_id INTEGER PRIMARY KEY, email TEXT NOT NULL, secret TEXT NOT NULL, "
                       "counter INTEGER DEFAULT 0, type INTEGER, provider INTEGER DEFAULT 0, issuer TEXT, "
                       "original_name TEXT)")
            db.executemany("INSERT INTO accounts (email, secret, counter, type, issuer) VALUES (?, ?, 0, 0, 'Acme')",
                           ((f"user{n}@example.org", encode_base32(secret(n))) for n in range(count)))
        db.close()
        return path.read_bytes()


def duo_mobile(count: int) -> bytes:
    return json.dumps([{"version": 1.0, "accountType": "OtpAccount", "name": f"user{n}@example.org",
                        "otpGenerator": {"otpSecret": encode_base32(secret(n))}} for n in range(count)]).encode()


def authy(count: int) -> bytes:
    from xml.sax.saxutils import escape

    tokens = [{"accountType": "authenticator", "decryptedSecret": encode_base32(secret(n)), "digits": 6,
               "originalName": f"Acme:user{n}@example.org", "name": f"Acme: user{n}@example.org"}
              for n in range(count)]
    store = escape(json.dumps(tokens))
    return ("<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n<string name=\""
            f"com.authy.storage.tokens.authenticator.key\">{store}</string>\n</map>\n").encode()


def authy_tokens(count: int, sealed: bool) -> bytes:
    """Authy's cloud token list: the decrypted form, or sealed (every token under one salt, as one backup password
    and salt give one key: one derivation, then a decryption per token)."""
    from cryptography.hazmat.primitives import hashes, padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

    key = PBKDF2HMAC(hashes.SHA1(), 32, b"benchmark salt", 100_000).derive(PASSWORD.encode())  # noqa: S303  Authy's
    tokens = []
    for n in range(count):
        seed = encode_base32(secret(n))
        token: dict[str, object] = {"account_type": "authenticator", "digits": 6, "issuer": "Acme",
                                    "name": f"Acme: user{n}@example.org", "original_name": f"Acme:user{n}@example.org"}
        if sealed:
            padder = padding.PKCS7(128).padder()
            encryptor = Cipher(algorithms.AES(key), modes.CBC(bytes(16))).encryptor()
            data = encryptor.update(padder.update(seed.encode()) + padder.finalize()) + encryptor.finalize()
            token.update(encrypted_seed=base64.b64encode(data).decode(), salt="benchmark salt",
                         key_derivation_iterations=100_000, unique_iv=None)
        else:
            token["decrypted_seed"] = seed
        tokens.append(token)
    return json.dumps({"authenticator_tokens" if sealed else "decrypted_authenticator_tokens": tokens}).encode()


def totp_authenticator(count: int) -> bytes:
    from tests.support.make_app_exports import totp_authenticator as seal

    return seal([{"base": 32, "key": encode_base32(secret(n)), "issuer": "Acme", "name": f"user{n}@example.org",
                  "digits": "6", "period": "30"} for n in range(count)], PASSWORD.encode())


def ente_encrypted(count: int) -> bytes:
    from tests.support.make_app_exports import ente_auth

    return ente_auth(render("otpauth", token_records(count)), PASSWORD.encode())


def stratum_encrypted(count: int) -> bytes:
    from tests.support.make_app_exports import authenticator_pro as seal

    return seal(authenticator_pro(count), PASSWORD.encode())


def bitwarden_protected(count: int) -> bytes:
    from tests.support.make_app_exports import bitwarden_password_protected

    return bitwarden_password_protected(bitwarden_json(count), PASSWORD.encode())


def proton_pass(count: int) -> bytes:
    import io
    import zipfile

    items = [{"itemId": str(n), "data": {"metadata": {"name": "Acme"}, "type": "login", "extraFields": [],
                                         "content": {"itemUsername": f"user{n}@example.org",
                                                     "totpUri": encode_base32(secret(n))}}} for n in range(count)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Proton Pass/data.json", json.dumps({"encrypted": False, "vaults": {
            "v": {"name": "Personal", "items": items}}}))
    return buffer.getvalue()


def keepass_xml(count: int) -> bytes:
    entries = "".join(f"<Entry><String><Key>Title</Key><Value>Acme</Value></String><String><Key>UserName</Key>"
                      f"<Value>user{n}@example.org</Value></String><String><Key>otp</Key><Value>"
                      f"otpauth://totp/Acme:user{n}?secret={encode_base32(secret(n))}&amp;issuer=Acme</Value>"
                      "</String></Entry>" for n in range(count))
    return (f"<?xml version=\"1.0\" encoding=\"utf-8\"?><KeePassFile><Meta/><Root><Group><Name>Vault</Name>"
            f"{entries}</Group></Root></KeePassFile>").encode()


def keepass_kdbx(count: int) -> bytes:
    """The XML above made into a KDBX database by KeePassXC (needs keepassxc-cli on the PATH)."""
    with tempfile.TemporaryDirectory() as folder:
        xml, database = Path(folder) / "export.xml", Path(folder) / "vault.kdbx"
        xml.write_bytes(keepass_xml(count))
        subprocess.run(["keepassxc-cli", "import", "--quiet", "--set-password", str(xml), str(database)],
                       input=f"{PASSWORD}\n{PASSWORD}\n".encode(), check=True, capture_output=True)
        return database.read_bytes()


def freeotp2(count: int) -> bytes:
    """Written by the JDK (needs javac and java on the PATH)."""
    from tests.support.make_app_exports import freeotp2 as write

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "externalBackup.xml"
        write(path, PASSWORD, count)
        return path.read_bytes()


def authenticator_plus(count: int) -> bytes:
    """Written by Info-ZIP's zip (needs it on the PATH)."""
    from tests.support.make_app_exports import authenticator_plus as write

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "backup.zip"
        write(path, render("otpauth", token_records(count)), PASSWORD)
        return path.read_bytes()


def authenticator_plus_aes(count: int) -> bytes:
    """Sealed with WinZip's AES-256 by 7-Zip (needs 7z on the PATH: Debian's p7zip-full)."""
    from tests.support.make_app_exports import authenticator_plus_aes as write

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "backup.zip"
        write(path, render("otpauth", token_records(count)), PASSWORD, "AES256", 5)
        return path.read_bytes()


def microsoft_authenticator_db(count: int) -> bytes:
    import sqlite3

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "PhoneFactor"
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE accounts (_id INTEGER PRIMARY KEY, name TEXT, username TEXT, "
                       "oath_secret_key TEXT, account_type INTEGER)")
            db.executemany("INSERT INTO accounts (name, username, oath_secret_key, account_type) VALUES "
                           "('Acme', ?, ?, 0)", ((f"user{n}@example.org", encode_base32(secret(n)))
                                                 for n in range(count)))
        db.close()
        return path.read_bytes()


def privacyidea_v2(count: int) -> bytes:
    lines = ["# version: 2"] + [f"user{n},deflocal,realm1,8659622{n:07d},{secret(n).hex()},totp,6,30"
                                for n in range(count)]
    return ("\n".join(lines) + "\n").encode()


# format -> (file name, maker, bare-parser baseline run in the child)
FORMATS: dict[str, tuple[str, Callable[[int], bytes], str]] = {
    "vendor-csv": ("seeds.csv", lambda n: render("vendor-csv", token_records(n)), "csv"),
    "privacyidea": ("oath.csv", lambda n: render("privacyidea", token_records(n)), "csv"),
    "privacyidea-v2": ("oath-v2.csv", privacyidea_v2, "csv"),
    "entra": ("entra.csv", lambda n: render("entra", token_records(n)), "csv"),
    "otpauth": ("uris.txt", lambda n: render("otpauth", token_records(n)), "uris"),
    "google-export": ("export.txt", google_export, "migration-links"),
    "pskc": ("plain.pskc", lambda n: pskc_file(n, "none"), "xml"),
    "pskc-password": ("password.pskc", lambda n: pskc_file(n, "password"), "xml"),
    "pskc-key": ("key.pskc", lambda n: pskc_file(n, "key"), "xml"),
    "aegis": ("aegis.json", lambda n: aegis(n, False), "json"),
    "aegis-encrypted": ("aegis-encrypted.json", lambda n: aegis(n, True), "json"),
    "2fas": ("backup.2fas", two_fas, "json"),
    "andotp": ("andotp.json", andotp, "json"),
    "andotp-encrypted": ("otp_accounts.json.aes", andotp_encrypted, "bytes"),
    "freeotp-plus": ("freeotp-backup.json", freeotp_plus, "json"),
    "authenticator-pro": ("authpro.json", authenticator_pro, "json"),
    "bitwarden-json": ("bitwarden.json", bitwarden_json, "json"),
    "bitwarden-csv": ("bitwarden.csv", bitwarden_csv, "csv"),
    "google-authenticator": ("databases", google_authenticator_db, "sqlite"),
    "microsoft-authenticator": ("PhoneFactor", microsoft_authenticator_db, "sqlite-microsoft"),
    "duo-mobile": ("accounts.json", duo_mobile, "json"),
    "authy": ("com.authy.storage.tokens.authenticator.xml", authy, "xml-json"),
    "authy-decrypted": ("decrypted_tokens.json", lambda n: authy_tokens(n, sealed=False), "json"),
    "authy-cloud": ("authenticator_tokens.json", lambda n: authy_tokens(n, sealed=True), "json"),
    "keepass-xml": ("export.xml", keepass_xml, "xml"),
    "proton-pass": ("pass.zip", proton_pass, "zip-json"),
    # Encrypted: one key derivation per file (PBKDF2 or Argon2id), then the layout; the baseline only reads
    # the bytes, so the ratio is mostly the derivation the app chose.
    "totp-authenticator": ("backup.bin", totp_authenticator, "bytes"),
    "freeotp2": ("externalBackup.xml", freeotp2, "bytes"),
    "keepass-kdbx": ("vault.kdbx", keepass_kdbx, "bytes"),  # KeePassXC's own export runs first (its KDF too)
    "authenticator-plus": ("authplus.zip", authenticator_plus, "bytes"),
    "authenticator-plus-aes": ("authplus-aes.zip", authenticator_plus_aes, "bytes"),
    "ente-encrypted": ("ente-codes.json", ente_encrypted, "bytes"),
    "stratum-encrypted": ("backup.authpro", stratum_encrypted, "bytes"),
    "bitwarden-protected": ("bitwarden-protected.json", bitwarden_protected, "bytes"),
}

READ = """
import sys
from otpburn.sources.seedfiles import read_seed_file
contents = read_seed_file(sys.argv[1], lambda: {password!r}, key=lambda: {key!r})
print(len(contents.records), len(contents.problems))
del contents  # as a command lets go of what it read (see the docstring)
"""

BASELINE = """
import base64, csv, io, json, sys
import xml.etree.ElementTree as ET
data = open(sys.argv[1], 'rb').read()
kind = sys.argv[2]
if kind == 'csv':
    n = sum(1 for _ in csv.reader(io.StringIO(data.decode())))
elif kind == 'lines':
    n = len(data.decode().splitlines())
elif kind == 'uris':  # what any otpauth importer pays: each line split as a URI, its query parsed
    from urllib.parse import parse_qsl, urlsplit
    n = sum(len(parse_qsl(urlsplit(line).query)) for line in data.decode().splitlines())
elif kind == 'migration-links':  # each link's query parsed, its payload decoded by protobuf's own runtime
    from urllib.parse import parse_qsl, urlsplit
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
    F = descriptor_pb2.FieldDescriptorProto
    schema = descriptor_pb2.FileDescriptorProto(name='migration.proto', package='bench', syntax='proto3')
    account = schema.message_type.add(name='OtpParameters')
    for number, name, type in ((1, 'secret', F.TYPE_BYTES), (2, 'name', F.TYPE_STRING), (3, 'issuer', F.TYPE_STRING),
                               (4, 'algorithm', F.TYPE_INT32), (5, 'digits', F.TYPE_INT32), (6, 'type', F.TYPE_INT32),
                               (7, 'counter', F.TYPE_INT64)):
        account.field.add(name=name, number=number, type=type, label=F.LABEL_OPTIONAL)
    payload = schema.message_type.add(name='MigrationPayload')
    payload.field.add(name='otp_parameters', number=1, type=F.TYPE_MESSAGE, type_name='.bench.OtpParameters',
                      label=F.LABEL_REPEATED)
    for number, name in ((2, 'version'), (3, 'batch_size'), (4, 'batch_index'), (5, 'batch_id')):
        payload.field.add(name=name, number=number, type=F.TYPE_INT32, label=F.LABEL_OPTIONAL)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(schema)
    Payload = message_factory.GetMessageClass(pool.FindMessageTypeByName('bench.MigrationPayload'))
    n = 0
    for line in data.decode().splitlines():
        raw = base64.b64decode(dict(parse_qsl(urlsplit(line).query))['data'].replace(' ', '+'))
        n += sum(1 for a in Payload.FromString(raw).otp_parameters  # every field of every account taken
                 if (a.secret, a.name, a.issuer, a.algorithm, a.digits, a.type, a.counter))
elif kind == 'json':
    n = len(json.dumps(json.loads(data)))
elif kind == 'bytes':
    n = len(data)
elif kind == 'sqlite':
    import sqlite3
    n = len(sqlite3.connect(sys.argv[1]).execute('SELECT email, secret FROM accounts').fetchall())
elif kind == 'sqlite-microsoft':
    import sqlite3
    n = len(sqlite3.connect(sys.argv[1]).execute('SELECT username, oath_secret_key FROM accounts').fetchall())
elif kind == 'xml-json':  # shared preferences holding a JSON list
    n = sum(len(json.loads(element.text or '[]')) for element in ET.fromstring(data))
elif kind == 'zip-json':
    import zipfile
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        n = len(json.dumps(json.loads(archive.read(archive.namelist()[0]))))
else:
    n = sum(1 for _ in ET.fromstring(data).iter())
print(n)
"""


# The conversion administrators run most: an Entra ID CSV made from a vendor CSV, against a ten-line script that
# does the same with no checks at all (it trusts every cell, decodes nothing).
CONVERSION = """
import sys
from otpburn.cli.main import main
try:
    main(["export", "--seed-file", sys.argv[1], "--format", "entra", "--upn", "user@example.org", "--manufacturer",
          "Token2", "--model", "C301", "--output", sys.argv[1] + ".entra.csv", "--force"])
except SystemExit as exit:
    assert exit.code in (0, None), exit.code
"""
TEN_LINE_CONVERSION = """
import csv, sys
with open(sys.argv[1], newline="") as source, open(sys.argv[1] + ".plain.csv", "w", newline="") as target:
    rows = csv.reader(source)
    next(rows)
    out = csv.writer(target)
    out.writerow(["upn", "serial number", "secret key", "time interval", "manufacturer", "model"])
    for serial, secret in rows:
        out.writerow(["user@example.org", serial, secret.upper(), 30, "Token2", "C301"])
"""

REFUSED_CONVERSION = """
import sys
from otpburn.cli.main import main
try:
    main(["export", "--seed-file", sys.argv[1], "--format", "entra", "--output", sys.argv[1] + ".csv"])
except SystemExit as exit:
    assert exit.code == 2, exit.code
"""


def run_child(code: str, *args: str) -> tuple[float, int, str]:
    """Wall time, peak RSS (KiB) and output of a fresh Python process running `code`."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    out = process.stdout.read() if process.stdout else b""
    err = process.stderr.read() if process.stderr else b""
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"child failed: {err.decode()[-500:]}")
    return elapsed, usage.ru_maxrss, out.decode().strip()


class Paired(NamedTuple):
    baseline: float  # median seconds
    measured: float
    ratio: float  # the median of each pair's own ratio
    baseline_peak: int  # the largest peak RSS, KiB
    measured_peak: int
    output: str  # what the measured run printed, the first time


def paired(runs: int, baseline: tuple[str, ...], measured: tuple[str, ...]) -> Paired:
    """Run `baseline` and `measured` (code and arguments for run_child) in turn, `runs` times each."""
    pairs = [(run_child(*baseline), run_child(*measured)) for _ in range(runs)]
    return Paired(statistics.median(base[0] for base, _ in pairs), statistics.median(run[0] for _, run in pairs),
                  statistics.median(run[0] / base[0] for base, run in pairs), max(base[1] for base, _ in pairs),
                  max(run[1] for _, run in pairs), pairs[0][1][2])


def _has_protobuf() -> bool:
    """Whether protobuf's runtime is installed (find_spec("google.protobuf") raises when no google package is)."""
    try:
        import google.protobuf  # noqa: F401
    except ImportError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3, help="baseline and import pairs per format (medians shown)")
    parser.add_argument("--only", nargs="*", choices=sorted(FORMATS))
    parser.add_argument("--make", choices=sorted(FORMATS), help=argparse.SUPPRESS)  # a child writing one file
    parser.add_argument("--output", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make:
        Path(args.output).write_bytes(FORMATS[args.make][1](args.records))
        return
    # As installed: pip compiles the modules' byte code when it installs them. Without it, a machine that sets
    # PYTHONDONTWRITEBYTECODE compiles otpburn's modules in every run (~20 ms), never the standard library's.
    compileall.compile_dir(ROOT / "src", quiet=1)
    folder = Path(tempfile.mkdtemp(prefix="otpburn-import-bench-"))
    idle_time, idle_rss, _ = run_child("import otpburn.sources.seedfiles")
    print(f"{args.records} records per file, {args.runs} runs each (medians); a Python process importing the "
          f"seed-file readers: {idle_time * 1000:.0f} ms, {idle_rss / 1024:.0f} MiB\n")
    print(f"{'format':<16} {'file':>9} {'import':>9} {'baseline':>9} {'ratio':>6} {'peak':>9} {'base peak':>9}"
          "  records")
    for name in args.only or FORMATS:
        file_name, _, baseline_kind = FORMATS[name]
        if baseline_kind == "migration-links" and not _has_protobuf():
            print(f"{name:<16} not measured: its baseline parses with protobuf (pip install '.[bench]')")
            continue
        path = folder / file_name
        # Written by a child: a forked process inherits its parent's peak RSS, so this one stays small.
        subprocess.run([sys.executable, __file__, "--make", name, "--records", str(args.records), "--output",
                        str(path)], check=True)
        size = path.stat().st_size / 2**20
        base_time, read_time, ratio, base_rss, read_rss, counts = paired(
            args.runs, (BASELINE, str(path), baseline_kind), (READ.format(password=PASSWORD, key=KEY), str(path)))
        goal = "" if read_rss / 1024 <= 200 else "  over 200 MiB"
        print(f"{name:<16} {size:>7.1f}Mi {read_time:>8.2f}s {base_time:>8.2f}s {ratio:>6.1f} "
              f"{read_rss / 1024:>7.0f}Mi {base_rss / 1024:>7.0f}Mi  {counts.split()[0]}{goal}")
        if name == "vendor-csv":
            plain, converted, times, plain_rss, converted_rss, _ = paired(
                args.runs, (TEN_LINE_CONVERSION, str(path)), (CONVERSION, str(path)))
            same = Path(f"{path}.entra.csv").read_bytes() == Path(f"{path}.plain.csv").read_bytes()
            print(f"{'':<16} an Entra export of it: {converted:.2f}s, {converted_rss / 1024:.0f} MiB; a ten-line "
                  f"script's: {plain:.2f}s, {plain_rss / 1024:.0f} MiB ({times:.1f}x, "
                  f"{converted_rss / plain_rss:.1f}x; same file: {'yes' if same else 'NO'})")
            Path(f"{path}.entra.csv").unlink()
            Path(f"{path}.plain.csv").unlink()
        if name == "otpauth":
            refused, _, _ = run_child(REFUSED_CONVERSION, str(path))
            print(f"{'':<16} an Entra export of it refuses token 1 (no serial) after {refused:.2f}s "
                  f"(reading it whole: {read_time:.2f}s)")
        path.unlink()


if __name__ == "__main__":
    main()
