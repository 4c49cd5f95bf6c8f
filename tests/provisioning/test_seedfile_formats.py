"""Encrypted and app-written seed files as a user meets them: PSKC with a pre-shared key (files
python-pskc writes are the judge), Aegis vaults, 2FAS/andOTP backups, OpenPGP files, and the
CLI paths that take them (export, burn with --pick/--account, batch, standard input)."""

from __future__ import annotations

import json
from pathlib import Path

import pskc
import pytest

from otpburn.errors import InputError, Remedy
from otpburn.sources.seedfiles import read_seed_file
from otpburn.sources.seedfiles.pskc_files import parse_preshared_key
from tests.support.app_exports import aegis_encrypted, aegis_entry

CORPUS = Path(__file__).resolve().parent.parent / "data" / "seedfiles"
FIGURE6 = CORPUS / "pskc-rfc6030-figure6-preshared-key.xml"
FIGURE6_KEY = "12345678901234567890123456789012"
VAULT = CORPUS / "aegis-encrypted.json"
VAULT_PASSWORD = "correct horse battery staple"  # noqa: S105  the test vault's password


def text_of(result) -> str:
    return result.stdout.decode() + result.stderr.decode()


def one_line_error(result, code: int = 2, *, after_notes: bool = False) -> str:
    """The error line; `after_notes` when the file's left-out records were listed before it."""
    err = result.stderr.decode()
    assert result.returncode == code, text_of(result)
    assert "internal error" not in err and "Traceback" not in err, err
    assert err.count("\n") == 1 or after_notes, err
    return err.splitlines()[-1]


# --- PSKC with a pre-shared key ----------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["aes128-cbc", "aes256-cbc", "kw-aes128", "kw-aes256", "tripledes-cbc"])
@pytest.mark.filterwarnings("ignore:TripleDES has been moved")  # python-pskc writing 3DES (reading is silenced)
def test_pskc_files_python_pskc_encrypts_with_a_preshared_key_load(tmp_path, algorithm):
    """python-pskc writes the file (its own MAC and key wrap); otpburn reads it with the key."""
    key = bytes(range(32 if algorithm.endswith("256") or algorithm.endswith("256-cbc") else
                      24 if algorithm.startswith("tripledes") else 16))
    document = pskc.PSKC()
    entry = document.add_key(secret=b"12345678901234567890", algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp",
                             serial="T2-0001", response_length=8, time_interval=60, issuer="Acme")
    entry.algorithm_suite = "HMAC-SHA256"
    document.encryption.setup_preshared_key(key=key, algorithm=algorithm, key_name="Transport key")
    path = tmp_path / "tokens.pskc"
    document.write(str(path))

    contents = read_seed_file(str(path), key=lambda: key)
    record, = contents.records
    assert (record.serial, record.params.secret, record.params.digits, record.params.period) == \
        ("T2-0001", b"12345678901234567890", 8, 60)
    assert record.params.algorithm.value == "SHA256" and contents.kind == "PSKC (pre-shared key)"
    assert contents.notes == []  # python-pskc adds a MAC to CBC files; key wrap needs none

    with pytest.raises(InputError) as asked:
        read_seed_file(str(path))
    assert asked.value.remedy is Remedy.SEED_FILE_KEY and "named 'Transport key'" in str(asked.value)
    wrong = bytes([key[0] ^ 0x80]) + key[1:]  # not the low bit: DES keys ignore it (parity)
    with pytest.raises(InputError, match="wrong key, or the file is damaged") as refused:
        read_seed_file(str(path), key=lambda: wrong)
    assert refused.value.remedy is Remedy.SEED_FILE_KEY


def test_the_rfc_figure_with_its_key_as_hex_and_as_raw_bytes(cli, tmp_path):
    hex_file = tmp_path / "key.hex"
    hex_file.write_text(f"  0x{FIGURE6_KEY[:16]} {FIGURE6_KEY[16:]}\n")
    raw_file = tmp_path / "key.bin"
    raw_file.write_bytes(bytes.fromhex(FIGURE6_KEY))
    for key_file in (hex_file, raw_file):
        out = tmp_path / f"{key_file.suffix[1:]}.txt"
        result = cli("export", "--seed-file", str(FIGURE6), "--seed-key-file", str(key_file), "--format", "otpauth",
                     "--output", str(out))
        assert result.returncode == 0, text_of(result)
        assert out.read_text().startswith("otpauth://hotp/Issuer:?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")


