"""The CI workflow that builds the Windows and macOS bundles cannot run here; what can be checked is that
GitHub would accept it (the workflow schema check-jsonschema carries, not ours) and that every system's job
builds and tries the bundle with the script the Linux test runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def test_workflows_follow_githubs_schema():
    assert WORKFLOWS
    result = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                             *map(str, WORKFLOWS)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_bundle_workflow_builds_on_all_three_systems_with_the_tested_script():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "bundle.yml").read_text())
    job = workflow["jobs"]["bundle"]
    systems = job["strategy"]["matrix"]["os"]
    assert {system.split("-")[0] for system in systems} == {"ubuntu", "windows", "macos"}
    commands = [step.get("run", "") for step in job["steps"]]
    assert any("scripts/build_bundle.py" in command and "--no-check" not in command for command in commands)
    assert any("pip install" in command and "gui" in command and "pcsc" in command for command in commands)
