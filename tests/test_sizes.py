"""No module over 400 lines and no function over 60 without a stated reason, read from the source.

A module's length is its lines.  A function's length is its body's, docstring included, from the
first line after the signature to the last: a command's flags are its signature, one declaration a
line, and they read as a table, not as logic.  A longer function passes when its docstring says
why it is one piece (a paragraph starting "Long because"), or, for a command whose docstring is its
``--help``, when it is listed below with that reason.  An entry that is no longer long fails, so the
lists only shrink.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "reservations"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
REASON = "Long because"

LONG_MODULES: dict[str, str] = {}

# Commands, whose docstring is their --help (so the reason cannot go there).
LONG_FUNCTIONS: dict[str, str] = {
    "build/cli.py:build_function": "one command's steps in their order (resolve, build, check the size, "
    "upload, report), each reporting its own failure as one line and an exit status",
    "edge/cli.py:run": "starts nginx and, with hosts from the registry, the host sync beside it, and stops "
    "both on every exit path: the order of starts and stops is the point, read in one place",
}


def module_lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def long_functions(path: Path) -> dict[str, tuple[int, str]]:
    """``qualified name -> (body lines, docstring)`` of the functions over the limit in one module."""
    found = {}
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        size = (node.end_lineno or node.lineno) - node.body[0].lineno + 1
        if size > MAX_FUNCTION_LINES:
            names, up = [node.name], parents.get(node)
            while up is not None:
                if isinstance(up, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                    names.insert(0, up.name)
                up = parents.get(up)
            found[".".join(names)] = (size, ast.get_docstring(node) or "")
    return found


def _sources() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def test_no_module_is_over_the_limit() -> None:
    over = {
        str(p.relative_to(SRC)): module_lines(p) for p in _sources() if module_lines(p) > MAX_MODULE_LINES
    }
    unexplained = {name: lines for name, lines in over.items() if name not in LONG_MODULES}
    assert not unexplained, f"modules over {MAX_MODULE_LINES} lines (split them by concern): {unexplained}"
    assert sorted(set(LONG_MODULES) - set(over)) == [], "no longer long: delete from LONG_MODULES"


def test_no_page_script_is_over_the_limit() -> None:
    """The web page's modules too (web/js): one concern each, as the Python ones."""
    scripts = sorted((SRC.parents[1] / "web" / "js").glob("*.js"))
    assert scripts, "web/js holds no script"
    over = {p.name: module_lines(p) for p in scripts if module_lines(p) > MAX_MODULE_LINES}
    assert not over, f"page scripts over {MAX_MODULE_LINES} lines (split them by concern): {over}"


def test_no_function_is_over_the_limit_without_a_reason() -> None:
    found = {
        f"{path.relative_to(SRC)}:{name}": (size, doc)
        for path in _sources()
        for name, (size, doc) in long_functions(path).items()
    }
    unexplained = {
        name: size
        for name, (size, doc) in found.items()
        if name not in LONG_FUNCTIONS and not any(p.startswith(REASON) for p in doc.split("\n\n"))
    }
    assert not unexplained, (
        f"functions over {MAX_FUNCTION_LINES} lines without a reason (split them, or say in the "
        f"docstring, in a paragraph starting {REASON!r}, why they are one piece): {unexplained}"
    )
    assert sorted(set(LONG_FUNCTIONS) - set(found)) == [], "no longer long: delete from LONG_FUNCTIONS"


@pytest.mark.parametrize(
    ("docstring", "body", "flagged"),
    [
        ('"""Short."""', 58, False),
        ('"""Over."""', 60, True),
        ('"""Over.\n\n    Long because the steps read as one."""', 60, False),
    ],
)
def test_the_walker_finds_a_long_function_and_reads_its_reason(
    tmp_path: Path, docstring: str, body: int, flagged: bool
) -> None:
    """The check itself can fail: a function one line over, with and without its reason."""
    source = tmp_path / "sample.py"
    lines = "".join(f"    x{i} = {i}\n" for i in range(body))
    source.write_text(
        f"class Box:\n    def step(self) -> None:\n        {docstring}\n" + lines.replace("    ", "        ")
    )
    found = long_functions(source)
    explained = any(p.startswith(REASON) for _, doc in found.values() for p in doc.split("\n\n"))
    assert (bool(found) and not explained) is flagged
    if found:
        assert list(found) == ["Box.step"]
