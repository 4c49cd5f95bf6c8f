#!/usr/bin/env bash
# Builds what is published on the package index: the sdist and the wheel (python -m build, then
# 'twine check --strict' on both), and the man pages from the CLI's own help (click-man).
# Usage: scripts/build_dist.sh [OUTPUT_DIR]     (default: dist)
# Publishing is then: python -m twine upload OUTPUT_DIR/otpburn-*
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(realpath -m "${1:-dist}")"

if [ -z "${VIRTUAL_ENV:-}" ]; then  # outside a virtual environment: make ./.venv (PEP 668)
    . scripts/venv.sh
    make_venv
    python -m pip install --quiet --disable-pip-version-check -e '.[dist]'
fi

# Only what this script makes: OUTPUT_DIR may be a folder that holds other things.
rm -rf build "$out/man"
rm -f "$out"/otpburn-*.whl "$out"/otpburn-*.tar.gz
python -m build --outdir "$out" .
python -m twine check --strict "$out"/otpburn-*.whl "$out"/otpburn-*.tar.gz
python scripts/make_man_pages.py "$out/man"
echo "built: $(cd "$out" && ls otpburn-*)"
