import json

import pytest

SECRET = "JBSWY3DPEHPK3PXP"
URI = f"otpauth://totp/Atlassian:alice@example.com?secret={SECRET}&issuer=Atlassian"

MALFORMED_URIS = [
    "otpauth://totp/A",
    "otpauth://totp/A?secret=",
    "otpauth://totp/A?secret=JBSW1Y3D",
    "otpauth://totp/A?secret=JBS",
    "otpauth://totp/A?secret=JB=SWY3DP",
    "otpauth://totp/A?secret=JBSW!Y3D",
    "otpauth://motp/A?secret=JBSWY3DPEHPK3PXP",
    "otpauth:///A?secret=JBSWY3DPEHPK3PXP",
    "otpauth:totp/A?secret=JBSWY3DPEHPK3PXP",
    "otpauth://totp/A?secret=JBSWY3DPEHPK3PXP&algorithm=MD5",
    "otpauth://totp/A?secret=JBSWY3DPEHPK3PXP&algorithm=",
    "otpauth://totp/A?secret=JBSWY3DPEHPK3PXP&digits=six",
    "otpauth://totp/A?secret=JBSWY3DPEHPK3PXP&digits=4",
    "otpauth://totp/A?secret=JBSWY3DPEHPK3PXP&digits=12",
    "otpauth://totp/A?secret=JBSWY3DPEHPK3PXP&digits=",
    "otpauth://totp/A?secret=JBSWY3DPEHPK3PXP&period=0",
    "otpauth://totp/A?secret=JBSWY3DPEHPK3PXP&period=-30",
    "otpauth://totp/A?secret=JBSWY3DPEHPK3PXP&period=1e3",
    "otpauth://totp/A?secret=JBSWY3DPEHPK3PXP&period=99999999",
    "otpauth://hotp/A?secret=JBSWY3DPEHPK3PXP&counter=x",
    "otpauth://hotp/A?secret=JBSWY3DPEHPK3PXP&counter=-1",
    "otpauth://hotp/A?secret=JBSWY3DPEHPK3PXP&counter=99999999999999999999999",
    "otpauth://totp/A?secret=JBSWY3DPEHPK3PXP&secret=AAAAAAAA",
    "otpauth://totp/%FF?secret=JBSWY3DPEHPK3PXP",
    "otpauth://totp/A?secret=JBSWY3DPEHPK3PXP&issuer=%FF",
    "otpauth://totp/A?secret=%FF",
    "otpauth://totp/A?secret=" + "A" * 3000,
]
MALFORMED_EXPORTS = [
    "otpauth-migration://offline",
    "otpauth-migration://offline?data=",
    "otpauth-migration://offline?data=%%%%",
    "otpauth-migration://offline?data=CjUKEPql",
    "otpauth-migration://offline?data=AA==",
    "otpauth-migration://offline?data=EAE=",
    "otpauth-migration://offline?data=CAE=",
    "otpauth-migration://offline?data=Dw==",
    "otpauth-migration://offline?data=CjU&data=CjU",
    "otpauth-migration://offline?data=CgMSAf8=",
    "otpauth-migration://offline?data=EP//////////////",
    "otpauth-migration://offline?data=CgQgBCgB",
]
MALFORMED_SECRETS = ["JBSW1Y3DPEHPK3PX", "JBS", "ABC", "0xZZ", "JBSW=Y3DP", "€€€€", "GH IJ KL"]


def assert_one_line_error(result):
    err = result.stderr.decode()
    assert result.returncode == 2, (result.returncode, err)
    assert err.count("\n") == 1 and err.startswith("otpburn: "), err
    assert "Traceback" not in err
    assert SECRET not in err


@pytest.mark.parametrize("uri", MALFORMED_URIS + MALFORMED_EXPORTS)
def test_parse_malformed_exits_2_with_one_line(cli, uri):
    assert_one_line_error(cli("parse", stdin=uri))


