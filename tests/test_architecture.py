"""The layout keeps its promises: a rule's code and name say where it lives, rules depend only on the
rule API and the shared model, and no module imports its way back to itself.

The import graph is built from the source, imports inside functions and under TYPE_CHECKING
included: a cycle held apart only by a function-level import is still a cycle.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from protolint.rules.builtin import BUILTIN_RULES, RESERVED

REPOSITORY = Path(__file__).resolve().parents[1]
FAMILIES = {"P": "parse", "S": "solver", "N": "net", "L": "layer", "F": "filler", "B": "normalization", "D": "data",
            "X": "suppression"}
# What a rule module may import from protolint (besides its own family's _helpers and rules._format).
RULE_MAY_IMPORT = (
    "protolint.rule", "protolint.context", "protolint.model", "protolint.edits", "protolint.diagnostics",
    "protolint.syntax.nodes", "protolint.versions", "protolint.suggest", "protolint.patterns", "protolint.rules._format",
)
# The composition roots: the only modules that import the rules package.
COMPOSITION_ROOTS = {"protolint.api"}


def _modules() -> dict[str, Path]:
    """Module name -> file, for the package as installed (rules/ is protolint.rules, grammars/ protolint.grammars)."""
    found = {}
    for top, package in ((REPOSITORY / "protolint", "protolint"), (REPOSITORY / "rules", "protolint.rules"),
                         (REPOSITORY / "grammars", "protolint.grammars")):
        for path in top.rglob("*.py"):
            parts = list(path.relative_to(top).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join([package, *parts])] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The protolint modules `name` imports anywhere in its source (resolved to modules that exist)."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            # `from package import module` imports the module; `from module import name` the module.
            targets = [f"{module}.{alias.name}" if f"{module}.{alias.name}" in MODULES else module for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target.startswith("protolint") and target != name:
                found.add(target)
    return found


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _package_of(module: str) -> str:
    return module.rpartition(".")[0]


def test_the_import_graph_has_no_cycle():
    # Importing a submodule runs its packages' __init__ first, but that is not an edge the code can
    # break by moving a function; edges are the import statements themselves.
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(GRAPH.get(node, ())):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module)


def test_only_the_composition_root_imports_the_rules():
    importers = {m for m, targets in GRAPH.items() if not m.startswith("protolint.rules")
                 and any(t == "protolint.rules" or t.startswith("protolint.rules.") for t in targets)}
    assert importers <= COMPOSITION_ROOTS, importers


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith("protolint.rules.") and m.count(".") == 3))
def test_a_rule_imports_only_the_rule_api_the_model_and_its_own_family(module):
    family = _package_of(module)
    for target in GRAPH[module]:
        allowed = target.startswith(RULE_MAY_IMPORT) or target == f"{family}._helpers"
        assert allowed, f"{module} imports {target}"


def test_every_rule_lives_at_its_family_and_name():
    for rule in BUILTIN_RULES:
        path = Path(inspect.getfile(rule)).resolve()
        expected = REPOSITORY / "rules" / FAMILIES[rule.code[0]] / (rule.name.replace("-", "_") + ".py")
        assert path == expected, f"{rule.code} {rule.name} is in {path}, expected {expected}"


def test_one_rule_per_module_and_no_stray_modules():
    by_path = {}
    for rule in BUILTIN_RULES:
        by_path.setdefault(Path(inspect.getfile(rule)).resolve(), []).append(rule.code)
    assert all(len(codes) == 1 for codes in by_path.values()), by_path
    for family in FAMILIES.values():
        for path in (REPOSITORY / "rules" / family).glob("*.py"):
            if path.name not in ("__init__.py", "_helpers.py"):
                assert path.resolve() in by_path, f"{path} holds no registered rule"


def test_the_table_is_in_code_order_and_reserved_codes_are_unused():
    codes = [rule.code for rule in BUILTIN_RULES]
    assert codes == sorted(codes, key=lambda c: ("PSNLFBDX".index(c[0]), c))
    assert not set(RESERVED) & set(codes)
    assert all(reason.strip() for reason in RESERVED.values())


def test_every_package_folder_is_installed():
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    listed = set(tomllib.loads((REPOSITORY / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    packages = {name for name, path in MODULES.items() if path.name == "__init__.py"}
    assert packages == listed, (sorted(packages - listed), sorted(listed - packages))
