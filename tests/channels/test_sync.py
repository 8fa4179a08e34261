"""The sync against real .ics files served on loopback, on every store."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from reservations.channels.calendar import CalendarUpdate
from reservations.channels.fetch import FetchPolicy, fetch
from reservations.channels.sync import MESSAGE, ChannelSync
from reservations.domain.blocks import ConflictingBlockError
from reservations.domain.parsing import now_utc
from reservations.domain.reservation import NewReservation
from reservations.domain.rooms import Availability, Room
from reservations.settings import Settings
from reservations.stores.protocols import Registry, Store
from tests.channels.feeds import FeedServer, airbnb_ics, booking_ics, feed_server

DAY = now_utc().date() + timedelta(days=30)
LOCAL = FetchPolicy(allow_http=True, allow_private=True, timeout_s=2, deadline_s=2)


def days(start: int, end: int) -> tuple[date, date]:
    return DAY + timedelta(days=start), DAY + timedelta(days=end)


def held_by_blocks(store: Store, table: str) -> set[tuple[int, str, str]]:
    return {(b.room_number, b.check_in.isoformat(), b.check_out.isoformat()) for b in store.blocks(table)}


def span(start: int, end: int) -> tuple[int, str, str]:
    return (101, (DAY + timedelta(days=start)).isoformat(), (DAY + timedelta(days=end)).isoformat())


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with feed_server() as running:
        yield running


@pytest.fixture
def table(opened: tuple[Store, Registry]) -> str:
    """Customer ``star``'s table, with rooms 101 and 102."""
    store, registry = opened
    record = registry.get_customer("star")
    assert record is not None
    store.put_room(record.table, Room(101))
    store.put_room(record.table, Room(102))
    return record.table


def imports(store: Store, table: str, feeds: list[str]) -> None:
    store.set_calendar(table, 101, CalendarUpdate(imports=tuple(feeds)))


def sync(opened: tuple[Store, Registry]) -> ChannelSync:
    store, registry = opened
    return ChannelSync(store, registry, lambda url: fetch(url, LOCAL))


def test_events_become_blocks_move_and_vanish(
    opened: tuple[Store, Registry], server: FeedServer, table: str
) -> None:
    store, _ = opened
    url = server.serve_ics("/airbnb.ics", airbnb_ics([("e1", *days(0, 3)), ("e2", *days(10, 12))]))
    imports(store, table, [url])
    [room] = sync(opened).run("star")
    assert (room.feeds[0].events, room.feeds[0].blocked, room.feeds[0].error) == (2, 2, None)
    assert held_by_blocks(store, table) == {span(0, 3), span(10, 12)}
    assert store.free_rooms(table, Availability(DAY, 1)) == [102]
    with pytest.raises(ConflictingBlockError):
        store.add(table, NewReservation("Ada", 101, 1, DAY), created_at=now_utc())

    server.serve_ics("/airbnb.ics", airbnb_ics([("e1", *days(4, 6))]))
    [room] = sync(opened).run("star")
    assert (room.feeds[0].blocked, room.feeds[0].released) == (1, 2)
    assert held_by_blocks(store, table) == {span(4, 6)}
    store.add(table, NewReservation("Ada", 101, 3, DAY), created_at=now_utc())  # freed: bookable again
    status = store.calendars(table, [101])[0].status[url]
    assert (status["events"], status["conflicts"], status["error"]) == (1, [], None)


