"""``reservations tenants`` as an operator runs it: keys shown once, stored hashed, clear refusals."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


def tenants(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reservations", "tenants", *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "XDG_CONFIG_HOME": str(data_dir / "config")},
    )


@pytest.mark.slow
def test_create_list_rotate_delete(tmp_path: Path):
    created = tenants(tmp_path, "create", "Star-Hotel", "--json")
    assert created.returncode == 0, created.stderr
    first = json.loads(created.stdout)
    assert first["customer"] == "star-hotel"
    assert first["api_key"].startswith("rsv_")

    with sqlite3.connect(tmp_path / "registry.sqlite3") as conn:
        stored = " ".join(str(v) for row in conn.execute("SELECT * FROM api_keys") for v in row)
    assert first["api_key"] not in stored  # only the hash is kept

    listed = tenants(tmp_path, "list", "--json")
    (entry,) = json.loads(listed.stdout)
    assert entry["customer"] == "star-hotel"
    assert entry["table"] == "star-hotel-reservations"
    assert first["api_key"] not in listed.stdout

    rotated = tenants(tmp_path, "rotate-key", "star-hotel", "--json")
    second = json.loads(rotated.stdout)["api_key"]
    assert second != first["api_key"]
    relisted = json.loads(tenants(tmp_path, "list", "--json").stdout)
    assert len(relisted[0]["key_ids"]) == 1
    assert relisted[0]["key_ids"] != entry["key_ids"]

    refused = tenants(tmp_path, "delete", "star-hotel")
    assert refused.returncode == 2
    assert "--yes" in refused.stderr
    deleted = tenants(tmp_path, "delete", "star-hotel", "--yes")
    assert deleted.returncode == 0
    assert not (tmp_path / "tables" / "star-hotel-reservations.sqlite3").exists()
    assert json.loads(tenants(tmp_path, "list", "--json").stdout) == []


@pytest.mark.parametrize("name", ["a", "star!", "star_hotel", "x" * 41, "../etc", "stär"])
def test_bad_names_are_one_line_and_exit_1(tmp_path: Path, name: str):
    result = tenants(tmp_path, "create", name)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "tables").exists() or not any((tmp_path / "tables").iterdir())


@pytest.mark.slow
def test_duplicate_and_unknown_customers_are_refused(tmp_path: Path):
    assert tenants(tmp_path, "create", "moon").returncode == 0
    again = tenants(tmp_path, "create", "moon")
    assert again.returncode == 1
    assert "already exists" in again.stderr
    missing = tenants(tmp_path, "rotate-key", "ghost")
    assert missing.returncode == 1
    assert "ghost" in missing.stderr


def test_custom_domains_are_registered_with_the_customer_and_go_with_it(tmp_path: Path) -> None:
    """``create --host`` and ``hosts add/remove/list``: what the edge's sync reads (issue #23, goal 5)."""
    created = tenants(tmp_path, "create", "star", "--host", "Book.Star-Hotel.example.", "--json")
    assert created.returncode == 0, created.stderr
    assert tenants(tmp_path, "create", "moon").returncode == 0
    added = tenants(tmp_path, "hosts", "add", "moon", "moon.example.org", "rooms.moon.example.org")
    assert added.returncode == 0, added.stderr
    again = tenants(tmp_path, "hosts", "add", "moon", "moon.example.org")
    assert again.returncode == 0
    assert "already mapped" in again.stdout

    listed = tenants(tmp_path, "hosts", "list", "--json")
    assert json.loads(listed.stdout) == {
        "book.star-hotel.example": "star",
        "moon.example.org": "moon",
        "rooms.moon.example.org": "moon",
    }

    for refused, needle in (
        (("hosts", "add", "moon", "book.star-hotel.example"), "belongs to customer 'star'"),
        (("hosts", "add", "moon", "bad_host.example"), "not a fully qualified host name"),
        (("hosts", "add", "moon", "localhost"), "not a fully qualified host name"),
        (("hosts", "add", "nobody", "nobody.example.org"), "no customer named 'nobody'"),
        (("hosts", "remove", "unknown.example.org"), "no customer has host"),
        (("create", "sun", "--host", "sun..example"), "not a fully qualified host name"),
    ):
        done = tenants(tmp_path, *refused)
        assert done.returncode == 1, (refused, done.stdout)
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert needle in done.stderr
    assert "sun" not in tenants(tmp_path, "list").stdout  # a refused host made no customer

    removed = tenants(tmp_path, "hosts", "remove", "rooms.moon.example.org")
    assert removed.stdout.strip() == "rooms.moon.example.org -> moon (removed)"
    assert tenants(tmp_path, "delete", "star", "--yes").returncode == 0
    assert json.loads(tenants(tmp_path, "hosts", "list", "--json").stdout) == {"moon.example.org": "moon"}
