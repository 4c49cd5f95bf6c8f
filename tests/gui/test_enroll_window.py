"""Step 6, Enroll, in the window: burn into the virtual token, then register and activate it in
Entra ID (the Graph contract server) and in a real privacyIDEA server."""

import pytest

from otpburn.provisioning.records import audit
from tests.conftest import GRAPH_UPN as UPN

from .conftest import burn, connect
from .test_window_virtual import SECRET, seed_from_image


def burned(qtbot, window, registrar_file):
    window.enroll.registrar_file = str(registrar_file)
    window.enroll.load_targets()
    seed_from_image(qtbot, window)
    connect(qtbot, window)
    assert not window.enroll.enroll_button.isEnabled()  # nothing burned yet
    report, display = burn(qtbot, window)
    assert window.enroll.code.text() == display  # the virtual token's code, offered for the activation
    return report


def test_enroll_in_entra_after_the_burn(qtbot, window, graph):
    report = burned(qtbot, window, graph.registrar_file())
    assert window.enroll.target.currentText() == "entra (Entra ID)"
    window.enroll.user.setText("nobody@contoso.onmicrosoft.com")
    window.enroll.enroll_button.click()
    qtbot.waitUntil(lambda: window.enroll.status.kind == "stop", timeout=20_000)
    assert window.enroll.status.text() == "Entra ID has no user 'nobody@contoso.onmicrosoft.com'"
    assert window.enroll.enroll_button.isEnabled()  # fix the user and try again

    window.enroll.user.setText(UPN)
    window.enroll.enroll_button.click()
    qtbot.waitUntil(lambda: window.enroll.status.kind == "ok", timeout=20_000)
    serial = report.info.serial
    assert window.enroll.status.text() == f"✓ {serial} is registered in Entra ID for {UPN} and active."
    device = graph.directory.device(serial)
    assert device["status"] == "activated" and device["assignedTo"]["displayName"] == "Amy Masters"
    assert device["model"] == report.info.model and device["manufacturer"] == "Token2"
    assert not window.enroll.enroll_button.isEnabled()  # done: one enrolment per burn
    entries = [e for e in audit.read_entries() if e.get("serial") == serial and e.get("front_end") == "gui"]
    assert [(e["operation"], e["result"]) for e in entries][-2:] == [("register", "ok"), ("activate", "ok")]


@pytest.mark.privacyidea
def test_enroll_in_privacyidea_after_the_burn(qtbot, window, privacyidea, tmp_path):
    report = burned(qtbot, window, privacyidea.registrar_file(tmp_path, name="pi"))
    if privacyidea.token(report.info.serial):  # an earlier test registered the virtual token's serial
        privacyidea.admin("DELETE", f"/token/{report.info.serial}")
    window.enroll.user.setText("bob")
    window.enroll.enroll_button.click()
    qtbot.waitUntil(lambda: window.enroll.status.kind in ("ok", "stop"), timeout=20_000)
    assert window.enroll.status.kind == "ok", window.enroll.status.text()
    assert privacyidea.token(report.info.serial)["username"] == "bob"
    assert report.params.secret == SECRET


@pytest.fixture
def duo(tmp_path):
    from tests.support.duo_contract import DuoContractServer

    with DuoContractServer(tmp_path) as server:
        server.account.add_user("amy", "Amy Masters")
        yield server


@pytest.fixture
def okta(tmp_path):
    from tests.support.okta_contract import OktaContractServer

    with OktaContractServer(tmp_path) as server:
        server.org.add_user("amy@example.com", "Amy", "Masters")
        yield server


def test_enroll_in_duo_after_the_burn(qtbot, window, duo):
    """Duo has no activation step: the token is created, assigned and works at the next sign-in."""
    report = burned(qtbot, window, duo.registrar_file())
    assert window.enroll.target.currentText() == "duo (Duo)"
    window.enroll.user.setText("amy")
    window.enroll.enroll_button.click()
    qtbot.waitUntil(lambda: window.enroll.status.kind in ("ok", "stop"), timeout=20_000)
    serial = report.info.serial
    assert window.enroll.status.text() == f"✓ {serial} is registered in Duo for amy; it works at the next " \
                                          "sign-in."
    token = duo.account.token(serial)
    assert token is not None and token["type"] == "t6"
    assert [u["username"] for u in duo.account.users.values() if token["token_id"] in u["tokens"]] == ["amy"]


def test_enroll_in_okta_after_the_burn(qtbot, window, okta):
    """Okta's custom OTP factor is enrolled with the secret and activated with the virtual token's code."""
    burned(qtbot, window, okta.registrar_file())
    assert window.enroll.target.currentText() == "okta (Okta)"
    window.enroll.user.setText("amy@example.com")
    window.enroll.enroll_button.click()
    qtbot.waitUntil(lambda: window.enroll.status.kind in ("ok", "stop"), timeout=20_000)
    assert window.enroll.status.kind == "ok", window.enroll.status.text()
    assert window.enroll.status.text().endswith(" is registered in Okta for amy@example.com and active.")
    assert [f["status"] for f in okta.org.factors_of("amy@example.com")] == ["ACTIVE"]


def test_the_code_from_the_burn_is_cleared_once_it_expires(qtbot, window, duo):
    burned(qtbot, window, duo.registrar_file())
    assert window.enroll.code.text().isdigit()
    assert window.enroll._code_expiry.isActive()
    # this step and the server's slack (Qt's coarse timers may run 5 % long)
    assert 28_000 <= window.enroll._code_expiry.remainingTime() <= 63_000
    window.enroll._code_expiry.timeout.emit()  # the moment it expires
    assert window.enroll.code.text() == "" and "has expired" in window.enroll.code.placeholderText()
