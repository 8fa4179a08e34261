"""What `terraform validate` would catch first, offline: every reference names something declared.

Each module's ``var.*``, ``local.*``, ``module.<call>.<output>``, ``data.<type>.<name>`` and
``<resource type>.<name>`` references are checked against what the module (or the called module)
declares, so a typo or a renamed output fails here rather than at the first plan in CI.
"""

from __future__ import annotations

import re

import pytest

from .hcl import Module, all_modules, load_module

REFERENCE = {
    "var": re.compile(r"(?<![\w.])var\.([A-Za-z_][\w-]*)"),
    "local": re.compile(r"(?<![\w.])local\.([A-Za-z_][\w-]*)"),
    "module": re.compile(r"(?<![\w.])module\.([A-Za-z_][\w-]*)(?:\[[^\]]*\])?(?:\.([A-Za-z_][\w-]*))?"),
    "data": re.compile(r"(?<![\w.])data\.([a-z][\w]*)\.([A-Za-z_][\w-]*)"),
    "resource": re.compile(r"(?<![\w.\"/-])((?:aws|kubernetes)_[a-z0-9_]+)\.([A-Za-z_][\w-]*)"),
}


def code(module: Module) -> str:
    """The module's .tf text without comment lines."""
    lines: list[str] = []
    for file in sorted(module.path.glob("*.tf")):
        lines.extend(
            line for line in file.read_text(encoding="utf-8").splitlines() if not line.strip().startswith("#")
        )
    return "\n".join(lines)


MODULES = all_modules()


@pytest.mark.parametrize("module", MODULES, ids=[m.name for m in MODULES])
def test_references_resolve(module: Module) -> None:
    text = code(module)
    problems: list[str] = []
    for name in set(REFERENCE["var"].findall(text)) - set(module.variables):
        problems.append(f"var.{name} is not declared")
    for name in set(REFERENCE["local"].findall(text)) - set(module.locals):
        problems.append(f"local.{name} is not defined")
    for call, output in set(REFERENCE["module"].findall(text)):
        if call not in module.module_calls:
            problems.append(f"module.{call} is not called")
            continue
        if output and output not in module.source_of(call).outputs:
            problems.append(
                f"module.{call}.{output} is not an output of {module.module_calls[call]['source']}"
            )
    for kind, name in set(REFERENCE["data"].findall(text)):
        if (kind, name) not in module.data:
            problems.append(f"data.{kind}.{name} is not declared")
    for kind, name in set(REFERENCE["resource"].findall(text)):
        if (kind, name) not in module.resources:
            problems.append(f"{kind}.{name} is not declared")
    assert not problems, problems


def test_the_checker_sees_references() -> None:
    """Guards the regular expressions: the root module must yield references of every kind."""
    root = load_module(next(m.path for m in MODULES if m.path.name == "terraform"))
    text = code(root)
    for kind, pattern in REFERENCE.items():
        assert pattern.findall(text), kind
