"""The layout holds: imports point down the table of apps, the read side never imports the write side, the
law's pure functions touch no model, no two modules import each other at module level, and no module outgrows
its room (about 400 lines, never over 600; docs/architecture.md)."""

import ast
import graphlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "config", "core", "ledger", "notifications", "bidders", "authorities", "blocks", "auctions", "licences",
    "clearances",
)  # fmt: skip
MAX_LINES = 600


def _modules():
    """(dotted name, path) of every module of the apps, migrations included (they are code too)."""
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join(parts), path


def test_the_import_contracts_of_pyproject_toml_are_kept():
    """import-linter's contracts: the apps' order, selectors without services, rules without models."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--no-cache", "pyproject.toml"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def _module_level_imports(name: str, path: Path, known: set) -> set:
    """The project's modules this module imports when it is itself imported (not inside a function)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in tree.body:  # module level only: an import inside a def runs when the function is called
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def test_no_module_level_import_circle():
    modules = dict(_modules())
    known = set(modules)
    graph = {name: _module_level_imports(name, path, known) for name, path in modules.items()}
    # A package imports its own submodules by design (re-exports); a circle through a package's __init__ and
    # its own submodule is Python's normal loading order, not a circle between rooms.
    for name, deps in graph.items():
        graph[name] = {d for d in deps if not name.startswith(d + ".")}
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        pytest.fail(f"modules import each other at module level: {' -> '.join(exc.args[1])}", pytrace=False)


def test_no_module_outside_tests_and_migrations_is_over_600_lines():
    roots = [*APPS, "bench"]
    big = {
        str(path.relative_to(ROOT)): n
        for root in roots
        for path in (ROOT / root).rglob("*.py")
        if "migrations" not in path.parts and (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert not big, f"split these by phase or audience (docs/architecture.md, Layout): {big}"
