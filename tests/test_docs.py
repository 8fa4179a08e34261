"""The README and docs/ run as written: every command block, against a fresh ``reservations serve``.

Each Markdown file's ``sh`` and ``python`` blocks are run in order, as one bash script
(``set -euo pipefail``; a ``python`` block through ``python -``), from the repository root with
``.venv/bin`` first on the PATH (as after ``source .venv/bin/activate``) and stdin empty.  Every file gets its own server on a free port
with empty data and config directories (``XDG_DATA_HOME``, ``XDG_CONFIG_HOME``), so its first start
creates the demo customer and writes the ``local`` profile exactly as ``make run`` does for a
newcomer.  Two placeholders are filled in, nothing else: ``127.0.0.1:8080`` becomes the free
port, and ``rsv_...`` the demo key that start printed.

A block that cannot run here says so in its info string, and only for these reasons:

* ``sh aws``: needs an AWS account (or Docker, kubectl, Terraform Cloud).
* ``sh foreground``: starts a server that runs until Ctrl-C (``make run``, ``reservations edge run``);
  the test starts its own.
* ``sh suite``: the test suite or the benchmarks themselves (``make test``, ``make bench``).
* ``sh slow``: downloads Lambda wheels from PyPI (``reservations build``); ``tests/build`` builds
  every function.

Any other language (``text``, ``toml``, ``json``, ``hcl``, ``mermaid``) is not a command.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from reservations import catalogue
from tests.support import processes
from tests.support.server import free_port, wait_healthy

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
RUN = {"sh", "bash", "python"}
SKIP_REASONS = {"aws", "foreground", "suite", "slow"}
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Block:
    language: str
    marks: tuple[str, ...]
    code: str
    line: int


def blocks(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        words = match.group(1).split()
        language = words[0] if words else ""
        line = text.count("\n", 0, match.start()) + 1
        found.append(Block(language, tuple(words[1:]), match.group(2), line))
    return found


def runnable(path: Path) -> list[Block]:
    return [b for b in blocks(path) if b.language in RUN and not b.marks]


@pytest.mark.parametrize("path", DOCS, ids=[p.relative_to(ROOT).as_posix() for p in DOCS])
def test_every_block_is_a_command_or_says_why_not(path: Path) -> None:
    for block in blocks(path):
        assert block.language, f"{path.name}:{block.line}: a code block without a language"
        if block.language in RUN:
            unknown = set(block.marks) - SKIP_REASONS
            assert not unknown, f"{path.name}:{block.line}: unknown mark {unknown} (allowed: {SKIP_REASONS})"
        if block.language == "console":
            pytest.fail(f"{path.name}:{block.line}: write commands as `sh` and their output as `text`")


def _start_serve(tmp: Path, port: int) -> tuple[subprocess.Popen[bytes], Path, str]:
    env = _env(tmp)
    log = tmp / "serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "reservations"), "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its workers share its group, which processes.stop() ends whole
        )
    wait_healthy(f"http://127.0.0.1:{port}", process, log, timeout_s=60)
    key = re.search(r"rsv_[A-Za-z0-9_-]+", log.read_text())
    assert key is not None, log.read_text()
    return process, log, key.group()


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESERVATIONS_")}
    env.update(
        {
            "PATH": f"{ROOT / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}",
            "XDG_CONFIG_HOME": str(tmp / "config"),
            "XDG_DATA_HOME": str(tmp / "data"),
            "COLUMNS": "120",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _fill(code: str, port: int, key: str) -> str:
    return code.replace("127.0.0.1:8080", f"127.0.0.1:{port}").replace("rsv_...", key)


DOCS_WITH_COMMANDS = [p for p in DOCS if runnable(p)]


@pytest.mark.slow
@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "reservations").exists(), reason="needs `make install`")
@pytest.mark.parametrize(
    "path", DOCS_WITH_COMMANDS, ids=[p.relative_to(ROOT).as_posix() for p in DOCS_WITH_COMMANDS]
)
def test_the_commands_run_as_written(path: Path, tmp_path: Path) -> None:
    port = free_port()
    process, log, key = _start_serve(tmp_path, port)
    script = ["set -euo pipefail"]
    for block in runnable(path):
        code = _fill(block.code, port, key)
        script.append(f"echo '== {path.relative_to(ROOT)}:{block.line}' >&2")
        if block.language == "python":
            script.append(f"python - <<'PYTHON_BLOCK'\n{code}PYTHON_BLOCK")
        else:
            script.append(code)
    try:
        done = subprocess.run(
            ["bash", "-c", "\n".join(script)],
            cwd=ROOT,
            env={**_env(tmp_path), "RESERVATIONS_API_KEY": key, "KEY": key},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=600,
        )
        failed_in = done.stderr.rsplit("== ", 1)[-1].splitlines()[0] if "== " in done.stderr else "?"
        assert done.returncode == 0, f"{failed_in} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr, done.stderr
    finally:
        processes.stop(process)
    assert "Traceback" not in log.read_text()


def test_the_readme_is_a_front_page() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 300
    for heading in ("## Quickstart", "## A five-minute tour", "## Troubleshooting"):
        assert heading in text
    quickstart = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    commands = [
        line.split("#")[0].strip()
        for b in FENCE.finditer(quickstart)
        for line in b.group(2).splitlines()
        if line.strip()
    ]
    assert commands == ["make run", "make test"]
    intro = text.split("\n## ", 1)[0]
    missing = [f.name for f in catalogue.FUNCTIONS if f"`{f.name}`" not in intro]
    assert not missing, f"the README's intro does not name {missing}"


# Guides another branch writes (remove an entry once it is merged).
PENDING: dict[str, str] = {}


def test_links_between_docs_resolve() -> None:
    for path in DOCS:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", path.read_text(encoding="utf-8")):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            resolved = (path.parent / target).resolve()
            if not resolved.exists() and resolved.relative_to(ROOT).as_posix() in PENDING:
                continue
            assert resolved.exists(), f"{path.relative_to(ROOT)} links to missing {target}"


def test_runnable_blocks_use_relative_dates() -> None:
    """A fixed date in an example expires (or collides with the one before): compute it instead."""
    for path in DOCS:
        for block in runnable(path):
            fixed = re.findall(r"\b20\d\d-\d\d-\d\d", block.code)
            assert not fixed, f"{path.name}:{block.line} uses fixed dates {fixed}"