def test_pskc_key_problems_are_one_line_each(cli, tmp_path):
    short = tmp_path / "short.hex"
    short.write_text("1234")
    err = one_line_error(cli("export", "--seed-file", str(FIGURE6), "--seed-key-file", str(short),
                             "--format", "otpauth", "--output", str(tmp_path / "o")))
    assert "the key is 2 bytes long; a PSKC pre-shared key has 16, 24 or 32" in err
    wrong = tmp_path / "wrong.hex"
    wrong.write_text("00" * 16)
    err = one_line_error(cli("export", "--seed-file", str(FIGURE6), "--seed-key-file", str(wrong),
                             "--format", "otpauth", "--output", str(tmp_path / "o")))
    assert "wrong key, or the file is damaged" in err and "--seed-key-file" in err
    long = tmp_path / "long.hex"
    long.write_text("00" * 32)
    err = one_line_error(cli("export", "--seed-file", str(FIGURE6), "--seed-key-file", str(long),
                             "--format", "otpauth", "--output", str(tmp_path / "o")))
    assert "the key given is 32 bytes; this file's encryption (aes128-cbc) takes a 16-byte key" in err
    err = one_line_error(cli("export", "--seed-file", str(FIGURE6), "--format", "otpauth",
                             "--output", str(tmp_path / "o")))
    assert "pre-shared key" in err and "--seed-key-file" in err
    assert not (tmp_path / "o").exists()


def test_a_tampered_mac_or_secret_is_refused_not_burned(tmp_path):
    text = FIGURE6.read_text()
    for old, new in (("Su+NvtQfmvfJzF6bmQiJqoLRExc=", "Su+NvtQgmvfJzF6bmQiJqoLRExc="),
                     ("AAECAwQFBgcICQoLDA0OD+cI", "AAECAwQFBgcICQoLDA0OD+cJ")):
        path = tmp_path / "tampered.xml"
        path.write_text(text.replace(old, new))
        with pytest.raises(InputError, match="wrong key, or the file is damaged"):
            read_seed_file(str(path), key=lambda: bytes.fromhex(FIGURE6_KEY))


def test_a_cbc_file_without_macs_loads_with_a_note(tmp_path):
    import re

    text = FIGURE6.read_text()  # the RFC figure as a writer that leaves the MAC out would write it
    text = re.sub(r"<MACMethod.*?</MACMethod>", "", text, flags=re.DOTALL)
    text = re.sub(r"<ValueMAC>.*?</ValueMAC>", "", text, flags=re.DOTALL)
    path = tmp_path / "no-mac.pskc"
    path.write_text(text)
    contents = read_seed_file(str(path), key=lambda: bytes.fromhex(FIGURE6_KEY))
    assert contents.records[0].params.secret == b"12345678901234567890"
    assert contents.notes and "carry no MAC" in contents.notes[0]


@pytest.mark.parametrize("text,expected", [
    (b"00112233445566778899aabbccddeeff", bytes.fromhex("00112233445566778899aabbccddeeff")),
    (b"00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\r\n", bytes.fromhex("00112233445566778899aabbccddeeff")),
    (b"\xff" * 24, b"\xff" * 24),
])
def test_preshared_key_files_in_the_shapes_people_keep_them(text, expected):
    assert parse_preshared_key(text) == expected


@pytest.mark.parametrize("text,message", [(b"abc", "3 hex digits"), (b"\xff" * 20, "20 bytes long")])
def test_preshared_key_files_that_cannot_be_keys(text, message):
    with pytest.raises(InputError, match=message):
        parse_preshared_key(text)


# --- Aegis, 2FAS, andOTP ---------------------------------------------------------------------------------


def test_an_encrypted_aegis_vault_asks_for_its_password_and_names_a_wrong_one():
    with pytest.raises(InputError) as asked:
        read_seed_file(str(VAULT))
    assert asked.value.remedy is Remedy.SEED_FILE_PASSWORD
    with pytest.raises(InputError, match="wrong password for this Aegis vault") as wrong:
        read_seed_file(str(VAULT), lambda: "Correct horse battery staple")
    assert wrong.value.remedy is Remedy.SEED_FILE_PASSWORD