def test_a_uri_the_settings_refuse_is_named_once(cli):
    """The settings' own words follow "broken otpauth URI", not a second naming of the URI."""
    result = cli("parse", stdin=f"otpauth://totp/A:{'a' * 300}?secret={SECRET}")
    assert result.stderr.decode() == "otpburn: broken otpauth URI: the account name is 300 characters long; at " \
        "most 256 are accepted\n"


@pytest.mark.parametrize("text", MALFORMED_SECRETS)
def test_code_malformed_secret_exits_2(cli, text):
    assert_one_line_error(cli("code", stdin=text))


def test_malformed_total_is_at_least_40():
    assert len(MALFORMED_URIS) + len(MALFORMED_EXPORTS) + len(MALFORMED_SECRETS) >= 40


def test_parse_shows_account_with_masked_secret(cli):
    result = cli("parse", stdin=URI)
    out = result.stdout.decode()
    assert result.returncode == 0
    assert "Atlassian" in out and "alice@example.com" in out and "(10 bytes)" in out
    assert SECRET not in out


def test_parse_show_secret_and_json(cli):
    result = cli("parse", "--json", "--show-secret", stdin=URI)
    data = json.loads(result.stdout)
    assert data["kind"] == "otpauth-totp" and data["seed"] is True
    assert data["accounts"][0]["secret"] == SECRET
    assert data["accounts"][0]["period"] == 30


def test_parse_reads_a_file(cli, tmp_path):
    path = tmp_path / "uri.txt"
    path.write_text(URI + "\n")
    assert cli("parse", "--file", str(path)).returncode == 0
    missing = cli("parse", "--file", str(tmp_path / "nope.txt"))
    assert missing.returncode == 2 and "no such file" in missing.stderr.decode()


def test_parse_non_seed_exits_1_with_advice(cli):
    result = cli("parse", "--json", stdin="phonefactor://activate_account?code=123456789&url=https://x/activatev2/y")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["kind"] == "microsoft-push" and not data["seed"]
    assert "different authenticator app" in result.stderr.decode()


def test_parse_binary_stdin_is_refused(cli):
    result = cli("parse", stdin=b"\x89PNG\r\n\x1a\n\0\0")
    err = result.stderr.decode()
    assert result.returncode == 2 and ("not UTF-8" in err or "binary" in err), err


def test_parse_reads_a_file_windows_powershell_wrote(cli, tmp_path):
    """Windows PowerShell 5.1's `echo ... > uri.txt` writes UTF-16 (little-endian, with its byte-order mark) and
    CRLF; a UTF-16 file cut in the middle of a character is refused in one line."""
    path = tmp_path / "uri.txt"
    path.write_bytes(b"\xff\xfe" + (URI + "\r\n").encode("utf-16-le"))
    data = json.loads(cli("parse", "--file", str(path), "--json", "--show-secret").stdout)
    assert data["seed"] and data["accounts"][0]["secret"] == SECRET and data["accounts"][0]["issuer"] == "Atlassian"
    path.write_bytes(path.read_bytes()[:-1])
    cut = cli("parse", "--file", str(path))
    assert cut.returncode == 2 and cut.stderr.decode() == f"otpburn: {path} is not UTF-16 text\n"


def test_code_rfc_vector_from_hex_stdin(cli):
    result = cli("code", "--at", "59", "--digits", "8", "--json", stdin="3132333435363738393031323334353637383930")
    data = json.loads(result.stdout)
    assert data["current"] == "94287082" and data["seconds_left"] == 1


def test_code_from_uri_file(cli, tmp_path):
    path = tmp_path / "uri.txt"
    path.write_text(URI)
    result = cli("code", "--uri-file", str(path), "--at", "59")
    out = result.stdout.decode()
    assert result.returncode == 0 and "996554" in out and "Atlassian:alice@example.com" in out


def test_code_export_needs_a_choice(cli):
    from tests.sources.test_migration import _entry, _uri

    uri = _uri(_entry(name="Acme:bob"), _entry(name="Beta:carol"))
    result = cli("code", stdin=uri)
    assert result.returncode == 2 and "--pick" in result.stderr.decode()
    assert cli("code", "--account", "carol", stdin=uri).returncode == 0


