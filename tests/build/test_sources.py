"""The import closure that decides which of the package's own modules a function zip carries."""

from __future__ import annotations

from pathlib import Path

import pytest

from reservations.build.sources import SourceError, package_files


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "reservations"


def test_closure_follows_absolute_relative_and_lazy_imports(tmp_path: Path) -> None:
    package = _write(
        tmp_path,
        {
            "reservations/__init__.py": "",
            "reservations/py.typed": "",
            "reservations/openapi.json": "{}",
            "reservations/web/index.html": "<html>",
            "reservations/functions/__init__.py": "",
            "reservations/functions/list.py": "from . import http\nfrom ..stores import open_store\n",
            "reservations/functions/http.py": "from reservations.domain import Thing\n",
            "reservations/domain.py": "import json\n",
            "reservations/stores/__init__.py": "def open_store():\n    from reservations.stores.dynamo import X\n",
            "reservations/stores/dynamo.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    from reservations.settings import S\n",
            "reservations/settings.py": "",
            "reservations/cli.py": "import reservations.functions.list\n",
            "reservations/gateway/__init__.py": "",
        },
    )
    files = package_files(package, "reservations.functions.list")
    assert list(files) == [
        "reservations/__init__.py",
        "reservations/domain.py",
        "reservations/functions/__init__.py",
        "reservations/functions/http.py",
        "reservations/functions/list.py",
        "reservations/openapi.json",
        "reservations/py.typed",
        "reservations/settings.py",
        "reservations/stores/__init__.py",
        "reservations/stores/dynamo.py",
    ]


def test_a_missing_handler_module_is_an_error(tmp_path: Path) -> None:
    package = _write(tmp_path, {"reservations/__init__.py": "", "reservations/functions/__init__.py": ""})
    with pytest.raises(SourceError, match=r"reservations\.functions\.nope"):
        package_files(package, "reservations.functions.nope")


def test_a_syntax_error_is_reported_not_raised_raw(tmp_path: Path) -> None:
    package = _write(tmp_path, {"reservations/__init__.py": "def (:\n"})
    with pytest.raises(SourceError, match="cannot parse"):
        package_files(package, "reservations")
