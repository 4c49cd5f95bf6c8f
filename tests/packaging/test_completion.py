"""`otpburn completion SHELL`: the script a shell sources, tried in a real bash."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli

BIN = Path(sys.executable).parent


def _complete_in_bash(script: Path, *words: str) -> list[str]:
    """What Tab offers after `words` (the last one is being typed), as bash itself computes it."""
    quoted = " ".join(f"'{word}'" for word in words)
    program = (f"source {script}; COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}; COMPREPLY=(); "
               "_otpburn_completion otpburn; printf '%s\\n' \"${COMPREPLY[@]}\"")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(["bash", "--norc", "-c", program], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    return [line for line in result.stdout.splitlines() if line]


@pytest.fixture(scope="module")
def bash_script(tmp_path_factory) -> Path:
    if not shutil.which("otpburn", path=str(BIN)):
        pytest.fail("the otpburn entry point is not installed next to this interpreter")
    result = run_cli("completion", "bash")
    assert result.returncode == 0
    path = tmp_path_factory.mktemp("completion") / "otpburn.bash"
    path.write_bytes(result.stdout)
    return path


def test_bash_completes_commands_options_and_choices(bash_script):
    assert _complete_in_bash(bash_script, "otpburn", "bu") == ["burn"]
    assert "sync-clock" in _complete_in_bash(bash_script, "otpburn", "s")
    assert _complete_in_bash(bash_script, "otpburn", "burn", "--algo") == ["--algorithm"]
    assert _complete_in_bash(bash_script, "otpburn", "burn", "--algorithm", "") == ["SHA1", "SHA256", "SHA512"]
    # Typed in any case, completed as the help spells it (click itself would offer 'sha256').
    assert _complete_in_bash(bash_script, "otpburn", "burn", "--algorithm", "sha2") == ["SHA256"]
    assert _complete_in_bash(bash_script, "otpburn", "emulate", "token2", "--model", "") != []
    assert _complete_in_bash(bash_script, "otpburn", "export", "--format", "ps") == ["pskc"]


@pytest.mark.parametrize("shell, marker", [("zsh", "#compdef otpburn"),
                                           ("fish", "complete --no-files --command otpburn")])
def test_zsh_and_fish_scripts(shell, marker):
    result = run_cli("completion", shell)
    assert result.returncode == 0
    assert marker in result.stdout.decode()
    # The protocol the script speaks, answered by otpburn itself (fish passes the word being typed, zsh its index).
    env = {"_OTPBURN_COMPLETE": f"{shell}_complete", "COMP_WORDS": "otpburn gu",
           "COMP_CWORD": "gu" if shell == "fish" else "1"}
    answer = subprocess.run([sys.executable, "-m", "otpburn"], capture_output=True, text=True, timeout=60,
                            env={**os.environ, **env})
    assert "gui" in answer.stdout


def test_unknown_shell_is_a_usage_error():
    result = run_cli("completion", "tcsh")
    assert result.returncode == 2
    assert b"bash" in result.stderr and b"Traceback" not in result.stderr
