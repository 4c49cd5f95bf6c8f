"""The screenshot portal's answer is taken only from the portal: a private D-Bus session bus on this
machine, a stand-in portal that owns org.freedesktop.portal.Desktop, and a second client that answers
first with a file of its own choosing (the spoofing a shared session bus allows)."""

import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from otpburn.sources import screen
from tests.conftest import skip_unless_required

jeepney = pytest.importorskip("jeepney", reason="jeepney is a dependency on Linux")
from jeepney import DBusAddress, HeaderFields, MessageType, message_bus, new_method_return, new_signal  # noqa: E402
from jeepney.io.blocking import Proxy, open_dbus_connection  # noqa: E402

EXAMPLE = Path(__file__).parents[2] / "examples" / "2fa-setup-screenshot.png"


@pytest.fixture
def session_bus(tmp_path, monkeypatch):
    if not shutil.which("dbus-daemon"):
        skip_unless_required("dbus-daemon is not installed (Debian: dbus-user-session)")
    socket_path = tmp_path / "bus"
    daemon = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1",
                               f"--address=unix:path={socket_path}"], stdout=subprocess.PIPE, text=True)
    address = daemon.stdout.readline().strip()
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
    yield address
    daemon.terminate()
    daemon.wait(10)


def signal_to(path, uri, response=0):
    return new_signal(DBusAddress(path, interface="org.freedesktop.portal.Request"), "Response", "ua{sv}",
                      (response, {"uri": ("s", uri)}))


class StandInPortal:
    """Owns the portal's name; answers Screenshot with the request path, then (after `delay`) its Response."""

    def __init__(self, folder: Path, delay: float = 0.3, uri=None) -> None:
        self.folder, self.delay, self.uri = folder, delay, uri
        self.tokens: list[str] = []
        self.ready = threading.Event()
        self.asked = threading.Event()
        self.request_path = ""
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()
        assert self.ready.wait(10)

    def _serve(self) -> None:
        with open_dbus_connection(bus="SESSION") as connection:
            Proxy(message_bus, connection).RequestName("org.freedesktop.portal.Desktop", 0)
            self.ready.set()
            while True:
                try:
                    message = connection.receive(timeout=30)
                except (OSError, TimeoutError):  # the bus went away at the end of the test
                    return
                if message.header.message_type != MessageType.method_call:
                    continue
                if message.header.fields.get(HeaderFields.member) != "Screenshot":
                    continue
                caller = message.header.fields[HeaderFields.sender].lstrip(":").replace(".", "_")
                token = message.body[1]["handle_token"][1]
                self.tokens.append(token)
                self.request_path = f"/org/freedesktop/portal/desktop/request/{caller}/{token}"
                connection.send(new_method_return(message, "o", (self.request_path,)))
                self.asked.set()
                time.sleep(self.delay)
                shot = self.folder / f"portal-{len(self.tokens)}.png"
                shutil.copy(EXAMPLE, shot)
                connection.send(signal_to(self.request_path, self.uri or f"file://{shot}"))


def test_only_the_portals_own_answer_is_taken(session_bus, tmp_path, monkeypatch):
    planted = tmp_path / "planted.png"
    planted.write_bytes(b"a picture of the spoofer's choosing")
    portal = StandInPortal(tmp_path)
    # A spoofer that knows the request path (as it could when the token was the pid and the time) answers first.
    monkeypatch.setattr(screen.secrets, "token_hex", lambda size: "predictable")

    def spoof() -> None:
        with open_dbus_connection(bus="SESSION") as connection:
            portal.asked.wait(10)
            connection.send(signal_to(portal.request_path, f"file://{planted}"))
            time.sleep(1)

    spoofer = threading.Thread(target=spoof, daemon=True)
    spoofer.start()
    path = screen._portal_screenshot(timeout=10)
    spoofer.join(5)
    assert path == str(tmp_path / "portal-1.png")
    assert planted.exists()


def test_the_request_path_cannot_be_predicted(session_bus, tmp_path):
    portal = StandInPortal(tmp_path, delay=0)
    screen._portal_screenshot(timeout=10)
    screen._portal_screenshot(timeout=10)
    first, second = portal.tokens
    assert first != second and len(first) >= 32 and str(os.getpid()) not in first


@pytest.mark.parametrize("kind", ["old file", "link", "not a file", "another scheme"])
def test_a_file_the_portal_did_not_just_make_is_neither_read_nor_removed(session_bus, tmp_path, kind):
    victim = tmp_path / "victim.png"
    shutil.copy(EXAMPLE, victim)
    uri = f"file://{victim}"
    if kind == "old file":
        os.utime(victim, (time.time() - 3600, time.time() - 3600))
    elif kind == "link":
        (tmp_path / "link.png").symlink_to(victim)
        uri = f"file://{tmp_path / 'link.png'}"
    elif kind == "not a file":
        uri = f"file://{tmp_path}"
    else:
        uri = f"https://example.org{victim}"
    StandInPortal(tmp_path, delay=0, uri=uri)
    with pytest.raises(screen.CaptureError, match="did not just make for otpburn"):
        screen._portal_screenshot(timeout=10)
    assert victim.exists()