def test_code_hotp_counter(cli):
    result = cli("code", "--counter", "1", "--json", stdin="3132333435363738393031323334353637383930")
    assert json.loads(result.stdout)["current"] == "287082"


def test_random_prints_32_char_secret(cli):
    result = cli("random", "--json")
    data = json.loads(result.stdout)
    assert len(data["secret"]) == 32 and data["uri"].startswith("otpauth://totp/")


def test_random_output_file_is_private_and_not_overwritten(cli, tmp_path):
    path = tmp_path / "seed.txt"
    assert cli("random", "--output", str(path), "--issuer", "Acme").returncode == 0
    assert path.stat().st_mode & 0o777 == 0o600
    first = path.read_text()
    again = cli("random", "--output", str(path))
    assert again.returncode == 2 and "already exists" in again.stderr.decode()
    assert path.read_text() == first
    assert cli("random", "--output", str(path), "--force").returncode == 0
    assert path.read_text() != first


def test_random_bad_length(cli):
    result = cli("random", "--bytes", "5")
    assert result.returncode == 2 and result.stderr.decode().count("\n") == 1


def test_help_and_version(cli):
    assert cli("--help").returncode == 0
    assert "otpburn" in cli("--version").stdout.decode()
    result = cli("nosuchcommand")
    assert result.returncode == 2


@pytest.mark.parametrize("at,code", [("0", 0), ("5", 0), ("29", 0), ("-1", 2), ("nan", 2), ("inf", 2),
                                     ("1e300", 2)])
def test_code_at_any_time_is_codes_or_one_line(cli, tmp_path, at, code):
    uri = tmp_path / "uri.txt"
    uri.write_text("otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP\n")
    result = cli("code", "--uri-file", str(uri), "--at", at)
    assert result.returncode == code, result.stderr.decode()
    if code:
        assert result.stderr.decode().count("\n") == 1 and "internal error" not in result.stderr.decode()
    else:
        assert "Current" in result.stdout.decode()


def test_verify_near_the_epoch_and_the_last_hotp_counter(cli, tmp_path):
    uri = tmp_path / "uri.txt"
    uri.write_text("otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP\n")
    assert cli("verify", "--code", "123456", "--uri-file", str(uri), "--at", "3").returncode == 4
    uri.write_text("otpauth://hotp/A:b?secret=JBSWY3DPEHPK3PXP&counter=18446744073709551615\n")
    result = cli("code", "--uri-file", str(uri))
    assert result.returncode == 0 and "Current" in result.stdout.decode()


TOKEN2_FIELDS = [("serial", [1]), ("key", "zz"), ("key", 5), ("seed", "xyz"), ("hmac", 9), ("step", -1),
                 ("display_timeout", 99), ("clock_offset", "a"), ("clock_offset", 1e300), ("clock_set_at", None),
                 ("drift_ppm", 1e12), ("lockout_after", 0), ("failed_auths", True), ("locked", "yes"),
                 ("auth_attempts", "x"), ("log", ["a", 1])]
MOLTO2_FIELDS = [("serial", "8266-5871"), ("profile_count", 1_000_000), ("profile_count", 0), ("profiles", 5),
                 ("attempts_left", 11), ("max_attempts", 16), ("shown_profile", 100), ("pending", {"op": "key"}),
                 ("pending", {"op": "wipe"})]
PROFILE_FIELDS = [("title", "a title too long"), ("title", "\udcff"), ("seed", "0"), ("digits", 7), ("hmac", 3),
                  ("written_at", -1), ("clock_offset", float("nan"))]


@pytest.mark.parametrize(("reader", "field", "value"),
                         [("virtual", *case) for case in TOKEN2_FIELDS] + [("virtual-molto2", *case) for case in
                                                                             MOLTO2_FIELDS + PROFILE_FIELDS])
