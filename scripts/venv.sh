# Sourced by scripts/demo.sh and scripts/test.sh: make ./.venv and put its bin first on PATH.
# A virtual environment keeps pip away from the system Python (PEP 668 "externally managed" on
# Debian 12+ and Ubuntu 23.04+). Debian splits venv support and the C headers (for pyscard)
# into packages of their own; they are installed when missing.
# VENV_PYTHON names the interpreter to build it on (default: python3 on the PATH).

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

venv_python() {
    echo "${VENV_PYTHON:-python3}"
}

ensure_venv_support() {
    local probe
    probe="$(mktemp -d)"
    if ! "$(venv_python)" -m venv "$probe/v" >/dev/null 2>&1; then
        echo "Installing Debian's venv support for $("$(venv_python)" --version)"
        as_root apt-get update -qq
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
    fi
    rm -rf "$probe"
}

# Usage: make_venv [--system-site-packages]
make_venv() {
    local python wanted
    python="$(venv_python)"
    ensure_venv_support
    # A .venv built on another interpreter (an earlier run with another python3 first on the PATH) is rebuilt.
    wanted="$("$python" -c 'import os, sys; print(os.path.realpath(sys.executable))')"
    if [ -x .venv/bin/python ] && [ "$(.venv/bin/python -c 'import os, sys; print(os.path.realpath(sys._base_executable))')" != "$wanted" ]; then
        echo "Rebuilding .venv on $wanted"
        rm -rf .venv
    fi
    if [ ! -x .venv/bin/python ]; then
        "$python" -m venv "$@" .venv
    fi
    export PATH="$PWD/.venv/bin:$PATH"
    export VIRTUAL_ENV="$PWD/.venv"
}
