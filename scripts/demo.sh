#!/usr/bin/env bash
# README command 1: install otpburn into ./.venv and burn the seed of the bundled example
# screenshot into the built-in virtual token, then show the codes to compare.
# With --gui, the desktop app is installed too and opened afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
extras=""
gui=0
for argument in "$@"; do
    case "$argument" in
        --gui) extras="[gui]"; gui=1 ;;
        *) echo "usage: bash scripts/demo.sh [--gui]" >&2; exit 2 ;;
    esac
done
. scripts/venv.sh
make_venv
python -m pip install --quiet --disable-pip-version-check ".$extras"
otpburn burn --reader virtual --image examples/2fa-setup-screenshot.png
if [ "$gui" -eq 1 ]; then
    exec otpburn-gui
fi