def test_a_virtual_token_memory_field_the_card_cannot_hold_is_named(cli, tmp_path, reader, field, value):
    """Each field of the memory file, edited by hand, is checked when the token is opened: the command says which
    field, in one line, where a wrong type or value used to end in an internal error at its first use."""
    state = tmp_path / "memory.json"
    memory = {"profiles": [{field: value}]} if (field, value) in PROFILE_FIELDS else {field: value}
    text = json.dumps(memory)
    state.write_text(text)
    variable = "OTPBURN_VIRTUAL_TOKEN" if reader == "virtual" else "OTPBURN_VIRTUAL_MOLTO2"
    result = cli("info", "--reader", reader, env={variable: str(state)})
    stderr = result.stderr.decode()
    assert result.returncode == 1 and f"is damaged (its {field!r} field)" in stderr and stderr.count("\n") == 1
    assert state.read_text() == text  # left for the user to look at


def test_a_virtual_token_memory_it_wrote_itself_reads_back(cli, tmp_path):
    uri_file = tmp_path / "uri.txt"
    uri_file.write_text("otpauth://totp/Acme:bob?secret=JBSWY3DPEHPK3PXP\n")
    for reader, variable in (("virtual", "OTPBURN_VIRTUAL_TOKEN"), ("virtual-molto2", "OTPBURN_VIRTUAL_MOLTO2")):
        env = {variable: str(tmp_path / f"{reader}.json")}
        extra = ("--profile", "0", "--title", "Acme", "--default-customer-key") if reader == "virtual-molto2" else ()
        burned = cli("burn", "--reader", reader, "--uri-file", str(uri_file), "--yes", *extra, env=env)
        assert burned.returncode == 0, burned.stderr.decode()
        assert cli("info", "--reader", reader, env=env).returncode == 0


def test_a_damaged_virtual_token_is_one_line(cli, tmp_path):
    state = tmp_path / "virtual.json"
    state.write_text("{bad")
    result = cli("info", "--reader", "virtual", env={"OTPBURN_VIRTUAL_TOKEN": str(state)})
    assert result.returncode == 1 and "virtual token's memory" in result.stderr.decode()
    assert state.read_text() == "{bad"  # left for the user to look at
    state.write_text("[" * 100_000 + "]" * 100_000)  # deeper than Python's JSON parser goes
    deep = cli("info", "--reader", "virtual", env={"OTPBURN_VIRTUAL_TOKEN": str(state)})
    assert deep.returncode == 1 and "virtual token's memory" in deep.stderr.decode(), deep.stderr
    folder = tmp_path / "folder.json"
    folder.mkdir()
    for reader, variable in (("virtual", "OTPBURN_VIRTUAL_TOKEN"), ("virtual-molto2", "OTPBURN_VIRTUAL_MOLTO2")):
        named = cli("info", "--reader", reader, env={variable: str(folder)})
        assert named.returncode == 1 and f"memory {folder} is damaged (IsADirectoryError)" in named.stderr.decode()
    too_long = tmp_path / ("x" * 300)  # more than a file system takes in one name
    for reader, variable in (("virtual", "OTPBURN_VIRTUAL_TOKEN"), ("virtual-molto2", "OTPBURN_VIRTUAL_MOLTO2"),
                             ("virtual", "OTPBURN_LOCK_FILE")):
        named = cli("info", "--reader", reader, env={variable: str(too_long)})
        stderr = named.stderr.decode()
        assert named.returncode == 1 and f"{too_long} " in stderr and "File name too long)" in stderr, stderr
        assert "internal error" not in stderr and stderr.count("\n") == 1


def test_parse_refuses_text_on_the_command_line(cli):
    result = cli("parse", "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP")
    err = result.stderr.decode()
    assert result.returncode == 2 and "not taken from the command line" in err and "JBSWY3DP" not in err


def test_parse_of_nothing_says_where_it_looked(cli, tmp_path):
    from_stdin = cli("parse", stdin="")
    assert from_stdin.returncode == 2 and "standard input" in from_stdin.stderr.decode()
    empty = tmp_path / "empty.txt"
    empty.write_text("\n")
    result = cli("parse", "--file", str(empty))
    assert result.returncode == 2 and f"{empty} is empty" in result.stderr.decode()
