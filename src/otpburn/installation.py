"""How this otpburn was installed, so that a hint to add an extra is a command that works here.

A source checkout (an editable install), a pipx environment, another virtual environment and a system
interpreter each take a different command; `pip install 'otpburn[pcsc]'` is right for none of them in a
checkout, and is refused outright by a system Python that PEP 668 marks as externally managed.
"""

from __future__ import annotations

import json
import shlex
import sys
from importlib import metadata
from pathlib import Path


def _editable_root() -> Path | None:
    """The source folder of an editable install (pip's PEP 610 direct_url.json), else None."""
    try:
        raw = metadata.distribution("otpburn").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return None
    try:
        direct = json.loads(raw or "{}")
    except ValueError:
        return None
    url = direct.get("url", "") if isinstance(direct, dict) else ""
    if direct.get("dir_info", {}).get("editable") and isinstance(url, str) and url.startswith("file://"):
        return Path(url[len("file://"):])
    return None


def _requirements(extra: str) -> list[str]:
    """The packages an extra adds (from otpburn's own metadata), for pipx inject."""
    marker = f'extra == "{extra}"'
    found = []
    for requirement in metadata.requires("otpburn") or []:
        name, _, condition = requirement.partition(";")
        if marker in condition.replace("'", '"'):
            found.append(name.strip())
    return found


def install_command(extra: str) -> str:
    """The command that adds otpburn's `extra` ("pcsc", "gui", "register") to this installation."""
    python = shlex.quote(sys.executable)
    root = _editable_root()
    if root is not None:
        return f"{python} -m pip install -e {shlex.quote(f'{root}[{extra}]')}"
    if "pipx" in Path(sys.prefix).parts and _requirements(extra):
        return "pipx inject otpburn " + " ".join(shlex.quote(r) for r in _requirements(extra))
    if sys.prefix != sys.base_prefix:  # a virtual environment: its own pip
        return f"{python} -m pip install {shlex.quote(f'otpburn[{extra}]')}"
    return f"pipx install {shlex.quote(f'otpburn[{extra}]')} (or pip in a virtual environment)"
