"""The cells' directory (issue #24), one contract on every real adapter: SQLite and DynamoDB (moto's
server over HTTP).  The edge relies on three things: a customer is in one cell, a move is marked and
then switched (never half of each), and the version moves with every change, so a poll sees it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reservations.cells.config import open_directory
from reservations.domain.errors import NotFoundError, ValidationError
from reservations.settings import Settings
from reservations.stores.directory import Directory, Placement


@pytest.fixture
def directory(settings: Settings) -> Iterator[Directory]:
    opened = open_directory(settings)
    opened.ensure_table()
    try:
        yield opened
    finally:
        opened.close()


def test_a_customer_is_placed_in_one_cell(directory: Directory) -> None:
    start = directory.version()
    assert directory.placement("star") is None
    assert directory.place("star", "c1") is True
    assert directory.place("star", "c1") is False  # a rerun: nothing changes
    with pytest.raises(ValidationError, match="is in cell 'c1'"):
        directory.place("star", "c2")
    directory.place("moon", "c2")
    assert directory.placement("star") == Placement("star", "c1")
    assert directory.placements() == [Placement("moon", "c2"), Placement("star", "c1")]
    assert directory.version() == start + 2  # refusals and reruns change nothing


def test_a_move_is_marked_then_switched(directory: Directory) -> None:
    directory.place("star", "c1")
    before = directory.version()

    assert directory.begin_move("star", "c2") == Placement("star", "c1", "c2")
    assert directory.begin_move("star", "c2") == Placement("star", "c1", "c2")  # a rerun
    assert directory.placement("star") == Placement("star", "c1", "c2")
    with pytest.raises(ValidationError, match="moving to 'c2'"):
        directory.begin_move("star", "c3")
    assert directory.version() > before

    marked = directory.version()
    assert directory.finish_move("star") == Placement("star", "c2")
    assert directory.placement("star") == Placement("star", "c2")
    assert directory.version() > marked
    with pytest.raises(ValidationError, match="not moving"):
        directory.finish_move("star")
    with pytest.raises(ValidationError, match="already"):
        directory.begin_move("star", "c2")
    with pytest.raises(NotFoundError):
        directory.begin_move("nobody", "c2")


def test_hosts_name_placed_customers_and_go_with_them(directory: Directory) -> None:
    directory.place("star", "c1")
    directory.place("moon", "c2")
    assert directory.add_host("book.star-hotel.com", "star") is True
    assert directory.add_host("book.star-hotel.com", "star") is False
    directory.add_host("moon.example.org", "moon")
    with pytest.raises(ValidationError, match="belongs to customer 'star'"):
        directory.add_host("book.star-hotel.com", "moon")
    with pytest.raises(NotFoundError):
        directory.add_host("nobody.example.org", "nobody")
    assert directory.hosts() == {"book.star-hotel.com": "star", "moon.example.org": "moon"}

    assert directory.remove_host("moon.example.org") == "moon"
    with pytest.raises(NotFoundError):
        directory.remove_host("moon.example.org")

    before = directory.version()
    directory.remove("star")
    assert directory.version() > before
    assert directory.placement("star") is None
    assert directory.hosts() == {}
    with pytest.raises(NotFoundError):
        directory.remove("star")
    assert [p.customer for p in directory.placements()] == ["moon"]
