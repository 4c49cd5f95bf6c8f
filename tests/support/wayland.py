"""A headless Wayland desktop for the screen-capture tests: sway (wlroots, headless back end, pixman renderer),
a wallpaper showing the page to scan (swaybg), PipeWire, and xdg-desktop-portal with its wlroots back end
serving org.freedesktop.portal.Screenshot — all inside one `dbus-run-session`, as a user that is not root
(sway refuses to run as root). Debian 12 packages: sway swaybg grim pipewire xdg-desktop-portal
xdg-desktop-portal-wlr xdg-desktop-portal-gtk (the Access back end x-d-p 1.16 wants before it offers
Screenshot), dbus-user-session, libglib2.0-bin (gdbus).

The test user runs otpburn from a virtual environment of its own, built from Debian's python3 with otpburn
installed from the source tree (root's pyenv interpreter is not readable by another user).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

USER = "otpburn-wayland"
TOOLS = ("sway", "swaybg", "grim", "pipewire", "dbus-run-session", "gdbus", "runuser", "useradd")
PORTALS = ("/usr/libexec/xdg-desktop-portal", "/usr/libexec/xdg-desktop-portal-wlr")

# Runs as the test user inside dbus-run-session: "$1" wallpaper, "$2" how the portal is set up, then the command.
SESSION = r"""
set -u
wallpaper=$1; portal=$2; shift 2
export XDG_RUNTIME_DIR=$RUNTIME WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1
export XDG_CURRENT_DESKTOP=sway XDG_SESSION_TYPE=wayland
printf 'output HEADLESS-1 resolution 1280x720\n' > "$HOME/sway.conf"
sway -c "$HOME/sway.conf" > "$HOME/sway.log" 2>&1 &
for _ in $(seq 200); do [ -S "$XDG_RUNTIME_DIR/wayland-1" ] && break; sleep 0.05; done
export WAYLAND_DISPLAY=wayland-1
swaybg -o '*' -i "$wallpaper" -m fit -c '#ffffff' > "$HOME/swaybg.log" 2>&1 &
pipewire > "$HOME/pipewire.log" 2>&1 &
dbus-update-activation-environment WAYLAND_DISPLAY XDG_RUNTIME_DIR XDG_CURRENT_DESKTOP XDG_SESSION_TYPE
mkdir -p "$HOME/.config/xdg-desktop-portal"
{ echo '[preferred]'; echo 'default=wlr;gtk'; echo 'org.freedesktop.impl.portal.Screenshot=wlr'
  echo 'org.freedesktop.impl.portal.Access=gtk'; } > "$HOME/.config/xdg-desktop-portal/sway-portals.conf"
if [ "$portal" != none ]; then
    # xdg-desktop-portal-wlr takes screenshots by running grim: without grim on its PATH it answers "failed".
    [ "$portal" = refusing ] && { PATH=/nonexistent /usr/libexec/xdg-desktop-portal-wlr > "$HOME/xdpw.log" 2>&1 & }
    /usr/libexec/xdg-desktop-portal > "$HOME/xdp.log" 2>&1 &
    for _ in $(seq 200); do
        gdbus introspect --session --dest org.freedesktop.portal.Desktop --object-path /org/freedesktop/portal/desktop \
            2>/dev/null | grep -q 'interface org.freedesktop.portal.Screenshot' && break
        sleep 0.05
    done
fi
# The wallpaper is up once a capture is more than the compositor's flat grey (a few KB as PNG).
for _ in $(seq 200); do [ "$(grim - 2>/dev/null | wc -c)" -gt 20000 ] && break; sleep 0.05; done
"$@" > "$HOME/command.out" 2> "$HOME/command.err"  # apart from what the desktop's services print
status=$?
kill $(jobs -p) 2>/dev/null
exit $status
"""


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str
    session_log: str  # what the desktop's own services printed


class WaylandDesktop:
    """Prepared once (user, virtual environment); `run()` starts a fresh desktop for each command."""

    def __init__(self, root: Path, source: Path, extras: str = "") -> None:
        self.root, self.source, self.extras = root, source, extras

    @staticmethod
    def missing() -> list[str]:
        absent = [tool for tool in TOOLS if shutil.which(tool) is None]
        absent += [path for path in PORTALS if not os.access(path, os.X_OK)]
        if os.geteuid() != 0:
            absent.append("root (to run the desktop as a user of its own)")
        if not shutil.which("python3", path="/usr/bin"):
            absent.append("/usr/bin/python3")
        return absent

    def prepare(self) -> WaylandDesktop:
        try:
            pwd.getpwnam(USER)
        except KeyError:
            subprocess.run(["useradd", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin",
                            USER], check=True)
        self.uid = pwd.getpwnam(USER).pw_uid
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o755)
        self.venv = self.root / "venv"
        subprocess.run(["/usr/bin/python3", "-m", "venv", str(self.venv)], check=True)
        target = f"{self.source}[{self.extras}]" if self.extras else str(self.source)
        subprocess.run([str(self.venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", target],
                       check=True, env={key: value for key, value in os.environ.items() if key != "PYTHONPATH"})
        subprocess.run(["chmod", "-R", "a+rX", str(self.root)], check=True)
        return self

    @property
    def otpburn(self) -> str:
        return str(self.venv / "bin" / "otpburn")

    @property
    def python(self) -> str:
        return str(self.venv / "bin" / "python")

    def run(self, command: list[str], wallpaper: Path, portal: str = "working", path: str = "/usr/bin:/bin",
            env: dict[str, str] | None = None, timeout: float = 180) -> Result:
        """`command` as the test user on a new desktop. portal: "working", "refusing" (it answers but fails)
        or "none"; `path` is the command's PATH (without /usr/bin, it finds no grim of its own)."""
        home = self.root / f"home-{os.urandom(4).hex()}"
        runtime = self.root / f"runtime-{home.name}"
        for folder in (home, runtime):
            folder.mkdir(mode=0o700)
            os.chown(folder, self.uid, -1)
        script = self.root / "session.sh"
        script.write_text(SESSION)
        script.chmod(0o755)
        wanted = {"HOME": str(home), "RUNTIME": str(runtime), "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
                  "LANG": "C.UTF-8"}
        inner = ["env", f"PATH={path}", *[f"{key}={value}" for key, value in (env or {}).items()], *command]
        try:
            completed = subprocess.run(
                ["runuser", "-u", USER, "--", "env", "-i", *[f"{k}={v}" for k, v in wanted.items()],
                 "dbus-run-session", "--", "bash", str(script), str(wallpaper), portal, *inner],
                capture_output=True, text=True, timeout=timeout, cwd=str(self.root))
        finally:
            subprocess.run(["pkill", "-u", USER], check=False)  # nothing of the desktop outlives the command

        def read(name: str) -> str:
            path = home / name
            return path.read_text(errors="replace") if path.exists() else ""

        return Result(completed.returncode, read("command.out"), read("command.err"),
                      completed.stdout + completed.stderr)

