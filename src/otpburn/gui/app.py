"""Starting the desktop app: one instance per user, a light or dark theme, the main window."""

from __future__ import annotations

import getpass
import os
import stat
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLockFile
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from otpburn.gui.window import MainWindow

if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalServer, QLocalSocket
    from PySide6.QtWidgets import QProxyStyle


def instance_name() -> str:
    """Where the first window listens: a socket in the user's own runtime folder (0700) on POSIX,
    so no other local user can create it first; a per-user pipe name on Windows."""
    try:
        user = getpass.getuser()
    except Exception:
        user = "user"
    if sys.platform == "win32":
        return f"otpburn-gui-{user}"
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        folder = Path(runtime) / "otpburn"
    else:  # never a shared /tmp fallback: without a runtime folder, the user's own state folder
        from platformdirs import user_state_path

        folder = user_state_path("otpburn", appauthor=False)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return str(folder / "gui.socket")


# A second start that finds the guard held waits this many tenths of a second for the first window's socket.
FORWARD_ATTEMPTS = 100


def instance_lock_path() -> str:
    """The lock the first start takes before its window exists (beside the socket; the state folder on Windows)."""
    if sys.platform == "win32":
        from platformdirs import user_state_path

        folder = user_state_path("otpburn", appauthor=False)
        folder.mkdir(parents=True, exist_ok=True)
        return str(folder / "gui.lock")
    return instance_name() + ".lock"


def _ours(name: str) -> bool:
    """A socket file we may trust: our own, not a link (always true for Windows pipe names)."""
    if sys.platform == "win32":
        return True
    try:
        info = os.lstat(name)
    except FileNotFoundError:
        return True
    return stat.S_ISSOCK(info.st_mode) and info.st_uid == os.getuid()


def _answers(name: str, timeout_ms: int = 300) -> QLocalSocket | None:
    from PySide6.QtNetwork import QLocalSocket

    connection = QLocalSocket()
    connection.connectToServer(name)
    return connection if connection.waitForConnected(timeout_ms) else None


def bring_forward_existing() -> bool:
    """True when another otpburn window of this user answered and was asked to come forward.

    Spoken without Qt's network module, so a start that opens a window does not wait for it: the first
    window's QLocalServer is a Unix socket at `instance_name()` on POSIX and a named pipe on Windows.
    """
    name = instance_name()
    if not _ours(name):
        return False
    try:
        if sys.platform == "win32":
            with open(rf"\\.\pipe\{name}", "wb", buffering=0) as pipe:
                pipe.write(b"raise")
            return True
        import _socket  # the socket module's C core: 'socket' would build its enums first (~5 ms before the window)

        connection = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        try:
            connection.settimeout(0.3)
            connection.connect(name)
            connection.sendall(b"raise")
        finally:
            connection.close()
        return True
    except OSError:  # nobody listens (no socket, or one a crashed run left behind)
        return False


def listen_for_second_starts(window: MainWindow) -> QLocalServer:
    from PySide6.QtNetwork import QLocalServer

    server = QLocalServer(window)
    server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
    name = instance_name()
    # Qt would replace an existing socket: remove what is there only once nobody answers on it
    # (a socket left by a crashed run); a slow first window that does answer keeps its guard.
    if _answers(name, 1000) is not None:
        return server
    if not _ours(name):
        return server  # something planted there: neither trusted nor removed
    QLocalServer.removeServer(name)
    server.listen(name)

    def raise_window() -> None:
        connection = server.nextPendingConnection()
        if connection:
            connection.close()
        window.showNormal()
        window.raise_()
        window.activateWindow()

    server.newConnection.connect(raise_window)
    return server


FOCUS_RING_WIDTH = 2  # px: a keyboard user sees where focus is (Fusion's own hint is a 1 px tint)


