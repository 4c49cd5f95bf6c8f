"""The layers of the design, checked on the source: no upward import, no import cycle.

Every `import` counts for the layers, including those inside functions and those only
for type checking (a dependency is a dependency). For cycles, imports that run count:
module level and inside functions, but not `if TYPE_CHECKING:` blocks.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "otpburn"

# layer -> the layers it may import (itself always allowed)
BASE = {"errors", "files", "untrusted", "installation"}
ALLOWED: dict[str, set[str]] = {
    "__init__": set(),
    "errors": set(),
    "installation": set(),
    "untrusted": set(),
    "files": {"errors", "untrusted"},  # untrusted imports nothing: no cycle
    "otp": {"errors", "untrusted"},
    "transport": {"errors", "untrusted", "installation"},
    "sources": BASE | {"otp"},
    "tokens": {"errors", "untrusted", "otp", "transport"},
    "emulator": BASE | {"otp", "transport"},  # never tokens: the card side is an independent implementation
    "registrars": BASE | {"__init__", "otp"},  # identity systems: HTTP and their APIs, no token or reader
    "provisioning": BASE | {"__init__", "otp", "sources", "transport", "tokens", "emulator", "registrars"},
    "gui": BASE | {"__init__", "otp", "sources", "transport", "tokens", "provisioning", "registrars"},
    "cli": BASE | {"__init__", "otp", "sources", "transport", "tokens", "emulator", "provisioning", "gui",
                   "registrars"},
    "__main__": {"cli"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(path: Path) -> tuple[set[str], set[str]]:
    """(every otpburn module imported, those imported at run time)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    every: set[str] = set()
    runtime: set[str] = set()

    def visit(node: ast.AST, type_only: bool) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.body:
                visit(child, True)
            for child in node.orelse:
                visit(child, type_only)
            return
        found: list[str] = []
        if isinstance(node, ast.Import):
            found = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: up from this module's package
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            found = [base] + [f"{base}.{alias.name}" for alias in node.names]
        for name in found:
            if name == "otpburn" or name.startswith("otpburn."):
                target = resolve(name)
                if target:
                    every.add(target)
                    if not type_only:
                        runtime.add(target)
        for child in ast.iter_child_nodes(node):
            visit(child, type_only)

    visit(tree, False)
    return every, runtime


MODULES = {module_name(path): path for path in sorted(SRC.rglob("*.py"))}


def resolve(name: str) -> str | None:
    """The module an import statement loads (`from a.b import c` loads a.b.c if it is a module)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


GRAPH = {module: imports_of(path) for module, path in MODULES.items()}


def test_the_source_tree_is_found():
    assert {"otpburn.tokens.base", "otpburn.provisioning.burn.steps", "otpburn.cli.main"} <= set(MODULES)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_upward_import(module):
    layer = layer_of(module)
    upward = sorted(target for target in GRAPH[module][0]
                    if layer_of(target) != layer and layer_of(target) not in ALLOWED[layer])
    assert not upward, f"{module} ({layer}) imports {upward}, which its layer may not"


def test_no_import_cycle():
    """No cycle through any import that runs, at module level or inside a function: a function-level
    import that closes a circle only hides it until that function first runs. That includes a submodule
    that takes names from its own package while the package's __init__ imports that submodule."""
    runtime = {module: {t for t in edges[1] if t != module} for module, edges in GRAPH.items()}
    cycles = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(runtime[node]):
            if state.get(target) == 1:
                cycles.append(stack[stack.index(target):] + [target])
            elif target not in state:
                walk(target)
        stack.pop()
        state[node] = 2

    for module in sorted(runtime):
        if module not in state:
            walk(module)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(cycle) for cycle in cycles)
