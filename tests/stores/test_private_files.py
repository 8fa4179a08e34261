"""The SQLite store's files hold guest names, personal data: only their owner may read them."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from reservations.settings import Settings
from reservations.stores import open_registry, open_store
from reservations.tenants.admin import Tenants


def test_data_folders_are_0700_and_files_0600_whatever_the_umask(tmp_path: Path):
    data = tmp_path / "home" / "data"
    settings = Settings(store="sqlite", data_dir=data)
    previous = os.umask(0o022)  # the usual one, which would leave both readable by everyone
    try:
        registry, store = open_registry(settings), open_store(settings)
        try:
            Tenants(registry, store, settings).create("star")
        finally:
            registry.close()
            store.close()
    finally:
        os.umask(previous)
    folders = [tmp_path / "home", data, *(p for p in data.rglob("*") if p.is_dir())]
    files = [p for p in data.rglob("*") if p.is_file()]
    assert {"registry.sqlite3", "star-reservations.sqlite3"} <= {p.name for p in files}
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in folders} == {p.name: 0o700 for p in folders}
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in files} == {p.name: 0o600 for p in files}