def otpburn_style(dark: bool) -> QProxyStyle:
    """Fusion, with a 2 px focus ring in the highlight colour on buttons, text fields and check boxes, and — on a
    dark theme — check boxes and radio buttons outlined in a colour that stands out (Fusion outlines them in the
    window colour made darker: nearly black on nearly black). A proxy style, not a style sheet: a sheet would
    restyle every control it touches."""
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QPainter, QPen
    from PySide6.QtWidgets import QProxyStyle, QStyle, QStyleOption, QWidget

    outline = QColor("#8b949e")  # 5.0:1 against the dark window colour (non-text contrast needs 3:1)
    indicators = (QStyle.PrimitiveElement.PE_IndicatorCheckBox, QStyle.PrimitiveElement.PE_IndicatorRadioButton)
    focusable = (QStyle.PrimitiveElement.PE_PanelButtonCommand, QStyle.PrimitiveElement.PE_FrameLineEdit,
                 QStyle.PrimitiveElement.PE_FrameFocusRect)

    class OtpburnStyle(QProxyStyle):
        def drawPrimitive(self, element: QStyle.PrimitiveElement, option: QStyleOption, painter: QPainter,
                          widget: QWidget | None = None) -> None:
            super().drawPrimitive(element, option, painter, widget)
            if dark and element in indicators:
                painter.save()
                painter.setRenderHint(QPainter.RenderHint.Antialiasing)
                painter.setPen(outline)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                box = QRectF(option.rect).adjusted(0.5, 0.5, -0.5, -0.5)
                if element == QStyle.PrimitiveElement.PE_IndicatorRadioButton:
                    painter.drawEllipse(box)
                else:
                    painter.drawRoundedRect(box, 2, 2)
                painter.restore()
            if element in focusable and (element == QStyle.PrimitiveElement.PE_FrameFocusRect
                                         or option.state & QStyle.StateFlag.State_HasFocus):
                painter.save()
                painter.setRenderHint(QPainter.RenderHint.Antialiasing)
                painter.setPen(QPen(option.palette.highlight().color(), FOCUS_RING_WIDTH))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                half = FOCUS_RING_WIDTH / 2
                painter.drawRoundedRect(QRectF(option.rect).adjusted(half, half, -half, -half), 3, 3)
                painter.restore()

    return OtpburnStyle("Fusion")


TRANSLATIONS = Path(__file__).with_name("translations")


def install_translations(app: QApplication, folder: Path = TRANSLATIONS) -> bool:
    """The window in the user's language where a translation exists (otpburn_<lang>.qm from pyside6-lupdate and
    lrelease; none ships yet: English only), and Qt's own dialogs in it too. True when otpburn's was found."""
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    locale = QLocale.system()
    ours = QTranslator(app)
    found = ours.load(locale, "otpburn", "_", str(folder))
    if found:
        app.installTranslator(ours)
    qt = QTranslator(app)
    if qt.load(locale, "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
    return found


def apply_theme(app: QApplication, theme: str) -> None:
    if theme == "system":
        from PySide6.QtCore import Qt  # PySide builds all of the Qt namespace's enums at once (~12 ms)

        theme = "dark" if app.styleHints().colorScheme() == Qt.ColorScheme.Dark else "light"
    app.setStyle(otpburn_style(dark=theme == "dark"))
    palette = QPalette()
    if theme == "dark":
        colours = {
            QPalette.ColorRole.Window: "#1f2328", QPalette.ColorRole.WindowText: "#e6edf3",
            QPalette.ColorRole.Base: "#0d1117", QPalette.ColorRole.AlternateBase: "#161b22",
            QPalette.ColorRole.Text: "#e6edf3", QPalette.ColorRole.Button: "#2d333b",
            QPalette.ColorRole.ButtonText: "#e6edf3", QPalette.ColorRole.Highlight: "#2f81f7",
            QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#2d333b",
            QPalette.ColorRole.ToolTipText: "#e6edf3", QPalette.ColorRole.PlaceholderText: "#8b949e",
            QPalette.ColorRole.Link: "#58a6ff", QPalette.ColorRole.LinkVisited: "#bc8cff",  # legible on the dark
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
    # The guard is taken before the window is shown (a double click starts two at once); the socket that
    # brings this window forward listens once it has painted. A lock whose process is gone is stale: Qt
    # takes it over.
    guard = QLockFile(instance_lock_path())
    guard.setStaleLockTime(0)
    if not guard.tryLock(0):
        for _ in range(FORWARD_ATTEMPTS):  # the other start is still opening its window
            if bring_forward_existing():
                return 0
            time.sleep(0.1)
        print("otpburn: another otpburn window is starting or open", file=sys.stderr)
        return 0
    if TRANSLATIONS.is_dir():  # nothing to look for while English is the only language
        install_translations(app)
    apply_theme(app, theme)
    window = MainWindow()
    servers: list[QLocalServer] = []
    # The guard against a second window listens once this one is on screen (it loads Qt's network module).
    window.opened.connect(lambda: servers.append(listen_for_second_starts(window)))
    window.show()
    code = app.exec()
    for server in servers:
        server.close()
    return code

