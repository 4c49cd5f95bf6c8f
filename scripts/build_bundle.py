"""Build the self-contained desktop bundle with PyInstaller (packaging/otpburn.spec), then try it.

Usage: python scripts/build_bundle.py [--dist DIR] [--work DIR] [--no-check]

Runs the same on Linux, Windows and macOS, in an environment with `pip install '.[gui,pcsc,register,dist]'`.
Output: DIR/otpburn/ with `otpburn` (the CLI) and `otpburn-gui` (the window), `.exe` on Windows; on
macOS also DIR/otpburn.app. The check runs the bundled `otpburn --version` and a burn of the example
screenshot into the virtual token, from the bundle, with its own state folder.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUFFIX = ".exe" if sys.platform == "win32" else ""


def build(dist: Path, work: Path) -> Path:
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
                    "--distpath", str(dist), "--workpath", str(work), str(ROOT / "packaging" / "otpburn.spec")],
                   check=True, cwd=ROOT)
    folder = dist / "otpburn"
    size = sum(path.lstat().st_size for path in folder.rglob("*") if path.is_file() and not path.is_symlink())
    print(f"bundle: {folder} ({size / 2**20:.0f} MiB, built in {time.monotonic() - started:.0f} s)")
    return folder


def check(folder: Path) -> None:
    """The bundle on its own: no source tree on the path, a private state folder."""
    otpburn = folder / f"otpburn{SUFFIX}"
    with tempfile.TemporaryDirectory() as state:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "OTPBURN_"))}
        env.update(OTPBURN_VIRTUAL_TOKEN=str(Path(state) / "virtual-token.json"),
                   OTPBURN_AUDIT_LOG=str(Path(state) / "audit.jsonl"),
                   OTPBURN_LOCK_FILE=str(Path(state) / "reader.lock"))
        for command in (["--version"], ["burn", "--reader", "virtual", "--image",
                                        str(ROOT / "examples" / "2fa-setup-screenshot.png")]):
            print(f"$ otpburn {' '.join(command)}", flush=True)
            subprocess.run([str(otpburn), *command], check=True, env=env, cwd=state)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dist", type=Path, default=ROOT / "dist" / "bundle")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bundle")
    parser.add_argument("--no-check", action="store_true", help="build only")
    args = parser.parse_args()
    folder = build(args.dist.resolve(), args.work.resolve())
    if not args.no_check:
        check(folder)


if __name__ == "__main__":
    main()