def test_a_conflicting_event_is_reported_and_changes_nothing(
    opened: tuple[Store, Registry], server: FeedServer, table: str, caplog: pytest.LogCaptureFixture
) -> None:
    store, _ = opened
    url = server.serve_ics("/booking.ics", booking_ics([("b1", *days(19, 22)), ("b2", *days(25, 26))]))
    imports(store, table, [url])
    sold = store.add(table, NewReservation("Ada", 101, 1, DAY + timedelta(days=20)), created_at=now_utc())
    with caplog.at_level(logging.INFO, logger="reservations.channels"):
        [room] = sync(opened).run("star")
    [conflict] = room.feeds[0].conflicts
    assert (conflict["uid"], conflict["check_in"]) == ("b1", (DAY + timedelta(days=19)).isoformat())
    assert held_by_blocks(store, table) == {span(25, 26)}
    assert store.get(table, sold.reservation.reservation_id) == sold.reservation
    assert store.taken_nights(table, 101, *days(19, 22)) == {
        DAY + timedelta(days=20): sold.reservation.reservation_id
    }
    [line] = [r for r in caplog.records if r.getMessage() == MESSAGE]
    assert (line.conflicts, line.feed, line.room_number) == (1, "127.0.0.1", 101)  # type: ignore[attr-defined]
    assert store.calendars(table, [101])[0].status[url]["conflicts"] == [conflict]


def test_one_bad_feed_never_stops_the_others_nor_loses_its_blocks(
    opened: tuple[Store, Registry], server: FeedServer, table: str
) -> None:
    store, _ = opened
    good = server.serve_ics("/good.ics", airbnb_ics([("g1", *days(0, 2))]))
    flaky = server.serve_ics("/flaky.ics", airbnb_ics([("f1", *days(5, 7))]))
    imports(store, table, [flaky, server.url + "/missing.ics", good])
    sync(opened).run("star")
    assert held_by_blocks(store, table) == {span(0, 2), span(5, 7)}

    server.serve_ics("/flaky.ics", b"BEGIN:VCALENDAR\r\nDTSTART:garbage")
    [room] = sync(opened).run("star")
    errors = {feed.url: feed.error for feed in room.feeds}
    assert errors[good] is None
    assert errors[flaky] is not None
    assert "HTTP 404" in str(errors[server.url + "/missing.ics"])
    assert held_by_blocks(store, table) == {span(0, 2), span(5, 7)}  # a broken feed keeps its nights

    store.set_calendar(table, 101, CalendarUpdate(imports=(good,)))  # no longer imported: let go
    sync(opened).run("star")
    assert held_by_blocks(store, table) == {span(0, 2)}


def test_blocks_a_removed_room_left_behind_are_released_by_the_next_sync(
    opened: tuple[Store, Registry], settings: Settings, server: FeedServer, table: str
) -> None:
    """In DynamoDB a room's removal frees its blocks after its transaction (a room's blocks do not fit
    in one): a crash in between leaves blocks of a room without a calendar, which the sync releases."""
    store, _ = opened
    url = server.serve_ics("/airbnb.ics", airbnb_ics([("e1", *days(0, 3))]))
    imports(store, table, [url])
    store.set_calendar(table, 102, CalendarUpdate(imports=(url,)))
    sync(opened).run("star")
    assert {b.room_number for b in store.blocks(table)} == {101, 102}
    _crash_after_removing(settings, table, 101)
    sync(opened).run("star")
    assert {b.room_number for b in store.blocks(table)} == {102}
    assert store.taken_nights(table, 101, DAY, DAY + timedelta(days=5)) == {}


def _crash_after_removing(settings: Settings, table: str, room: int) -> None:
    """The room and its calendar gone (the store's documented layouts), its blocks not yet."""
    if settings.store == "sqlite":
        with sqlite3.connect(settings.data_dir / "tables" / f"{table}.sqlite3") as conn:
            conn.execute("DELETE FROM rooms WHERE room_number = ?", (room,))
            conn.execute("DELETE FROM room_calendars WHERE room_number = ?", (room,))
        return
    import boto3

    from reservations.stores import dynamodb_channels, dynamodb_items

    client = boto3.client("dynamodb", endpoint_url=settings.dynamodb_endpoint, region_name="us-east-1")
    client.delete_item(TableName=table, Key=dynamodb_items.room_key(room))
    client.delete_item(TableName=table, Key=dynamodb_channels.calendar_key(room))
    client.close()
