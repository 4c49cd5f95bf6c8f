import pytest

from otpburn.cli.wording import pc_clock_text
from otpburn.provisioning.access.lock import ReaderLock, ReaderLockedError
from otpburn.provisioning.burn.pc_clock import PcClockState, check_pc_clock, query
from tests.support.sntp_server import SkewedSntpServer


def test_offset_from_a_local_server():
    with SkewedSntpServer(skew=-7.5) as server:
        assert query(server.address) == pytest.approx(-7.5, abs=0.2)


@pytest.mark.parametrize("skew,verdict", [(0.0, "ok"), (5.0, "warn"), (-90.0, "stop")])
def test_verdicts(skew, verdict):
    with SkewedSntpServer(skew) as server:
        result = check_pc_clock([server.address])
    assert result.verdict == verdict
    if verdict != "ok":
        assert ("behind" if skew > 0 else "ahead") in pc_clock_text(result)


def test_unreachable_and_unsynchronised_servers_warn_without_hanging():
    import time

    started = time.monotonic()
    with SkewedSntpServer(0.0, stratum=0) as kiss:
        result = check_pc_clock(["127.0.0.1:9", kiss.address], timeout=0.5)
    assert result.state == PcClockState.UNREACHABLE and result.verdict == "warn"
    assert "could not be checked" in pc_clock_text(result) and len(result.failures) == 2
    assert time.monotonic() - started < 3
    assert check_pc_clock([]).state == PcClockState.NOT_CHECKED


def test_burn_with_sync_checks_the_pc_clock_first(cli):
    with SkewedSntpServer(skew=120.0) as server:
        result = cli("burn", "--reader", "virtual", "--uri-file", "examples/atlassian-account.txt", "--sync-clock",
                     "--yes", "--ntp-server", server.address)
    assert result.returncode == 1
    assert "PC's clock is 120 s behind" in result.stderr.decode() and "Nothing was written" in result.stderr.decode()
    with SkewedSntpServer(skew=4.0) as server:
        result = cli("burn", "--reader", "virtual", "--uri-file", "examples/atlassian-account.txt", "--sync-clock",
                     "--yes", "--ntp-server", server.address)
    assert result.returncode == 0 and "! PC clock: the PC's clock is 4 s behind" in result.stdout.decode()


def test_doctor_reports_the_clock(cli):
    with SkewedSntpServer(skew=0.2) as server:
        result = cli("doctor", "--json", "--ntp-server", server.address,
                     env={"PCSCLITE_CSOCK_NAME": "/nonexistent/pcscd.comm"})
    import json

    checks = {c["check"]: c for c in json.loads(result.stdout)}
    assert checks["PC clock"]["verdict"] == "ok"
    assert checks["PC/SC service"]["verdict"] == "stop" and result.returncode == 1


def test_one_otpburn_holds_the_reader(cli):
    with ReaderLock("test"):
        with pytest.raises(ReaderLockedError):
            ReaderLock("second").acquire()
        result = cli("burn", "--reader", "virtual", "--uri-file", "examples/atlassian-account.txt")
    assert result.returncode == 1 and "another otpburn is using the reader" in result.stderr.decode()
    assert cli("burn", "--reader", "virtual", "--uri-file", "examples/atlassian-account.txt").returncode == 0


def test_a_reply_that_does_not_echo_our_request_is_refused():
    """A spoofed or stray datagram (here: a server that answers with another originate time) is not believed."""
    import socket
    import threading

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))

    def answer_wrongly() -> None:
        data, peer = sock.recvfrom(512)
        forged = bytes((0x24, 2, 6, 0xEC)) + bytes(20) + bytes(8) + data[40:48] + data[40:48]
        sock.sendto(forged, peer)

    threading.Thread(target=answer_wrongly, daemon=True).start()
    try:
        with pytest.raises(OSError, match="does not belong"):
            query(f"127.0.0.1:{sock.getsockname()[1]}", timeout=2)
    finally:
        sock.close()


@pytest.mark.parametrize("server", ["h:abc", "h:0", "h:70000", ":123", "[::1", "h:²", "h:١٢٣", "h:" + "1" * 5000])
def test_bad_time_server_names_are_input_errors(server):
    from otpburn.errors import InputError

    with pytest.raises(InputError, match="not a time server"):
        query(server)


def test_bad_time_server_from_the_environment_is_one_line(cli):
    result = cli("doctor", env={"OTPBURN_NTP_SERVERS": "h:x"})
    err = result.stderr.decode()
    assert result.returncode == 2 and err.count("\n") == 1 and "'h:x' is not a time server" in err
