# Sourced by scripts/demo.sh and scripts/test.sh: make ./.venv and put its bin first on PATH.
# A virtual environment keeps pip away from the system Python (PEP 668 "externally managed" on
# Debian 12+ and Ubuntu 23.04+). Debian splits venv support and the C headers (for pyscard)
# into packages of their own; they are installed when missing.

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_venv_support() {
    local probe
    probe="$(mktemp -d)"
    if ! python3 -m venv "$probe/v" >/dev/null 2>&1; then
        echo "Installing Debian's venv support for $(python3 --version)"
        as_root apt-get update -qq
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
    fi
    rm -rf "$probe"
}

# Usage: make_venv [--system-site-packages]
make_venv() {
    ensure_venv_support
    if [ ! -x .venv/bin/python ]; then
        python3 -m venv "$@" .venv
    fi
    export PATH="$PWD/.venv/bin:$PATH"
    export VIRTUAL_ENV="$PWD/.venv"
}