def test_aegis_vaults_that_cannot_be_opened_say_why(tmp_path):
    vault = json.loads(VAULT.read_text())
    cases = {
        "biometric": ({**vault, "header": {**vault["header"], "slots": [{**vault["header"]["slots"][0], "type": 2}]}},
                      "without a password slot"),
        "greedy": ({**vault, "header": {**vault["header"], "slots": [{**vault["header"]["slots"][0], "n": 2**24}]}},
                   "asks scrypt for N=16777216"),
        "damaged-db": ({**vault, "db": "AAAA" + vault["db"][4:]}, "the vault's contents do not decrypt"),
        "not-hex": ({**vault, "header": {**vault["header"], "params": {"nonce": "zz", "tag": "00"}}},
                    "damaged header fields"),
        # Each slot within bounds, but together a minute of scrypt: the total is bounded before any runs.
        "many-slots": ({**vault, "header": {**vault["header"], "slots": [
            {**vault["header"]["slots"][0], "n": 2**17, "r": 8, "p": 4}] * 3}},
                       "its 3 password slots ask scrypt for 48 times the work of an Aegis vault's slot; otpburn does "
                       "at most 8"),
        "thousand-slots": ({**vault, "header": {**vault["header"], "slots": [vault["header"]["slots"][0]] * 1000}},
                           "its 1000 password slots ask scrypt"),
        # N must stay below 2^(16·r): OpenSSL's scrypt answers anything else with a MemoryError.
        "r-one": ({**vault, "header": {**vault["header"], "slots": [{**vault["header"]["slots"][0], "n": 2**16,
                                                                     "r": 1}]}}, "asks scrypt for N=65536, r=1"),
    }
    for name, (document, message) in cases.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(document))
        with pytest.raises(InputError, match=message):
            read_seed_file(str(path), lambda: VAULT_PASSWORD)


def test_a_vault_in_a_newer_aegis_version_loads_with_a_note(tmp_path):
    document = aegis_encrypted([aegis_entry("totp", "a", "B", "JBSWY3DPEHPK3PXP")], "pw", n=1024)
    vault = json.loads(json.dumps(document))
    path = tmp_path / "v.json"
    path.write_text(json.dumps(vault))
    assert read_seed_file(str(path), lambda: "pw").notes == []
    plain = {"version": 1, "header": {"slots": None, "params": None},
             "db": {"version": 9, "entries": [aegis_entry("totp", "a", "B", "JBSWY3DPEHPK3PXP")]}}
    path.write_text(json.dumps(plain))
    assert "newer Aegis vault version" in read_seed_file(str(path)).notes[0]


