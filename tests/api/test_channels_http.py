"""Channel calendars over HTTP on ``reservations serve``, for every store; answers checked against OpenAPI.

Customer ``star`` sells room 101 here; ``moon`` imports star's feed into its room 201 (the round
trip: our feed, imported by a second customer of ours, blocks exactly our taken nights), and the
sync runs as an operator runs it, ``reservations channels sync``.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta

import httpx
import icalendar
import pytest

from reservations.domain.parsing import today_utc
from tests.api.openapi_check import check
from tests.support.server import Gateway

START = today_utc() + timedelta(days=90)


def day(offset: int) -> str:
    return (START + timedelta(days=offset)).isoformat()


def stay(room: int, offset: int, nights: int, guest: str = "Grace Hopper") -> dict[str, object]:
    return {"guest_name": guest, "room_number": room, "nights": nights, "check_in": day(offset)}


@pytest.fixture(scope="module")
def star(gateway: Gateway) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=gateway.url, headers=gateway.headers("star"), timeout=30) as c:
        for number in (101, 102):
            assert c.put(f"/rooms/{number}").status_code in (200, 201)
        yield c


@pytest.fixture(scope="module")
def moon(gateway: Gateway) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=gateway.url, headers=gateway.headers("moon"), timeout=30) as c:
        yield c


def feed_url(star: httpx.Client, room: int) -> str:
    page = star.get("/rooms")
    check(page, "/rooms", "GET")
    [item] = [r for r in page.json()["items"] if r["room_number"] == room]
    url = item["calendar_url"]
    assert url.startswith(f"{star.base_url}/calendars/")
    assert url.endswith(".ics")
    return str(url)


def events_of(url: str) -> list[tuple[date, date]]:
    answer = httpx.get(url, timeout=10)  # no API key: channels cannot send one
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/calendar")
    assert "Grace" not in answer.text
    assert "Hopper" not in answer.text
    events = icalendar.Calendar.from_ical(answer.content).events
    assert {str(e["summary"]) for e in events} <= {"Not available"}
    return sorted((e.start, e.end) for e in events)


def sync(gateway: Gateway, customer: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reservations", "channels", "sync", "--customer", customer],
        env=gateway.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_export_feed_lists_the_rooms_stays_and_honours_etags(star: httpx.Client) -> None:
    made = [star.post("/reservations", json=stay(101, offset, 2)) for offset in (0, 5)]
    assert [m.status_code for m in made] == [201, 201]
    url = feed_url(star, 101)
    assert events_of(url) == [
        (START, START + timedelta(days=2)),
        (START + timedelta(days=5), START + timedelta(days=7)),
    ]
    first = httpx.get(url, timeout=10)
    assert first.headers["last-modified"]
    again = httpx.get(url, headers={"If-None-Match": first.headers["etag"]}, timeout=10)
    assert again.status_code == 304
    for made_one in made:
        assert star.delete(f"/reservations/{made_one.json()['reservation_id']}").status_code == 204
    assert httpx.get(url, headers={"If-None-Match": first.headers["etag"]}, timeout=10).status_code == 200


def test_rotating_the_token_kills_the_old_url_at_once(star: httpx.Client) -> None:
    old = feed_url(star, 102)
    rotated = star.post("/rooms/102/calendar-token")
    check(rotated, "/rooms/{room_number}/calendar-token", "POST")
    new = rotated.json()["calendar_url"]
    assert new != old
    assert httpx.get(old, timeout=10).status_code == 404
    assert httpx.get(new, timeout=10).status_code == 200
    assert feed_url(star, 102) == new
    assert star.post("/rooms/999/calendar-token").status_code == 404
    assert httpx.get(new.replace(".ics", "x.ics"), timeout=10).status_code == 404


def test_an_imported_feed_blocks_its_nights_then_frees_them(
    gateway: Gateway, star: httpx.Client, moon: httpx.Client
) -> None:
    sold = star.post("/reservations", json=stay(101, 20, 3))
    assert sold.status_code == 201
    imported = moon.put("/rooms/201", json={"import_calendars": [feed_url(star, 101)]})
    check(imported, "/rooms/{room_number}", "PUT")
    assert moon.put("/rooms/202").status_code in (200, 201)
    done = sync(gateway, "moon")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 events, 1 blocked" in done.stdout

    free = moon.get("/availability", params={"check_in": day(21), "nights": "1"})
    check(free, "/availability", "GET")
    assert free.json()["free_rooms"] == [202]
    assert moon.get("/availability", params={"check_in": day(23), "nights": "1"}).json()["free_rooms"] == [
        201,
        202,
    ]
    refused = moon.post("/reservations", json=stay(201, 22, 2))
    check(refused, "/reservations", "POST")
    assert refused.status_code == 409
    assert refused.json()["error"]["conflicting_block"] == {
        "source": "127.0.0.1",
        "check_in": day(20),
        "check_out": day(23),
    }
    assert (
        moon.get("/reservations", params={"room": "201"}).json()["items"] == []
    )  # blocks are not reservations
    status = moon.get("/rooms/201/sync")
    check(status, "/rooms/{room_number}/sync", "GET")
    [feed] = status.json()["feeds"]
    assert (feed["events"], feed["conflicts"], feed["error"]) == (1, [], None)
    assert [(b["check_in"], b["check_out"]) for b in status.json()["blocks"]] == [(day(20), day(23))]

    assert star.delete(f"/reservations/{sold.json()['reservation_id']}").status_code == 204
    assert sync(gateway, "moon").returncode == 0
    assert moon.get("/availability", params={"check_in": day(21), "nights": "1"}).json()["free_rooms"] == [
        201,
        202,
    ]
    assert moon.post("/reservations", json=stay(201, 22, 2)).status_code == 201


def test_a_conflicting_event_is_reported_and_changes_nothing(
    gateway: Gateway, star: httpx.Client, moon: httpx.Client
) -> None:
    assert moon.put("/rooms/301", json={"import_calendars": [feed_url(star, 101)]}).status_code == 201
    ours = moon.post("/reservations", json=stay(301, 40, 2, guest="Moon Guest"))
    assert ours.status_code == 201
    assert star.post("/reservations", json=stay(101, 41, 2)).status_code == 201
    done = sync(gateway, "moon")
    assert done.returncode == 1, done.stdout  # a conflict: the scheduler notices
    assert f"conflict: {day(41)} to {day(43)}" in done.stdout
    [feed] = moon.get("/rooms/301/sync").json()["feeds"]
    assert [(c["check_in"], c["check_out"]) for c in feed["conflicts"]] == [(day(41), day(43))]
    assert moon.get(f"/reservations/{ours.json()['reservation_id']}").json() == ours.json()
    assert moon.get("/rooms/301/sync").json()["blocks"] == []


def test_import_calendars_are_checked(moon: httpx.Client) -> None:
    too_many = moon.put(
        "/rooms/401", json={"import_calendars": [f"https://a.example/{n}.ics" for n in range(6)]}
    )
    check(too_many, "/rooms/{room_number}", "PUT")
    assert too_many.status_code == 400
    assert too_many.json()["error"]["field"] == "import_calendars"
    for bad in (
        ["ftp://a.example/x.ics"],
        "https://a.example/x.ics",
        [17],
        ["https://user:pw@a.example/x.ics"],
        ["https://a.example/a b.ics"],  # not RFC 3986 (the document's format: uri), so not a URL
        [" https://a.example/x.ics"],
        ["https://a.example/%zz.ics"],
        ["https://bücher.example/x.ics"],
    ):
        answer = moon.put("/rooms/401", json={"import_calendars": bad})
        assert answer.status_code == 400, bad
