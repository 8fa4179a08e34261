"""Customer isolation: no key, header spelling or case trick reaches another customer's data.

Through ``serve --cells 2`` as well (``through_cells``: ``star`` and ``comet`` in cell c1, ``moon`` in
c2).  A key is checked only in its customer's own cell, so star's key named for comet (same cell) is
403, as in one deployment, and for moon (the other cell, which never knew the key) 401; either way
the error's JSON body, never the other customer's data (``Gateway.refusal`` says which status).
"""

from __future__ import annotations

import http.client
import itertools
import json
from datetime import timedelta
from urllib.parse import urlsplit

import httpx
import pytest

from reservations.domain.parsing import today_utc
from tests.support.server import Gateway
from tests.support.settings import through_cells

pytestmark = through_cells

DAY = (today_utc() + timedelta(days=40)).isoformat()


@pytest.fixture(scope="module")
def seeded(gateway: Gateway) -> dict[str, int]:
    gateway.create_customer("comet")  # with cells: in c1, beside star
    ids = {}
    for customer in ("star", "moon", "comet"):
        response = httpx.post(
            f"{gateway.url}/reservations",
            headers=gateway.headers(customer),
            json={"guest_name": f"guest of {customer}", "room_number": 7, "nights": 1, "check_in": DAY},
        )
        assert response.status_code == 201, response.text
        ids[customer] = response.json()["reservation_id"]
    return ids


ERROR_CODES = {401: "unauthenticated", 403: "forbidden"}


def variants(name: str) -> list[str]:
    return [name, name.upper(), f"  {name} ", name.capitalize(), f"\t{name.upper()}"]


def raw_request(gateway: Gateway, method: str, path: str, headers: dict[str, str]) -> tuple[int, str]:
    """http.client sends header values as given (httpx refuses surrounding whitespace)."""
    parts = urlsplit(gateway.url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    try:
        conn.request(method, path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def test_every_spelling_of_own_customer_is_accepted(gateway: Gateway, seeded: dict[str, int]):
    key = gateway.keys["star"]
    for header, spelling in itertools.product(("X-Customer", "customer"), variants("star")):
        status, text = raw_request(gateway, "GET", "/reservations", {header: spelling, "X-Api-Key": key})
        assert status == 200, (header, spelling, text)
        assert {r["guest_name"] for r in json.loads(text)["items"]} == {"guest of star"}


def test_a_key_never_reaches_another_customer(gateway: Gateway, seeded: dict[str, int]):
    key = gateway.keys["star"]
    statuses = set()
    for target in ("moon", "comet"):
        for header, spelling in itertools.product(
            ("X-Customer", "customer"), [*variants(target), "ghost", f"../{target}"]
        ):
            expected = gateway.refusal("star", spelling)
            statuses.add(expected)
            for method, path in (
                ("GET", "/reservations"),
                ("GET", f"/reservations/{seeded[target]}"),
                ("DELETE", f"/reservations/{seeded[target]}"),
            ):
                status, text = raw_request(gateway, method, path, {header: spelling, "X-Api-Key": key})
                assert status == expected, (header, spelling, method, path, text)
                assert json.loads(text)["error"]["code"] == ERROR_CODES[expected], text
                assert f"guest of {target}" not in text
    assert statuses == ({403} if gateway.refusal("star", "moon") == 403 else {401, 403})
    for target in ("moon", "comet"):
        kept = httpx.get(f"{gateway.url}/reservations/{seeded[target]}", headers=gateway.headers(target))
        assert kept.status_code == 200
        assert kept.json()["guest_name"] == f"guest of {target}"


def test_own_key_with_other_customers_id_is_404_not_their_data(gateway: Gateway, seeded: dict[str, int]):
    response = httpx.get(f"{gateway.url}/reservations/{seeded['moon']}", headers=gateway.headers("star"))
    assert response.status_code in (200, 404)
    if response.status_code == 200:  # ids are per customer: star may own the same number
        assert response.json()["guest_name"] != "guest of moon"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Customer": "star"},
        {"X-Customer": "star", "X-Api-Key": "rsv_wrong"},
        {"X-Customer": "ghost", "X-Api-Key": "rsv_wrong"},
        {"X-Customer": "moon", "X-Api-Key": ""},
        {"X-Customer": "star", "X-Api-Key": "x" * 5000},
    ],
)
def test_missing_or_unknown_key_is_401_whatever_the_customer(gateway: Gateway, headers: dict[str, str]):
    response = httpx.get(f"{gateway.url}/reservations", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_unknown_and_existing_customers_look_the_same_without_a_key(gateway: Gateway):
    real = httpx.get(f"{gateway.url}/reservations", headers={"X-Customer": "moon", "X-Api-Key": "rsv_nope"})
    ghost = httpx.get(f"{gateway.url}/reservations", headers={"X-Customer": "ghost", "X-Api-Key": "rsv_nope"})
    assert (real.status_code, real.json()) == (ghost.status_code, ghost.json())


def test_two_customer_headers_that_disagree_are_400(gateway: Gateway, seeded: dict[str, int]):
    key = gateway.keys["star"]
    response = httpx.get(
        f"{gateway.url}/reservations", headers={"X-Customer": "star", "customer": "moon", "X-Api-Key": key}
    )
    assert response.status_code == 400
    assert "guest of moon" not in response.text
    reverse = httpx.get(
        f"{gateway.url}/reservations", headers={"X-Customer": "moon", "customer": "star", "X-Api-Key": key}
    )
    assert reverse.status_code == gateway.refusal("star", "moon")  # X-Customer names the customer
    assert reverse.json()["error"]["code"] == ERROR_CODES[reverse.status_code]
    assert "guest of moon" not in reverse.text
