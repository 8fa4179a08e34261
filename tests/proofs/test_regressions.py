"""Defects the proof suites found, each kept as the request that showed it."""

from __future__ import annotations

import httpx
import pytest

from reservations.domain.parsing import MAX_RESERVATION_ID
from tests.support.server import Gateway


@pytest.mark.parametrize(
    "value",
    [MAX_RESERVATION_ID + 1, 2**63, 2**64, "99999999999999999999", "9" * 5000],
    ids=["2**53", "2**63", "2**64", "20-digit-string", "5000-digit-string"],
)
def test_legacy_delete_of_an_impossible_id_is_404_not_500(gateway: Gateway, value: object):
    # Found by hostile input: SQLite cannot bind integers past 2**63-1 (OverflowError -> 500) and
    # int() refuses strings past 4,300 digits (ValueError -> 500).
    response = httpx.post(
        f"{gateway.url}/delete-res", json={"reservation_id": value}, headers=gateway.headers("star")
    )
    assert response.status_code in (400, 404), response.text
    assert response.json()["error"]["field"] == "reservation_id"


def test_legacy_add_with_a_5000_digit_room_is_400_not_500(gateway: Gateway):
    body = {"customer_name": "Long Number", "room_number": "9" * 5000, "nights": 1}
    response = httpx.post(f"{gateway.url}/add-res", json=body, headers=gateway.headers("star"))
    assert response.status_code == 400, response.text
    assert response.json()["error"]["field"] == "room_number"


@pytest.mark.parametrize("name", ["limit", "from", "to", "room"])
def test_an_empty_typed_list_parameter_is_400(gateway: Gateway, name: str):
    # Found by schema fuzzing (negative data): ``?from=`` was read as "no filter" and answered 200,
    # though the document types it as a date.  An empty cursor is still the first page.
    response = httpx.get(f"{gateway.url}/reservations", params={name: ""}, headers=gateway.headers("star"))
    assert response.status_code == 400, response.text
    assert response.json()["error"]["field"] == name
    first_page = httpx.get(
        f"{gateway.url}/reservations", params={"cursor": ""}, headers=gateway.headers("star")
    )
    assert first_page.status_code == 200


def test_a_window_from_the_first_days_of_year_one_is_an_empty_page_not_a_500(gateway: Gateway) -> None:
    """Found by schema fuzzing: ``from`` minus the longest stay fell off the calendar (500)."""
    response = httpx.get(
        f"{gateway.url}/reservations",
        params={"from": "0001-01-02", "to": "0001-01-03"},
        headers=gateway.headers("star"),
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"items": [], "next_cursor": None}
