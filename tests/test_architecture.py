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


# DRF's text fields read a JSON number as its digits ({"reason": 251} became "251"); core/fields.py has the strict
# ones, and core/serializers.py the ModelSerializer that maps model text fields to them. Only those two use DRF's.
LAX_TEXT = {
    "CharField", "EmailField", "SlugField", "URLField", "RegexField", "IPAddressField", "ChoiceField",
    "MultipleChoiceField", "ModelSerializer", "HyperlinkedModelSerializer",
}  # fmt: skip
LAX_ALLOWED = {"core.fields", "core.serializers"}


def _lax_text_fields(source: str) -> set[tuple[int, str]]:
    """(line, name) where a module names one of DRF's own text fields (or its ModelSerializer):
    `serializers.CharField(...)`, a subclass of it, or an import of it from rest_framework."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in LAX_TEXT
            and isinstance(node.value, ast.Name)
            and node.value.id == "serializers"
        ):
            found.add((node.lineno, node.attr))
        elif isinstance(node, ast.ImportFrom) and node.module in (
            "rest_framework.serializers",
            "rest_framework.fields",
        ):
            found |= {(node.lineno, alias.name) for alias in node.names if alias.name in LAX_TEXT}
    return found


def test_every_text_input_of_the_api_refuses_a_number():
    lax = [
        f"{path.relative_to(ROOT)}:{line} {field}"
        for name, path in _modules()
        if name not in LAX_ALLOWED and "migrations" not in path.parts
        for line, field in sorted(_lax_text_fields(path.read_text()))
    ]
    assert not lax, (
        "DRF's text fields read a JSON number as text: use core.fields' Strict* fields and "
        f"core.serializers.ModelSerializer (add a strict field there if one is missing): {lax}"
    )


def test_the_check_for_lax_text_fields_finds_each_way_of_naming_them():
    source = (
        "from rest_framework import serializers\n"
        "from rest_framework.fields import EmailField\n"
        "from core.fields import StrictCharField\n"
        "class A(serializers.ModelSerializer):\n"
        "    reason = serializers.CharField()\n"
        "    note = StrictCharField()\n"
        "class B(serializers.ChoiceField):\n"
        "    pass\n"
    )
    assert _lax_text_fields(source) == {(2, "EmailField"), (4, "ModelSerializer"), (5, "CharField"), (7, "ChoiceField")}
