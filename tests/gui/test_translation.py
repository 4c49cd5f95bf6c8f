"""Every string the window shows goes through Qt's translation functions: Qt's own tool (pyside6-lupdate)
extracts them, a pseudo-translation made from them with lrelease turns the window upper-case, and no
visible text is set from a bare literal. (English is the only language shipped.)"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree  # only files lupdate writes here from our own sources
from pathlib import Path

import PySide6
import pytest

GUI = Path(__file__).resolve().parents[2] / "src" / "otpburn" / "gui"
TOOLS = Path(PySide6.__file__).parent

# Calls that put text on screen, and which of their positional arguments is text.
TEXT_ARGUMENTS = {**{name: (0,) for name in ("setText", "setToolTip", "setPlaceholderText", "setAccessibleName",
                                             "setAccessibleDescription", "setWindowTitle", "setTitle", "setFormat",
                                             "setStatusTip", "addMenu", "show_status", "addItem", "addRow", "QLabel",
                                             "QPushButton", "QCheckBox", "QAction", "QGroupBox", "StatusLabel")},
                  "getText": (1, 2), "getOpenFileName": (1, 3), "getSaveFileName": (1, 3),
                  "getExistingDirectory": (1,), "about": (1, 2), "critical": (1, 2), "warning": (1, 2),
                  "information": (1, 2), "question": (1, 2)}


def _words(node: ast.AST) -> bool:
    """A literal with letters in it (marks such as "–" or "✓" need no translation)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(re.search(r"[A-Za-z]", node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_words(part) for part in node.values if isinstance(part, ast.Constant))
    return False


def test_no_visible_text_from_a_bare_literal():
    bare = []
    for path in sorted(GUI.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", "")
            for index in TEXT_ARGUMENTS.get(name, ()):
                if index < len(node.args) and _words(node.args[index]):
                    bare.append(f"{path.name}:{node.lineno} {name}")
    assert not bare, bare


@pytest.fixture(scope="module")
def pseudo_translation(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("translations")
    ts = folder / "otpburn_de.ts"
    subprocess.run([str(TOOLS / "lupdate"), *map(str, sorted(GUI.glob("*.py"))), "-ts", str(ts)], check=True,
                   capture_output=True)
    tree = ElementTree.parse(ts)  # noqa: S314 - written just above by lupdate
    for message in tree.iter("message"):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        translation.text = re.sub(r"\{[^}]*\}|[a-z]+", lambda m: m.group(0) if m.group(0).startswith("{")
                                  else m.group(0).upper(), source)
        translation.attrib.pop("type", None)
    tree.write(ts, encoding="utf-8", xml_declaration=True)
    subprocess.run([str(TOOLS / "lrelease"), str(ts), "-qm", str(folder / "otpburn_de.qm")], check=True,
                   capture_output=True)
    return folder


def test_lupdate_finds_the_window_s_strings(pseudo_translation):
    sources = {message.findtext("source") for message in
               ElementTree.parse(pseudo_translation / "otpburn_de.ts").iter("message")}  # noqa: S314
    for text in ("Scan &screen", "Burn", "needs attention", "choose another name or folder", "Do not export",
                 "read back", "Burned in {0:.0f} ms. Switch the token off and on, then compare its code in step 5."):
        assert text in sources, text
    assert len(sources) > 150


PROBE = """
import sys
from pathlib import Path
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from otpburn.errors import Remedy
from otpburn.gui.app import install_translations
from otpburn.gui.common import remedy_text
app = QApplication(sys.argv)
assert install_translations(app, Path(sys.argv[1]))
from otpburn.gui.window import MainWindow
window = MainWindow(QSettings(sys.argv[2], QSettings.Format.IniFormat))
print(window.seed.scan_button.text())
print(window.seed.title())
print(window.burn.export_format.itemText(0))
print(remedy_text(Remedy.FORCE))
"""


def test_a_translation_changes_the_window(pseudo_translation, tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LANGUAGE": "de", "LC_ALL": "de_DE.UTF-8",
           "LANG": "de_DE.UTF-8"}
    result = subprocess.run([sys.executable, "-c", PROBE, str(pseudo_translation), str(tmp_path / "s.ini")],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    scan, title, export, remedy = result.stdout.splitlines()[-4:]
    assert scan == "SCAN &SCREEN"
    assert title == "1. SEED   ● READY"
    assert export == "DO NOT EXPORT"
    assert remedy == "CHOOSE ANOTHER NAME OR FOLDER"
