"""The edge's view of the directory (issue #24): routed by customer or custom domain, writes refused
while the customer switches cells, and the last known map kept when the directory cannot be read."""

from __future__ import annotations

from reservations.cells.config import open_directory
from reservations.cells.routing import DirectoryMap, MapCache, Route, route
from reservations.settings import Settings
from tests.support.aws import running_moto


def test_requests_follow_the_directory_and_writes_wait_during_a_switch() -> None:
    known = DirectoryMap(
        1, {"star": "c1", "moon": "c2"}, frozenset({"moon"}), {"book.star-hotel.com": "star"}
    )
    assert known.customer(" Star ", None) == "star"
    assert known.customer(None, "Book.Star-Hotel.com:8080") == "star"
    assert known.customer(None, "elsewhere.example.org") is None
    assert known.customer("not a name!", None) is None
    # On a custom domain the domain names the customer, whatever the header claims (as nginx does).
    assert known.customer("moon", "book.star-hotel.com") == "star"
    assert known.customer("moon", "elsewhere.example.org") == "moon"
    assert route(known, "star", "POST") == Route("c1")
    assert route(known, "moon", "GET") == Route("c2")
    assert route(known, "moon", "PATCH") == Route("c2", refuse_write=True)
    assert route(known, "nobody", "GET") == Route(None)


def test_the_last_known_map_keeps_serving_while_the_directory_is_unreachable() -> None:
    now = [0.0]
    with running_moto() as endpoint:
        directory = open_directory(
            Settings(store="dynamodb", dynamodb_endpoint=endpoint, table_prefix="edge_")
        )
        directory.ensure_table()
        directory.place("star", "c1")
        cache = MapCache(directory, poll_s=1.0, clock=lambda: now[0])
        assert cache.current().cells == {"star": "c1"}
        directory.place("moon", "c2")
        assert cache.current().cells == {"star": "c1"}  # not polled again yet
        now[0] += 1
        assert cache.current().cells == {"star": "c1", "moon": "c2"}
    # moto's server is gone: the directory cannot be read
    now[0] += 1
    assert cache.current().cells == {"star": "c1", "moon": "c2"}
    assert cache.failures == 1
