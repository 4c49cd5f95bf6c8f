#!/usr/bin/env bash
# README command 1: install otpburn into ./.venv and burn the seed of the bundled example
# screenshot into the built-in virtual token, then show the codes to compare.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh
make_venv
python -m pip install --quiet --disable-pip-version-check .
otpburn burn --reader virtual --image examples/2fa-setup-screenshot.png