@pytest.mark.parametrize("name,content,message", [
    ("2fas-encrypted.2fas", json.dumps({"services": [], "servicesEncrypted": "AAAA:BBBB:CCCC", "schemaVersion": 4}),
     "a password-protected 2FAS backup"),
    ("otp_accounts.json.aes", b"\x00\x00\x03\xe8" + bytes(range(200)), "an encrypted andOTP backup"),
    ("mystery.json", json.dumps({"accounts": [1, 2]}), "a JSON file otpburn does not know"),
    ("broken.json", '{"services": [', "not valid JSON"),
    ("deep.json", "[" * 100_000, "nested too deeply"),
    ("andotp-odd.json", json.dumps([{"secret": 5}, "x", {"secret": "JBSWY3DPEHPK3PXP", "digits": "six"}]),
     "entry 1: no secret; entry 2: not an account entry; entry 3: digits must be a whole number"),
])
def test_app_exports_that_cannot_be_read_say_why(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(InputError, match=message):
        read_seed_file(str(path))


def test_burn_takes_one_account_of_an_encrypted_vault(cli, tmp_path):
    password = tmp_path / "password"
    password.write_text(VAULT_PASSWORD + "\n")
    result = cli("burn", "--reader", "virtual", "--seed-file", str(VAULT), "--seed-password-file", str(password),
                 "--account", "example", timeout=60)
    out = text_of(result)
    assert result.returncode == 0, out
    assert "Example:alice@example.org" in out and "[from " + str(VAULT) + ", entry 1]" in out
    assert "The virtual token shows" in out and "matches" in out
    assert "entry 4 (Steam:gamer)" in out and "(left out)" in out  # what was not usable is said, once
    several = cli("burn", "--reader", "virtual", "--seed-file", str(VAULT), "--seed-password-file", str(password))
    err = one_line_error(several, after_notes=True)
    assert "3 accounts found (1. Example:alice@example.org, 2. Acme VPN:ops, 3. Legacy:bob)" in err
    assert "--pick N or --account TEXT" in err


def test_batch_reads_an_app_export_and_filters_accounts(cli, tmp_path):
    result = cli("batch", str(CORPUS / "andotp-plain.json"), "--reader", "virtual", "--dry-run", "--account",
                 "example", "--progress-file", str(tmp_path / "p.json"), timeout=60)
    out = text_of(result)
    assert result.returncode == 0, out
    assert "Example:alice@example.org" in out and "Acme VPN" not in out.split("left out")[-1]


# --- OpenPGP, standard input, and the issue's "done when" ------------------------------------------------


def test_an_openpgp_file_gets_the_pipe_that_keeps_seeds_off_the_disk(cli, tmp_path):
    err = one_line_error(cli("export", "--seed-file", str(CORPUS / "vendor-seeds.csv.asc"), "--format", "otpauth",
                             "--output", str(tmp_path / "o")))
    assert "encrypted with OpenPGP" in err and "gpg --decrypt FILE | otpburn … --seed-file -" in err


def test_seed_file_from_standard_input(cli, tmp_path):
    out = tmp_path / "out.csv"
    result = cli("export", "--seed-file", "-", "--format", "privacyidea", "--output", str(out),
                 stdin=(CORPUS / "privacyidea-version2.csv").read_bytes())
    assert result.returncode == 0, text_of(result)
    assert "standard input: line 6: an OCRA token" in text_of(result)
    assert out.read_text().splitlines()[0].startswith("OATH0001, 3132")


def test_the_issue_examples_through_the_cli(cli, tmp_path):
    mixed = cli("export", "--seed-file", str(CORPUS / "pskc-mixed-with-pin.xml"), "--format", "otpauth",
                "--output", str(tmp_path / "a"))
    assert mixed.returncode == 0 and "key 2 (serial 987654321): not an HOTP or TOTP key (pin); skipped" in \
        text_of(mixed)
    five = cli("export", "--seed-file", str(CORPUS / "google-export-five-links.txt"), "--format", "otpauth",
               "--output", str(tmp_path / "b"), "--json")
    assert five.returncode == 0, text_of(five)
    assert len((tmp_path / "b").read_text().splitlines()) == 10
    password = tmp_path / "pw"
    password.write_text(VAULT_PASSWORD)
    vault = cli("export", "--seed-file", str(VAULT), "--seed-password-file", str(password), "--format", "otpauth",
                "--output", str(tmp_path / "c"))
    assert vault.returncode == 0 and len((tmp_path / "c").read_text().splitlines()) == 3


# --- spreadsheets ---------------------------------------------------------------------------------------


def test_serials_survive_a_spreadsheet_round_trip(cli, tmp_path):
    """An export names serials a spreadsheet would change; a file a spreadsheet already changed still
    matches its tokens (leading zeros dropped), and a rounded serial is named, not guessed."""
    from otpburn.sources.seedfiles.model import same_serial, spreadsheet_unsafe

    seeds = tmp_path / "seeds.txt"
    seeds.write_text("otpauth://totp/A:a?secret=JBSWY3DPEHPK3PXP\n")
    out = tmp_path / "vendor.csv"
    result = cli("export", "--uri-file", str(seeds), "--serial", "0012345", "--format", "vendor-csv",
                 "--output", str(out))
    assert result.returncode == 0, text_of(result)
    assert out.read_text().splitlines()[1] == "0012345,JBSWY3DPEHPK3PXP"  # written exactly, as importers read it
    assert "serial 0012345 would be changed by a spreadsheet program" in result.stderr.decode()
    assert spreadsheet_unsafe("8659622000000001") and not spreadsheet_unsafe("8659622000001")
    assert same_serial("12345", "0012345") and same_serial("0012345", "0012345")
    assert not same_serial("12345", "12346") and not same_serial("0012345", "12345") and not same_serial("", "")


def test_burn_finds_the_seed_of_a_token_whose_serial_lost_its_zeros(cli, tmp_path):
    state = tmp_path / "virtual-token.json"
    env = {"OTPBURN_VIRTUAL_TOKEN": str(state)}
    assert cli("info", "--reader", "virtual", env=env).returncode == 0  # creates the token's state
    token = json.loads(state.read_text())
    state.write_text(json.dumps({**token, "serial": "0065962200001"}))  # a serial with leading zeros
    seeds = tmp_path / "after-excel.csv"  # as a spreadsheet saves it: the zeros are gone
    seeds.write_text("serial,secret\n65962200002,KRSXG5CTMVRXEZLU\n65962200001,JBSWY3DPEHPK3PXP\n")
    result = cli("burn", "--reader", "virtual", "--seed-file", str(seeds), env=env)
    assert f"[from {seeds}, line 3]" in result.stdout.decode()  # the seed for 0065962200001 is found
    # (no real model has such a serial, so the burn itself stops there: nothing is written to it)
    assert result.returncode == 2 and "does not match a known programmable model" in result.stderr.decode()


def test_a_large_pskc_is_read_in_parts_with_the_same_records(tmp_path, monkeypatch):
    """Past WHOLE_DOCUMENT_BYTES a PSKC is streamed in parts of KEYS_PER_PART packages; the records,
    their numbers, the one key derivation and the problems are those of reading it whole."""
    from otpburn.sources.seedfiles import pskc_files

    document = pskc.PSKC()
    for n in range(23):
        document.add_key(secret=n.to_bytes(2, "big") * 10, algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp",
                         serial=f"T{n:04d}", time_interval=30 if n != 17 else 172800)  # key 18: a step too long
    document.encryption.setup_pbkdf2("part password", iterations=1000)
    path = tmp_path / "big.pskc"
    document.write(str(path))
    asked = []

    def password():
        asked.append(1)
        return "part password"

    whole = read_seed_file(str(path), password)
    monkeypatch.setattr(pskc_files, "WHOLE_DOCUMENT_BYTES", 0)
    monkeypatch.setattr(pskc_files, "KEYS_PER_PART", 5)
    parts = read_seed_file(str(path), password)
    assert [(r.place, r.serial, r.params) for r in parts.records] == \
        [(r.place, r.serial, r.params) for r in whole.records]
    assert len(parts.records) == 22 and parts.problems == whole.problems == \
        ["key 18 (serial T0017): period must be between 1 and 86400, not 172800"]
    assert asked == [1, 1]  # one derivation per reading, not one per part
    with pytest.raises(InputError, match="wrong password"):
        read_seed_file(str(path), lambda: "not it")


def test_a_doctype_after_a_long_comment_is_still_refused(tmp_path):
    path = tmp_path / "sneaky.pskc"
    path.write_text("<?xml version='1.0'?>\n<!--" + "x" * 70_000 + "-->\n"
                    "<!DOCTYPE KeyContainer [<!ENTITY a 'aaaa'>]>\n<KeyContainer Version='1.0' "
                    "xmlns='urn:ietf:params:xml:ns:keyprov:pskc'>&a;</KeyContainer>")
    with pytest.raises(InputError, match="never need a DOCTYPE or entities"):
        read_seed_file(str(path))


def test_batch_and_burn_seed_file_choices_that_cannot_be_met_are_one_line(cli, tmp_path):
    andotp = str(CORPUS / "andotp-plain.json")
    err = one_line_error(cli("batch", "-", "--reader", "virtual", "--dry-run", stdin=Path(andotp).read_bytes()))
    assert "a batch read from standard input needs --progress-file" in err
    err = one_line_error(cli("batch", andotp, "--reader", "virtual", "--dry-run", "--account", "nobody",
                             "--progress-file", str(tmp_path / "p.json")), after_notes=True)
    assert f"no account in {andotp} matches 'nobody'" in err
    err = one_line_error(cli("burn", "--reader", "virtual", "--seed-file", andotp, "--pick", "9"), after_notes=True)
    assert "account 9 is out of range: there are 3 accounts" in err and "--pick N or --account TEXT" in err


SECRET_HEX = "3132333435363738393031323334353637383930"


@pytest.mark.parametrize("digits", ["²", "①", "٦", "６", "9" * 5000])
@pytest.mark.parametrize(("name", "layout"), [
    ("oath.csv", "86596220000001, {hex}, totp, {n}, 30\n86596220000002, {hex}, totp, 6, 30\n"),
    ("oath.csv", "86596220000001, {hex}, totp, 6, {n}\n86596220000002, {hex}, totp, 6, 30\n"),
    ("entra.csv", "upn,serial number,secret key,time interval,manufacturer,model\n"
                  "a@example.org,86596220000001,GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ,{n},Token2,C301\n"
                  "b@example.org,86596220000002,GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ,30,Token2,C301\n"),
    ("uris.txt", "otpauth://totp/a?secret=GEZDGNBVGY3TQOJQ&digits={n}\notpauth://totp/b?secret=GEZDGNBVGY3TQOJQ\n"),
])
def test_a_number_in_other_digits_is_that_line_s_problem(cli, tmp_path, digits, name, layout):
    """str.isdigit() takes ², ① and Arabic-Indic or full-width digits, and int() refuses some of them (and any
    number of over 4300 digits): each is the problem of its line, and the other lines convert."""
    path = tmp_path / name
    path.write_text(layout.format(hex=SECRET_HEX, n=digits), encoding="utf-8")
    contents = read_seed_file(str(path), None)
    bad_line = 2 if name == "entra.csv" else 1  # after Entra's header
    assert [record.line for record in contents.records] == [bad_line + 1]
    assert len(contents.problems) == 1 and contents.problems[0].startswith(f"line {bad_line}: ")
    assert "whole number" in contents.problems[0]
    result = cli("export", "--seed-file", str(path), "--format", "otpauth", "--output", str(tmp_path / "out.txt"))
    assert result.returncode == 0 and "whole number (left out)" in result.stderr.decode()
    assert len((tmp_path / "out.txt").read_text().splitlines()) == 1
