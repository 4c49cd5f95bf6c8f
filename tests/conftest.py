import os
import subprocess
import sys

import pytest

# Set by scripts/test.sh (and so in CI): every suite must run, so a skip is a failure there.
# A contributor without root or Xvfb can run pytest directly and see the skips with their reasons.
REQUIRE_ALL_SUITES = os.environ.get("OTPBURN_REQUIRE_ALL_SUITES") == "1"


def skip_unless_required(reason: str) -> None:
    """Skip with `reason`, or fail when every suite is required."""
    if REQUIRE_ALL_SUITES:
        pytest.fail(f"{reason} (OTPBURN_REQUIRE_ALL_SUITES=1: this suite must run)")
    pytest.skip(reason)


def _fail_skips(report: pytest.CollectReport | pytest.TestReport) -> None:
    if REQUIRE_ALL_SUITES and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"skipped, but OTPBURN_REQUIRE_ALL_SUITES=1 forbids skips: {report.longrepr}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    _fail_skips(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    _fail_skips(outcome.get_result())


def run_cli(*args: str, stdin: str | bytes | None = None, env: dict | None = None, timeout: float = 60):
    """Run the real `otpburn` entry point in a subprocess."""
    data = stdin.encode() if isinstance(stdin, str) else stdin
    return subprocess.run(
        [sys.executable, "-m", "otpburn", *args],
        input=data if data is not None else b"",
        capture_output=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def keepassxc_cli() -> str:
    """KeePassXC's own keepassxc-cli, which opens KeePass databases for otpburn."""
    from otpburn.sources.seedfiles.keepass_kdbx import find_tool

    tool = find_tool()
    if tool is None:
        skip_unless_required("KeePass databases open with KeePassXC's keepassxc-cli (Debian package keepassxc)")
    assert tool is not None
    return tool


@pytest.fixture(autouse=True, scope="session")
def private_state(tmp_path_factory):
    """Keep the tests' virtual token and audit log out of the user's own folders."""
    folder = tmp_path_factory.mktemp("otpburn-state")
    keys = ("OTPBURN_VIRTUAL_TOKEN", "OTPBURN_AUDIT_LOG", "OTPBURN_LOCK_FILE", "OTPBURN_NTP_SERVERS",
            "OTPBURN_REGISTRAR_FILE", "OTPBURN_VIRTUAL_MOLTO2", "OTPBURN_ATTEMPTS_FILE")
    saved = {key: os.environ.get(key) for key in keys}
    os.environ["OTPBURN_VIRTUAL_TOKEN"] = str(folder / "virtual-token.json")
    os.environ["OTPBURN_AUDIT_LOG"] = str(folder / "audit.jsonl")
    os.environ["OTPBURN_LOCK_FILE"] = str(folder / "reader.lock")
    os.environ["OTPBURN_NTP_SERVERS"] = ""  # no traffic beyond this machine; tests that check NTP run a local server
    os.environ["OTPBURN_REGISTRAR_FILE"] = str(folder / "no-registrars.toml")
    os.environ["OTPBURN_VIRTUAL_MOLTO2"] = str(folder / "virtual-molto2.json")
    os.environ["OTPBURN_ATTEMPTS_FILE"] = str(folder / "molto2-attempts.json")
    yield folder
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(autouse=True)
def molto2_attempts_forgotten(private_state):
    """Each test starts as a new run: no device refused a customer key yet, none remembered."""
    from otpburn.tokens.molto2 import forget_refusals

    forget_refusals()
    (private_state / "molto2-attempts.json").unlink(missing_ok=True)
    (private_state / "virtual-molto2.json").unlink(missing_ok=True)


GRAPH_UPN = "amy@contoso.onmicrosoft.com"


@pytest.fixture
def graph(tmp_path):
    """The Microsoft Graph contract server (HTTPS on loopback) with one user, GRAPH_UPN (Amy Masters)."""
    from tests.support.graph_contract import GraphContractServer

    with GraphContractServer(tmp_path) as server:
        server.directory.add_user(GRAPH_UPN, "Amy Masters")
        yield server


@pytest.fixture(scope="session")
def privacyidea(tmp_path_factory):
    """A real privacyIDEA server on loopback for the whole session (a realm 'example' with alice, bob, carol)."""
    from tests.support.privacyidea_server import PrivacyIdeaServer, available

    if not available():
        skip_unless_required("privacyIDEA is not installed for the tests (scripts/test.sh makes .venv-privacyidea)")
    server = PrivacyIdeaServer(tmp_path_factory.mktemp("privacyidea")).set_up()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def edumfa(tmp_path_factory):
    """A real eduMFA server (the privacyIDEA fork) on loopback, set up as `privacyidea` is."""
    from tests.support.privacyidea_server import EduMfaServer, edumfa_available

    if not edumfa_available():
        skip_unless_required("eduMFA is not installed for the tests (scripts/test.sh makes .venv-edumfa)")
    server = EduMfaServer(tmp_path_factory.mktemp("edumfa")).set_up()
    yield server
    server.stop()
