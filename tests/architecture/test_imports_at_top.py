"""Imports sit at the top of modules. An import inside a function is allowed in two cases only, each named
here with its reason: a heavy or optional third-party package that some commands never need, and the lazy
boundaries where a front end defers its own modules (the CLI's commands, the window's library after its
first paint).

Costs are import times measured on the development machine (Python 3.11, `python -c "import X"` minus a
bare interpreter, most of it the package's own imports); benchmarks/startup.py and
benchmarks/window_startup.py time the start-ups they protect.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "otpburn"

# top-level package -> why it is imported where it is used
LAZY_PACKAGES = {
    "PIL": "images and screenshots only (~14 ms)",
    "numpy": "pixels for the QR engine (~90 ms)",
    "zxingcpp": "the QR engine (~5 ms on top of numpy)",
    "mss": "screen capture on X11, Windows and macOS (~10 ms)",
    "jeepney": "the Wayland screenshot portal over D-Bus (~12 ms)",
    "pskc": "PSKC files only (~6 ms, with lxml when present)",
    "msal": "Entra ID sign-in only (~64 ms)",
    "msal_extensions": "Entra ID's token cache only (~68 ms)",
    "httpx": "identity systems only (~73 ms)",
    "httpcore": "identity systems only (~34 ms)",
    "certifi": "identity systems only (~13 ms)",
    "nacl": "encrypted Ente Auth exports only (libsodium, ~15 ms)",
    "javaobj": "FreeOTP 2 backups only (~75 ms, numpy among it)",
    "pyzipper": "zip archives only (Proton Pass, Authenticator Plus; ~44 ms, pycryptodomex among it)",
    "cryptography": "encrypted seed files, Molto2's SM4 and Entra certificates (~11-14 ms per module)",
    "keyring": "registrar secrets kept in the OS keyring (~51 ms, an optional extra)",
    "smartcard": "PC/SC (pyscard, an optional extra: the virtual reader works without it, ~11 ms)",
    "segno": "QR exports only (~48 ms)",
    "PySide6": "the window only (~76 ms for QtWidgets, an optional extra)",
    "shiboken6": "the window only (comes with PySide6)",
    "platformdirs": "where user files go, asked only when one is written (~13 ms)",
}

# importing module (or package, ending in ".") -> the modules it may import inside functions, and why
LAZY_BOUNDARIES = {
    "otpburn.cli.main": ({"otpburn.cli.", "difflib"},
                         "main only dispatches: each command's module loads when that command runs; the wording "
                         "tables (~60 ms: every room's data types) load only to word a failure"),
    "otpburn.gui.launch": ({"otpburn.gui.app"}, "checks the display and Qt's libraries before Qt loads"),
    "otpburn.gui.app": ({"_socket"}, "the second start's hand-over to the running window, before any window: "
                                     "the socket module would build its enums first (~5 ms)"),
    "otpburn.gui.": ({"otpburn."}, "the window paints before the library loads (~120 ms after the window module: "
                                   "the burn flow, scanning, token drivers), tests/gui/test_startup.py"),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def function_level_imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import):
                    found += [(inner.lineno, alias.name) for alias in inner.names]
                elif isinstance(inner, ast.ImportFrom):
                    found.append((inner.lineno, inner.module or ""))
    return sorted(set(found))


def allowed(importer: str, imported: str) -> bool:
    if imported.split(".")[0] in LAZY_PACKAGES:
        return True
    for where, (targets, _reason) in LAZY_BOUNDARIES.items():
        if importer == where or (where.endswith(".") and importer.startswith(where)):
            if any(imported == target or (target.endswith(".") and imported.startswith(target))
                   for target in targets):
                return True
    return False


def test_imports_inside_functions_are_only_the_named_exceptions():
    misplaced = [f"{path.relative_to(SRC.parent)}:{line}: {imported}"
                 for path in sorted(SRC.rglob("*.py"))
                 for line, imported in function_level_imports(path)
                 if not allowed(module_name(path), imported)]
    assert not misplaced, "move these imports to the top of their modules:\n" + "\n".join(misplaced)


def test_the_check_sees_function_level_imports():
    """The rule above is not vacuous: the CLI's dispatcher does import inside a function."""
    assert "difflib" in {imported for _, imported in function_level_imports(SRC / "cli" / "main.py")}
    assert not allowed("otpburn.sources.scan", "otpburn.files")
