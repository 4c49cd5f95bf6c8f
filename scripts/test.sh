#!/usr/bin/env bash
# Installs everything the test suite needs on Debian (as root, or with sudo) and runs it.
# Usage: scripts/test.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
    pcscd vsmartcard-vpcd libpcsclite-dev swig gcc   # the PC/SC stack and building pyscard
    xvfb x11-xserver-utils iproute2                   # virtual screens (xrandr) and pcscd's own network namespace
    xclip                                             # a real X clipboard for scan --clipboard
    libzbar0                                          # only for the QR benchmark's comparison
    # A headless Wayland desktop for the screenshot-portal tests (tests/support/wayland.py), and Debian's own
    # python3 with venv for the tests that install otpburn as a fresh machine would
    sway swaybg grim pipewire xdg-desktop-portal xdg-desktop-portal-wlr xdg-desktop-portal-gtk libglib2.0-bin
    dbus-user-session python3-venv
    python3-tk                                        # the tests show QR codes on the virtual screens with tkinter
    keepassxc                                         # its keepassxc-cli opens KeePass databases (seed files)
    # Qt's xcb platform plugin, for the desktop app on Xvfb
    libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-render-util0 libxcb-image0 libxcb-xkb1
    libxcb-randr0 libxcb-xinerama0 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1 libdbus-1-3 fonts-dejavu-core
)

missing=()
for package in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
# The tests run on the distribution's own Python where there is one (/usr/bin/python3: Debian 12's 3.11, with
# the PySide6 range that interpreter resolves), as the users of the desktop app run it.
if [ -x /usr/bin/python3 ]; then
    export VENV_PYTHON=/usr/bin/python3
fi
# pyscard compiles against the interpreter's C headers (Debian ships them apart).
"${VENV_PYTHON:-python3}" -c 'import os, sysconfig; raise SystemExit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
    || missing+=(python3-dev)
if ((${#missing[@]})); then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "Installing Debian packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# A virtual environment (PEP 668).
. scripts/venv.sh
make_venv
python -m pip install --quiet --disable-pip-version-check -e '.[test]'

# A real privacyIDEA server for the registration tests, in a virtual environment of its own so
# its Flask/SQLAlchemy stack never mixes with the tool under test (the harness starts it on loopback).
# eduMFA, the privacyIDEA fork with the same REST API, the same way; the two install side by side.
server_venv() {  # folder, package, version
    if ! "$1/bin/pip" show "$2" 2>/dev/null | grep -qx "Version: $3"; then
        echo "Installing $2 $3 (test server)"
        python3 -m venv "$1"
        "$1/bin/python" -m pip install --quiet --disable-pip-version-check "$2==$3"
    fi
}
server_venv .venv-privacyidea privacyidea 3.14 & privacyidea_install=$!
server_venv .venv-edumfa edumfa 2.9.5 & edumfa_install=$!
wait "$privacyidea_install"
wait "$edumfa_install"

# The lint and type gate (rules and their reasons in pyproject.toml).
echo "ruff: $(ruff --version)"
ruff check src tests scripts benchmarks packaging
echo "mypy: $(python -m mypy --version)"
python -m mypy  # the environment's interpreter, so it sees the packages installed into it

set +e
# Every suite must run here (the PC/SC stack, Xvfb, the window): a skip fails the run.
OTPBURN_REQUIRE_ALL_SUITES=1 python -m pytest --durations=25 "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: treating that as a failure" >&2
    exit 1
fi
exit "$status"
