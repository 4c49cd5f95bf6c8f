"""The published artefacts: scripts/build_dist.sh builds the sdist and wheel that go to the package
index (checked by twine) and the man pages; their metadata is what an installer and the index show."""

from __future__ import annotations

import email.parser
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from otpburn import __version__

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    env = {**os.environ, "VIRTUAL_ENV": str(Path(sys.executable).parent.parent),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(["bash", str(ROOT / "scripts" / "build_dist.sh"), str(out)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "PASSED" in result.stdout  # twine check --strict, for the wheel and the sdist
    return out


def _metadata(wheel: Path):
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(f"otpburn-{__version__}.dist-info/METADATA").decode()
        names = archive.namelist()
        entry_points = archive.read(f"otpburn-{__version__}.dist-info/entry_points.txt").decode()
    return email.parser.Parser().parsestr(text), names, entry_points


def test_wheel_metadata_is_complete(dist):
    metadata, names, entry_points = _metadata(dist / f"otpburn-{__version__}-py3-none-any.whl")
    assert metadata["Name"] == "otpburn"
    assert metadata["Version"] == __version__  # one version: otpburn.__version__, also `otpburn --version`
    assert metadata["License-Expression"] == "MIT"
    assert metadata["Requires-Python"] == ">=3.11"
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert "otpburn puts the two-factor seed" in metadata.get_payload()  # the README is the index page
    classifiers = metadata.get_all("Classifier")
    for wanted in ("Operating System :: Microsoft :: Windows", "Operating System :: MacOS",
                   "Operating System :: POSIX :: Linux", "Intended Audience :: System Administrators",
                   "Topic :: Security", "Programming Language :: Python :: 3.11", "Typing :: Typed"):
        assert wanted in classifiers
    urls = dict(url.split(", ", 1) for url in metadata.get_all("Project-URL"))
    assert {"Homepage", "Documentation", "Source", "Issues"} <= set(urls)
    assert {"gui", "pcsc", "register"} <= set(metadata.get_all("Provides-Extra"))
    requires = metadata.get_all("Requires-Dist")
    # 6.12.0 aborts the window on Python 3.11 (tests/gui/test_soak.py): below it there, below 6.13 on 3.12+
    assert 'PySide6-Essentials<6.12,>=6.11.3; python_version < "3.12" and extra == "gui"' in requires
    assert 'PySide6-Essentials<6.13,>=6.11.3; python_version >= "3.12" and extra == "gui"' in requires
    assert 'pyscard>=2.0; extra == "pcsc"' in requires
    assert any(line.startswith("httpx") and 'extra == "register"' in line for line in requires)
    assert "otpburn = otpburn.cli.main:main" in entry_points
    assert f"otpburn-{__version__}.dist-info/licenses/LICENSE" in names
    assert "otpburn/py.typed" in names
    assert not [name for name in names if name.startswith(("tests/", "otpburn/tests"))]


def test_sdist_carries_the_readme_commands_and_the_tests(dist):
    with tarfile.open(dist / f"otpburn-{__version__}.tar.gz") as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for wanted in ("LICENSE", "README.md", "pyproject.toml", "examples/2fa-setup-screenshot.png",
                   "scripts/demo.sh", "scripts/test.sh", "scripts/venv.sh", "src/otpburn/cli/main.py",
                   "tests/conftest.py"):
        assert wanted in names
    assert not [name for name in names if "__pycache__" in name or name.startswith(".ci")]


def test_man_pages_come_from_the_cli_help(dist):
    pages = {page.name for page in (dist / "man").glob("*.1")}
    assert {"otpburn.1", "otpburn-burn.1", "otpburn-batch.1", "otpburn-register.1", "otpburn-completion.1"} <= pages
    burn = (dist / "man" / "otpburn-burn.1").read_text()
    assert burn.startswith(".TH ")
    assert "reader" in burn and __version__ in burn
    if shutil.which("man"):  # rendered as a reader sees it
        shown = subprocess.run(["man", "-l", str(dist / "man" / "otpburn-burn.1")], capture_output=True, text=True,
                               env={**os.environ, "MANWIDTH": "100", "MANPAGER": "cat", "PAGER": "cat"})
        assert shown.returncode == 0
        assert "SYNOPSIS" in shown.stdout and "otpburn burn [OPTIONS]" in shown.stdout
