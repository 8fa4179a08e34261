"""Each API function's and the authorizer's roles hold exactly the calls their code makes.

The handlers run in-process, wired as in AWS (DynamoDB on moto's server, tenant-scoped credentials
from STS), through every path: add, idempotent replay, double booking, list, read by id, delete,
delete of a missing id, the front desk (changes with and without rooms, rooms defined, renamed,
listed and removed, a removal refused, availability), a delete of a stay missing a night, and the
authorizer's allow and deny.  Every AWS call is recorded with the
botocore hook of ``tests/aws_calls.py``; what was called must equal what the catalogue declares as
called for that role, no more (the recorder already fails a test on more) and no less.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from reservations import wiring
from reservations.catalogue import FUNCTIONS
from reservations.channels.calendar import CalendarUpdate
from reservations.domain.blocks import NewBlock
from reservations.domain.parsing import now_utc, today_utc
from reservations.domain.reservation import NewReservation
from reservations.domain.rooms import RoomQuery
from reservations.functions import (
    add,
    authorizer,
    availability,
    calendar_feed,
    change,
    channel_sync,
    delete,
    delete_room,
    list_rooms,
    put_room,
    room_calendar,
)
from reservations.functions import list as list_function
from reservations.iam import role_grants
from reservations.settings import Settings
from reservations.stores import dynamodb_items as items
from reservations.stores.dynamodb_client import make_client
from reservations.tenants.admin import Tenants
from tests.aws_calls import RECORDER, undeclared
from tests.channels.feeds import airbnb_ics, feed_server
from tests.functions.test_handlers import authorizer_event, load
from tests.support.settings import store_settings

CHECKED = [f for f in FUNCTIONS if f.kind in ("api", "authorizer", "sync")]


@dataclass
class Deployment:
    settings: Settings
    keys: dict[str, str]

    def cold_start(self) -> None:
        """A fresh process, as each function has its own in AWS: nothing cached, no session held."""
        wiring.configure(self.settings)


@pytest.fixture
def deployment(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Deployment]:
    settings = store_settings("dynamodb", tmp_path, request)
    assert settings.tenant_role_arn
    wiring.configure(settings)
    registry = wiring.registry()
    registry.ensure_table()  # type: ignore[attr-defined]
    tenants = Tenants(registry, wiring.store(), settings)
    yield Deployment(settings, {name: tenants.create(name).api_key for name in ("star", "moon")})
    wiring.configure(Settings(store="sqlite", data_dir=tmp_path / "unused"))


def with_idempotency_key(event: dict[str, Any], key: str) -> dict[str, Any]:
    changed = copy.deepcopy(event)
    changed["headers"]["Idempotency-Key"] = key
    changed["multiValueHeaders"]["Idempotency-Key"] = [key]
    return changed


def exercise_every_path(deployment: Deployment) -> None:
    keys = deployment.keys
    deployment.cold_start()
    assert authorizer.handler(authorizer_event("star", keys["star"]), None)["principalId"] == "star"
    assert authorizer.handler(authorizer_event("moon", keys["star"]), None)["principalId"] == "anonymous"
    deployment.cold_start()
    event = load("rest_post_reservations.json")
    created = add.handler(copy.deepcopy(event), None)
    assert created["statusCode"] == 201
    assert add.handler(copy.deepcopy(event), None)["statusCode"] == 201  # replayed
    assert add.handler(with_idempotency_key(event, "another"), None)["statusCode"] == 409
    deployment.cold_start()
    listing = event | {"httpMethod": "GET", "body": None, "queryStringParameters": {"limit": "5"}}
    assert list_function.handler(listing, None)["statusCode"] == 200
    reservation_id = str(json.loads(created["body"])["reservation_id"])
    one = listing | {"resource": "/reservations/{id}", "pathParameters": {"id": reservation_id}}
    assert list_function.handler(one, None)["statusCode"] == 200
    deployment.cold_start()
    gone = one | {"httpMethod": "DELETE"}
    assert delete.handler(gone, None)["statusCode"] == 204
    assert delete.handler(gone, None)["statusCode"] == 404
    exercise_a_delete_through_damage(deployment, event, one)
    exercise_the_front_desk(deployment, event)


def exercise_a_delete_through_damage(
    deployment: Deployment, event: dict[str, Any], one: dict[str, Any]
) -> None:
    """A stay missing one of its nights (damaged by hand): the delete reads which nights are its own."""
    made = add.handler(with_idempotency_key(event, "damaged"), None)
    stay = json.loads(made["body"])
    admin = make_client(deployment.settings)
    try:
        night = items.night_key(stay["room_number"], date.fromisoformat(stay["check_in"]))
        admin.delete_item(TableName=deployment.settings.table_for("star"), Key=night)
    finally:
        admin.close()
    deployment.cold_start()
    damaged = one | {"httpMethod": "DELETE", "pathParameters": {"id": str(stay["reservation_id"])}}
    assert delete.handler(damaged, None)["statusCode"] == 204


def exercise_the_front_desk(deployment: Deployment, event: dict[str, Any]) -> None:
    def call(handler: Any, method: str, resource: str, body: Any = None, **parts: Any) -> int:
        request = copy.deepcopy(event) | {"httpMethod": method, "resource": resource, **parts}
        request["body"] = None if body is None else json.dumps(body)
        return int(handler(request, None)["statusCode"])

    made = add.handler(with_idempotency_key(event, "front-desk"), None)
    assert made["statusCode"] == 201
    stay = json.loads(made["body"])
    room, path = stay["room_number"], {"pathParameters": {"id": str(stay["reservation_id"])}}
    deployment.cold_start()
    assert call(change.handler, "PATCH", "/reservations/{id}", {"nights": 3}, **path) == 200  # no rooms yet
    rooms_path = {"pathParameters": {"room_number": str(room)}}
    deployment.cold_start()  # each function assumes its own tenant role in a process of its own
    assert call(put_room.handler, "PUT", "/rooms/{room_number}", {}, **rooms_path) == 201
    assert call(put_room.handler, "PUT", "/rooms/{room_number}", {"name": "Sea view"}, **rooms_path) == 200
    other = {"pathParameters": {"room_number": str(room + 1)}}
    assert call(put_room.handler, "PUT", "/rooms/{room_number}", {}, **other) == 201
    deployment.cold_start()
    assert call(list_rooms.handler, "GET", "/rooms", queryStringParameters={"limit": "10"}) == 200
    deployment.cold_start()
    rotate = copy.deepcopy(event) | {"httpMethod": "POST", "resource": "/rooms/{room_number}/calendar-token"}
    rotated = room_calendar.handler(rotate | rooms_path | {"body": None}, None)
    assert rotated["statusCode"] == 200
    assert call(room_calendar.handler, "GET", "/rooms/{room_number}/sync", **rooms_path) == 200
    deployment.cold_start()  # the feed: no authorizer, its own role reads the registry
    token = json.loads(rotated["body"])["calendar_url"].rsplit("/", 1)[1]
    feed = {"httpMethod": "GET", "resource": "/calendars/{token}", "pathParameters": {"token": token}}
    assert calendar_feed.handler(feed, None)["statusCode"] == 200
    asked = {"check_in": stay["check_in"], "nights": "1"}
    deployment.cold_start()
    assert call(availability.handler, "GET", "/availability", queryStringParameters=asked) == 200
    deployment.cold_start()
    moved = {"room_number": room + 1, "nights": 2}
    assert call(change.handler, "PATCH", "/reservations/{id}", moved, **path) == 200  # into a room
    deployment.cold_start()
    assert call(delete_room.handler, "DELETE", "/rooms/{room_number}", **other) == 409  # it holds it
    # A channel's block in the room (made by the test): the removal frees its nights.
    start = today_utc() + timedelta(days=200)
    block = NewBlock(room, start, start + timedelta(days=2), "https://feeds.example/x.ics", "e1")
    wiring.store().add_block(deployment.settings.table_for("star"), block)
    deployment.cold_start()
    assert call(delete_room.handler, "DELETE", "/rooms/{room_number}", **rooms_path) == 204
    assert wiring.store().blocks(deployment.settings.table_for("star"), room) == []


def exercise_the_channel_sync(deployment: Deployment, monkeypatch: pytest.MonkeyPatch) -> None:
    """The schedule's call (hand the customers to the queue), then the queue's (sync them): one
    feed, from loopback, with an event that conflicts with a stay (the holder read) and one that
    becomes a block in a room of a customer that has rooms (the rooms guard)."""
    settings = replace(deployment.settings, local_feeds=True)  # loopback feeds, for this test only
    monkeypatch.setattr(deployment, "settings", settings)
    queue = sqs(settings).create_queue(QueueName=f"sync-{uuid.uuid4().hex[:8]}")
    monkeypatch.setenv(channel_sync.QUEUE_ENV, queue["QueueUrl"])
    deployment.cold_start()
    table, store = settings.table_for("moon"), wiring.store()  # moon defines no rooms: any number
    sold = store.add(
        table, NewReservation("Ada", 1, 1, today_utc() + timedelta(days=20)), created_at=now_utc()
    )
    events = [("c1", sold.reservation.check_in, sold.reservation.check_out), ("b1", *days_ahead(300, 302))]
    star_room = store.list_rooms(settings.table_for("star"), RoomQuery(limit=1)).items[0].room_number
    with feed_server() as server:
        url = server.serve_ics("/moon.ics", airbnb_ics(events))
        store.set_calendar(table, 1, CalendarUpdate(imports=(url,)))
        # star has rooms: its block's rooms guard bumps the room's version.
        store.set_calendar(settings.table_for("star"), star_room, CalendarUpdate(imports=(url,)))
        deployment.cold_start()
        assert channel_sync.handler({}, None) == {"customers": 2, "messages": 1}
        messages = sqs(settings).receive_message(QueueUrl=queue["QueueUrl"])["Messages"]
        deployment.cold_start()
        done = channel_sync.handler({"Records": [{"body": m["Body"]} for m in messages]}, None)
    assert done == {"rooms": 2, "conflicts": 1, "errors": 0}
    deployment.cold_start()
    assert channel_sync.handler({"Records": [{"body": m["Body"]} for m in messages]}, None)["rooms"] == 2
    store.set_calendar(table, 1, CalendarUpdate(imports=()))  # releases the block: DeleteItem
    deployment.cold_start()
    assert channel_sync.handler({"Records": [{"body": m["Body"]} for m in messages]}, None)["rooms"] == 2


def sqs(settings: Settings) -> Any:
    import boto3

    return boto3.client("sqs", endpoint_url=settings.dynamodb_endpoint, region_name=settings.region)


def days_ahead(first: int, last: int) -> tuple[date, date]:
    return today_utc() + timedelta(days=first), today_utc() + timedelta(days=last)


def test_each_role_holds_exactly_what_its_code_calls(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    RECORDER.take()
    exercise_every_path(deployment)
    exercise_the_channel_sync(deployment, monkeypatch)
    calls = RECORDER.take()
    assert undeclared(calls) == []
    for function in CHECKED:
        for role, grants in (("role", role_grants(function)), ("tenant", function.tenant_grants)):
            declared = {a for g in grants if g.called for a in g.actions}
            used = {a for c in calls if c.function == function.name and c.role == role for a in c.actions}
            assert used == declared, (function.name, role, "declared but never called:", declared - used)


def test_a_warm_process_assumes_the_tenant_role_once_per_customer(deployment: Deployment) -> None:
    deployment.cold_start()
    event = load("rest_post_reservations.json")
    listing = event | {"httpMethod": "GET", "body": None, "queryStringParameters": {"limit": "5"}}
    moon = copy.deepcopy(listing)
    moon["requestContext"]["authorizer"] = {"customer": "moon", "principalId": "moon"}
    RECORDER.take()
    for _ in range(5):
        assert list_function.handler(copy.deepcopy(listing), None)["statusCode"] == 200
        assert list_function.handler(copy.deepcopy(moon), None)["statusCode"] == 200
    calls = RECORDER.take()
    assert sum(1 for c in calls if c.operation == "sts:AssumeRole") == 2
    assert sum(1 for c in calls if c.operation == "dynamodb:Query") == 10
