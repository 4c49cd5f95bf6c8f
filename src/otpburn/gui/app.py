"""Starting the desktop app: one instance per user, a light or dark theme, the main window."""

from __future__ import annotations

import getpass
import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QApplication, QStyleFactory

from otpburn.gui.window import MainWindow


def instance_name() -> str:
    try:
        user = getpass.getuser()
    except Exception:
        user = "user"
    return f"otpburn-gui-{user}"


def bring_forward_existing() -> bool:
    """True when another otpburn window of this user answered and was asked to come forward."""
    socket = QLocalSocket()
    socket.connectToServer(instance_name())
    if not socket.waitForConnected(300):
        return False
    socket.write(b"raise")
    socket.waitForBytesWritten(300)
    socket.disconnectFromServer()
    return True


def listen_for_second_starts(window: MainWindow) -> QLocalServer:
    server = QLocalServer(window)
    QLocalServer.removeServer(instance_name())  # a stale socket from a crashed run
    server.listen(instance_name())

    def raise_window() -> None:
        connection = server.nextPendingConnection()
        if connection:
            connection.close()
        window.showNormal()
        window.raise_()
        window.activateWindow()

    server.newConnection.connect(raise_window)
    return server


def apply_theme(app: QApplication, theme: str) -> None:
    app.setStyle(QStyleFactory.create("Fusion"))
    if theme == "system":
        scheme = app.styleHints().colorScheme()
        theme = "dark" if scheme == Qt.ColorScheme.Dark else "light"
    palette = QPalette()
    if theme == "dark":
        colours = {
            QPalette.ColorRole.Window: "#1f2328", QPalette.ColorRole.WindowText: "#e6edf3",
            QPalette.ColorRole.Base: "#0d1117", QPalette.ColorRole.AlternateBase: "#161b22",
            QPalette.ColorRole.Text: "#e6edf3", QPalette.ColorRole.Button: "#2d333b",
            QPalette.ColorRole.ButtonText: "#e6edf3", QPalette.ColorRole.Highlight: "#2f81f7",
            QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#2d333b",
            QPalette.ColorRole.ToolTipText: "#e6edf3", QPalette.ColorRole.PlaceholderText: "#8b949e",
        }
        for role, colour in colours.items():
            palette.setColor(role, QColor(colour))
        palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#6e7681"))
        palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor("#6e7681"))
    else:
        palette = app.style().standardPalette()
    app.setPalette(palette)


def main(argv: list[str] | None = None, theme: str = "system") -> int:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName("otpburn")
    app.setOrganizationName("otpburn")
    if bring_forward_existing():
        return 0
    apply_theme(app, theme)
    window = MainWindow()
    server = listen_for_second_starts(window)
    window.show()
    code = app.exec()
    server.close()
    return code
