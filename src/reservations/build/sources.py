"""Which of the package's own files a function needs: the import closure of its handler module.

Read from the source with ``ast`` (every ``import`` statement, including the lazy ones inside
functions and under ``TYPE_CHECKING``), never by importing: a zip then carries the code its handler
can reach and nothing of the CLI, the gateway or the web page.  A module loaded by a computed name
(``importlib.import_module(variable)``) would be missed; the test that runs each handler from its
extracted zip in an empty venv is what catches that.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = "reservations"
_SKIP_SUFFIXES = (".pyc", ".pyo")


class SourceError(Exception):
    """The handler module, or a module it imports, is not in the checkout."""


def _module_file(package_dir: Path, module: str) -> Path | None:
    """The file of ``reservations.x.y`` under ``package_dir`` (the ``reservations`` directory)."""
    parts = module.split(".")[1:]
    base = package_dir.joinpath(*parts)
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    if base.with_suffix(".py").is_file() and parts:
        return base.with_suffix(".py")
    if not parts and (package_dir / "__init__.py").is_file():
        return package_dir / "__init__.py"
    return None


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def _imports(path: Path, module: str) -> set[str]:
    """Every absolute module name that ``module`` (stored at ``path``) may import."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError, ValueError) as error:
        raise SourceError(f"cannot parse {module}: {error}") from error
    package = module if _is_package(path) else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            names.add(base)
            # ``from pkg import name`` may name a submodule.
            names.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    return {name for name in names if name == PACKAGE or name.startswith(PACKAGE + ".")}


def closure(package_dir: Path, module: str) -> dict[str, Path]:
    """Module name -> file, for ``module``, its parent packages and everything they import."""
    if _module_file(package_dir, module) is None:
        raise SourceError(f"handler module {module} is not in {package_dir}")
    found: dict[str, Path] = {}
    pending = [module]
    while pending:
        name = pending.pop()
        if name in found:
            continue
        path = _module_file(package_dir, name)
        if path is None:
            continue  # ``from pkg import some_function``: not a module
        found[name] = path
        parts = name.split(".")
        pending.extend(".".join(parts[:i]) for i in range(1, len(parts)))
        pending.extend(_imports(path, name))
    return found


def package_files(package_dir: Path, module: str) -> dict[str, Path]:
    """Zip entry name -> file: the closure's modules plus the data files beside its packages.

    Data files (``py.typed``, an ``openapi.json``) are taken only from directories that hold an
    included package, never from plain sub-directories such as the web page's.
    """
    modules = closure(package_dir, module)
    files: dict[str, Path] = {}
    root = package_dir.parent
    package_dirs: set[Path] = set()
    for path in modules.values():
        files[path.relative_to(root).as_posix()] = path
        if _is_package(path):
            package_dirs.add(path.parent)
    for directory in package_dirs:
        for item in directory.iterdir():
            if (
                item.is_file()
                and item.suffix != ".py"
                and not item.name.startswith(".")
                and not item.name.endswith(_SKIP_SUFFIXES)
            ):
                files[item.relative_to(root).as_posix()] = item
    return dict(sorted(files.items()))
