"""Reads the Terraform configuration with python-hcl2 into plain dictionaries, one per module.

No Terraform binary or provider can be installed where the tests run, so the structural checks work
on the parsed files: labels and strings with their quotes stripped, expressions kept as ``${...}``
text, blocks as lists of dictionaries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import hcl2
from hcl2 import SerializationOptions

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM = ROOT / "terraform"
OPTIONS = SerializationOptions(strip_string_quotes=True, explicit_blocks=False)
META_ARGUMENTS = frozenset({"source", "version", "for_each", "count", "depends_on", "providers"})


@dataclass
class Module:
    path: Path
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    resources: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    data: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    module_calls: dict[str, dict[str, Any]] = field(default_factory=dict)
    terraform: list[dict[str, Any]] = field(default_factory=list)
    providers: list[dict[str, Any]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.path.relative_to(ROOT))

    def resource(self, kind: str, name: str) -> dict[str, Any]:
        return self.resources[(kind, name)]

    def source_of(self, call: str) -> Module:
        return load_module((self.path / self.module_calls[call]["source"]).resolve())


def tf_files() -> list[Path]:
    return sorted(p for p in TERRAFORM.rglob("*.tf") if ".terraform" not in p.parts)


def _without_comments(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_comments(v) for k, v in value.items() if k != "__comments__"}
    if isinstance(value, list):
        return [_without_comments(v) for v in value]
    return value


@cache
def parse_file(path: Path) -> dict[str, Any]:
    """One file, comments dropped (python-hcl2 keeps them under ``__comments__``)."""
    parsed = hcl2.loads(path.read_text(encoding="utf-8"), serialization_options=OPTIONS)
    result: dict[str, Any] = _without_comments(parsed)
    return result


@cache
def load_module(path: Path) -> Module:
    module = Module(path=path)
    for file in sorted(path.glob("*.tf")):
        parsed = parse_file(file)
        for block in parsed.get("variable", []):
            module.variables.update(block)
        for block in parsed.get("output", []):
            module.outputs.update(block)
        for block in parsed.get("locals", []):
            module.locals.update(block)
        for block in parsed.get("module", []):
            module.module_calls.update(block)
        for kind_blocks, target in (
            (parsed.get("resource", []), module.resources),
            (parsed.get("data", []), module.data),
        ):
            for block in kind_blocks:
                for kind, named in block.items():
                    for name, body in named.items():
                        target[(kind, name)] = body
        module.terraform.extend(parsed.get("terraform", []))
        module.providers.extend(parsed.get("provider", []))
    return module


def module_dirs() -> list[Path]:
    """Every directory holding .tf files: the cell root, each module and each example."""
    return sorted({p.parent for p in tf_files()})


def all_modules() -> list[Module]:
    return [load_module(d) for d in module_dirs()]


def root() -> Module:
    """The main configuration: the cell module every cell's root (terraform/cell) and example calls."""
    return load_module(TERRAFORM / "modules" / "cell")


def cell_root() -> Module:
    """The root one cell applies: its provider, the module call, the migration blocks."""
    return load_module(TERRAFORM / "cell")


def child(name: str) -> Module:
    return load_module(TERRAFORM / "modules" / name)


def expression(value: Any) -> str:
    """The text of an interpolation-only expression: ``"${var.x}"`` -> ``"var.x"``."""
    assert isinstance(value, str), value
    match = re.fullmatch(r"\$\{(.*)\}", value, flags=re.S)
    return match.group(1) if match else value


def blocks(body: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """Static and ``dynamic`` blocks of one type (a dynamic block's ``content``)."""
    found: list[dict[str, Any]] = list(body.get(name, []))
    for dynamic in body.get("dynamic", []):
        if name in dynamic:
            found.extend(dynamic[name]["content"])
    return found
