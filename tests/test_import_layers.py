"""The package's layers, read from the source: no import cycle, no import from a lower layer to a higher
one, no entry point reaching into another's family, no private name taken from another module.

Every ``import`` counts, including those inside functions (a lazy import is still a dependency: it
only moves the failure to the first call); those under ``if TYPE_CHECKING:`` do not, as they never
run.  The order is written once here and once in docs/local.md ("Layers"); the test below checks the
two agree.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PACKAGE = "reservations"

# Lowest first.  A module may import modules of its own layer and of the layers below it.  Within a
# layer, the families listed (the tuple's entries) are apart: a module imports its own family and
# lower layers only, so the web gateway does not lean on the client, nor edge on the tenancy code.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    (
        "domain",
        ("__init__ domain channels.calendar channels.ics settings store_options exit_status catalogue",),
    ),
    ("tools", ("build", "cluster", "edge", "channels.fetch", "client.config")),
    ("stores", ("stores",)),
    (
        "services",
        (
            "service wiring tenants channels cells",
            "iam",
        ),
    ),
    (
        "entry points",
        (
            "functions",
            "gateway",
            "client",
            "tenants.cli tenants.check_cli tenants.restore_cli cells.cli cells.deploy_cli",
        ),
    ),
    ("command line", ("cli __main__ build.cli cluster.cli edge.cli edge.sync_cli channels.cli",)),
]

# Known violations, each with the reason it is still here and where it is to be removed.  An entry
# that no longer occurs fails the test, so the list only shrinks.
ALLOWED: dict[tuple[str, str], str] = {}

# Cycles still present, by the modules they run through (none: a package's protocols live in a
# module of their own that its implementations import, and only the factory imports those).
ALLOWED_CYCLES: dict[frozenset[str], str] = {}


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted((SRC / PACKAGE).rglob("*.py")):
        parts = path.relative_to(SRC / PACKAGE).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name or "__init__"] = path
    return found


def _under_type_checking(tree: ast.AST) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(child) for stmt in node.body for child in ast.walk(stmt)}
    return skipped


@cache
def import_graph() -> dict[str, frozenset[str]]:
    """Module -> the package's modules it imports (``reservations.`` left off), lazy imports included."""
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        skipped = _under_type_checking(tree)
        targets: set[str] = set()
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.Import):
                candidates = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = [PACKAGE, *package.split(".")] if package != "__init__" else [PACKAGE]
                    anchor = anchor[: len(anchor) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                candidates = [f"{base}.{alias.name}" for alias in node.names] + [base]
            else:
                continue
            for candidate in candidates:
                if candidate != PACKAGE and not candidate.startswith(PACKAGE + "."):
                    continue
                short = candidate.removeprefix(PACKAGE + ".") if candidate != PACKAGE else "__init__"
                while short and short not in modules:
                    short = short.rpartition(".")[0]
                if short and short != name:
                    targets.add(short)
                    break
        graph[name] = frozenset(targets)
    return graph


def _place(module: str) -> tuple[int, str]:
    """The layer index and family of a module: the longest family name it is, or is inside."""
    best: tuple[int, int, str] | None = None
    for index, (_, families) in enumerate(LAYERS):
        for family in families:
            for prefix in family.split():
                inside = module == prefix or module.startswith(prefix + ".")
                if inside and (best is None or len(prefix) > best[0]):
                    best = (len(prefix), index, family)
    if best is None:
        raise AssertionError(f"reservations.{module} is in no layer: add it to LAYERS")
    return best[1], best[2]


def _cycles(graph: dict[str, frozenset[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return found


def _violations(graph: dict[str, frozenset[str]]) -> dict[tuple[str, str], str]:
    found = {}
    for module, targets in graph.items():
        layer, family = _place(module)
        for target in targets:
            target_layer, target_family = _place(target)
            if target_layer > layer:
                found[(module, target)] = f"{LAYERS[layer][0]} imports {LAYERS[target_layer][0]}"
            elif target_layer == layer and target_family != family:
                found[(module, target)] = f"{family!r} imports another family of {LAYERS[layer][0]}"
    return found


def test_no_module_imports_a_higher_layer_or_another_family() -> None:
    found = _violations(import_graph())
    new = {edge: why for edge, why in found.items() if edge not in ALLOWED}
    assert not new, "\n".join(
        f"reservations.{a} -> reservations.{b}: {why}" for (a, b), why in sorted(new.items())
    )
    gone = sorted(set(ALLOWED) - set(found))
    assert not gone, f"no longer imported, delete from ALLOWED: {gone}"


def test_no_import_cycle() -> None:
    cycles = _cycles(dict(import_graph()))
    new = [sorted(c) for c in cycles if c not in ALLOWED_CYCLES]
    assert not new, f"import cycles (function-level imports included): {new}"
    gone = [sorted(c) for c in ALLOWED_CYCLES if c not in cycles]
    assert not gone, f"no longer a cycle (or a different one now), update ALLOWED_CYCLES: {gone}"


def test_no_private_name_is_imported_from_another_module() -> None:
    """A leading underscore says "this module's own"; a second user means it is shared, so name it."""
    taken = []
    for name, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(PACKAGE):
                taken += [f"{name} <- {node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
    assert taken == []


def test_every_module_has_a_layer_and_the_docs_state_the_same_order() -> None:
    for module in import_graph():
        _place(module)
    text = (ROOT / "docs" / "local.md").read_text(encoding="utf-8")
    section = text.split("## Layers", 1)[1].split("\n## ", 1)[0]
    stated = re.findall(r"^\d+\. \*\*([^*]+)\*\*", section, re.MULTILINE)
    assert stated == [name for name, _ in LAYERS]


@pytest.mark.parametrize(("graph", "expected"), [
    ({"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a"}), "d": frozenset({"a"})}, [{"a", "b", "c"}]),
    ({"a": frozenset({"b"}), "b": frozenset(), "c": frozenset({"b"})}, []),
])  # fmt: skip
def test_the_cycle_finder_finds_a_cycle_and_only_a_cycle(
    graph: dict[str, frozenset[str]], expected: list[set[str]]
):
    assert [set(c) for c in _cycles(graph)] == expected


def test_a_function_level_import_counts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """So a lazy import cannot hide a cycle or an upward import from the tests above."""
    package = tmp_path / PACKAGE
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "domain.py").write_text("def later():\n    from reservations import cli\n")
    (package / "cli.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import reservations.stores\n"
    )
    monkeypatch.setattr(__import__(__name__, fromlist=["SRC"]), "SRC", tmp_path)
    import_graph.cache_clear()
    try:
        graph = import_graph()
        assert graph["domain"] == {"cli"}
        assert graph["cli"] == frozenset()
        assert _violations(graph) == {("domain", "cli"): "domain imports command line"}
    finally:
        import_graph.cache_clear()


def test_the_functions_cold_path_reaches_neither_the_policies_nor_the_catalogue() -> None:
    """A Lambda cold start imports its handler's closure: the deploy-time IAM renderer and the catalogue
    (which renders routes, Terraform variables and policies) have no place in it."""
    graph = import_graph()
    for handler in (m for m in graph if m.startswith("functions.")):
        seen, todo = set(), [handler]
        while todo:
            module = todo.pop()
            if module not in seen:
                seen.add(module)
                todo += graph[module]
        reached = sorted(m for m in seen if m.split(".")[0] in {"iam", "catalogue"})
        assert not reached, f"{handler} reaches {reached}"


def test_the_authorizer_reaches_the_key_check_and_not_the_admin_code() -> None:
    """Every request's authorizer loads ``tenants.auth`` (the key check and the domain's rules it
    uses), never the admin use cases, onboarding or the usage plans beside them."""
    graph = import_graph()
    seen, todo = set(), ["functions.authorizer"]
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo += graph[module]
    assert "tenants.auth" in seen
    assert sorted(m for m in seen if m.startswith("tenants.") and m != "tenants.auth") == []
