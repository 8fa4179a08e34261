"""The HTTP contract through a real gateway process, for every store; responses checked against OpenAPI."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from reservations.domain.parsing import today_utc
from tests.api.openapi_check import check
from tests.support.server import Gateway
from tests.support.settings import through_cells

pytestmark = through_cells  # and through the one URL of `serve --cells 2` (slow)

START = today_utc() + timedelta(days=30)


def body(room: int, offset: int = 0, nights: int = 1, guest: str = "Ada Lovelace") -> dict[str, object]:
    return {
        "guest_name": guest,
        "room_number": room,
        "nights": nights,
        "check_in": (START + timedelta(days=offset)).isoformat(),
    }


@pytest.fixture
def client(gateway: Gateway) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=gateway.url, headers=gateway.headers("star"), timeout=10) as c:
        yield c


def test_add_get_list_delete_round_trip(client: httpx.Client):
    added = client.post("/reservations", json=body(101, nights=3))
    check(added, "/reservations", "POST")
    assert added.status_code == 201
    created = added.json()
    assert created["check_out"] == (START + timedelta(days=3)).isoformat()
    assert added.headers["location"] == f"/reservations/{created['reservation_id']}"
    assert added.headers["x-request-id"]

    got = client.get(added.headers["location"])
    check(got, "/reservations/{id}", "GET")
    assert got.json() == created

    listed = client.get("/reservations", params={"room": 101})
    check(listed, "/reservations", "GET")
    assert created in listed.json()["items"]

    deleted = client.delete(f"/reservations/{created['reservation_id']}")
    check(deleted, "/reservations/{id}", "DELETE")
    assert deleted.status_code == 204
    missing = client.get(f"/reservations/{created['reservation_id']}")
    check(missing, "/reservations/{id}", "GET")
    assert missing.status_code == 404
    again = client.delete(f"/reservations/{created['reservation_id']}")
    assert again.status_code == 404
    assert again.json()["error"]["code"] == "not_found"


def test_double_booking_is_409_naming_the_holder_and_delete_frees_it(client: httpx.Client):
    holder = client.post("/reservations", json=body(202, nights=2)).json()
    clash = client.post("/reservations", json=body(202, offset=1, guest="Bob"))
    check(clash, "/reservations", "POST")
    assert clash.status_code == 409
    error = clash.json()["error"]
    assert error["conflicting_reservation"]["reservation_id"] == holder["reservation_id"]
    assert f"by reservation {holder['reservation_id']}" in error["message"]
    assert client.delete(f"/reservations/{holder['reservation_id']}").status_code == 204
    assert client.post("/reservations", json=body(202, offset=1, guest="Bob")).status_code == 201


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({**body(1), "room_number": True}, "room_number"),
        ({**body(1), "room_number": 1.5}, "room_number"),
        ({**body(1), "room_number": "101"}, "room_number"),
        ({**body(1), "room_number": 0}, "room_number"),
        ({**body(1), "room_number": 100000}, "room_number"),
        ({**body(1), "nights": 31}, "nights"),
        ({**body(1), "nights": 0}, "nights"),
        ({**body(1), "guest_name": "   "}, "guest_name"),
        ({**body(1), "guest_name": "x" * 101}, "guest_name"),
        ({**body(1), "guest_name": "Ada\u0000"}, "guest_name"),
        ({**body(1), "check_in": "2026-02-30"}, "check_in"),
        ({**body(1), "check_in": "tomorrow"}, "check_in"),
        ({**body(1), "check_in": (today_utc() + timedelta(days=800)).isoformat()}, "check_in"),
        ({**body(1), "check_in": (today_utc() - timedelta(days=10)).isoformat()}, "check_in"),
        ({**body(1), "reservation_id": 5}, "reservation_id"),
        ({k: v for k, v in body(1).items() if k != "nights"}, "nights"),
    ],
)
def test_invalid_reservations_are_400_naming_the_field(
    client: httpx.Client, payload: dict[str, object], field: str
):
    response = client.post("/reservations", json=payload)
    check(response, "/reservations", "POST")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == field


@pytest.mark.parametrize(
    "raw",
    [
        b"{",
        b"[1, 2]",
        b"",
        b'{"guest_name": "a", "guest_name": "b"}',
        b"\xff\xfe",
        b'{"nights": NaN}',
        b"[" * 5000,
    ],
)
def test_malformed_bodies_are_400(client: httpx.Client, raw: bytes):
    response = client.post("/reservations", content=raw, headers={"Content-Type": "application/json"})
    check(response, "/reservations", "POST")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


def test_body_over_16_kib_is_413(client: httpx.Client):
    response = client.post("/reservations", json={**body(1), "guest_name": "x" * 17000})
    check(response, "/reservations", "POST")
    assert response.status_code == 413


def test_unknown_route_404_and_wrong_method_405_are_json(client: httpx.Client):
    assert client.get("/nope").json()["error"]["code"] == "not_found"
    wrong = client.put("/reservations", json={})
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == "GET, POST"
    assert wrong.json()["error"]["code"] == "method_not_allowed"
    assert client.get("/reservations/abc").status_code == 404


@pytest.mark.parametrize("encoded", ["%0A", "%0D%0A", "%20"])
def test_an_id_of_whitespace_names_a_reservation_not_the_collection(client: httpx.Client, encoded: str):
    """A regex ``$`` matches before a final newline: ``/reservations/%0A`` once answered with the list."""
    assert client.get(f"/reservations/{encoded}").json()["error"]["code"] == "not_found"
    assert client.delete(f"/reservations/{encoded}").status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "501"},
        {"limit": "x"},
        {"cursor": "!!"},
        {"from": "2026-13-01"},
        {"bogus": "1"},
    ],
)
def test_bad_list_parameters_are_400(client: httpx.Client, params: dict[str, str]):
    response = client.get("/reservations", params=params)
    check(response, "/reservations", "GET")
    assert response.status_code == 400


def test_pagination_walks_every_reservation_once_in_order(gateway: Gateway):
    headers = gateway.headers("moon")
    with httpx.Client(base_url=gateway.url, headers=headers, timeout=10) as c:
        made = [c.post("/reservations", json=body(300 + i % 4, offset=i // 4)).json() for i in range(13)]
        seen, cursor = [], None
        while True:
            page = c.get(
                "/reservations", params={"limit": 5, **({"cursor": cursor} if cursor else {})}
            ).json()
            seen += page["items"]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        ours = [r for r in seen if r["reservation_id"] in {m["reservation_id"] for m in made}]
        assert [r["reservation_id"] for r in ours] == [
            m["reservation_id"]
            for m in sorted(made, key=lambda r: (r["check_in"], r["room_number"], r["reservation_id"]))
        ]
        window = c.get(
            "/reservations", params={"from": START.isoformat(), "to": (START + timedelta(days=1)).isoformat()}
        )
        assert {r["check_in"] for r in window.json()["items"]} == {START.isoformat()}


def test_idempotent_retry_returns_original_and_other_body_is_422(client: httpx.Client):
    key = str(uuid.uuid4())
    first = client.post("/reservations", json=body(404), headers={"Idempotency-Key": key})
    retry = client.post("/reservations", json=body(404), headers={"Idempotency-Key": key})
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers["idempotent-replayed"] == "true"
    other = client.post("/reservations", json=body(405), headers={"Idempotency-Key": key})
    check(other, "/reservations", "POST")
    assert other.status_code == 422
    rooms = [r["room_number"] for r in client.get("/reservations", params={"room": 404}).json()["items"]]
    assert rooms == [404]


def test_compatibility_routes(gateway: Gateway):
    legacy = {"customer": "star", "x-api-key": gateway.keys["star"]}
    with httpx.Client(base_url=gateway.url, headers=legacy, timeout=10) as c:
        added = c.post(
            "/add-res",
            json={"reservation_id": 999, "customer_name": "Old Client", "room_number": "512", "nights": 2},
        )
        check(added, "/add-res", "POST")
        assert added.status_code == 200
        assert "Old Client" in added.text
        scan = c.get("/get-res")
        check(scan, "/get-res", "GET")
        rows = [r for r in scan.json()["raw_scan"]["Items"] if r["CustomerName"] == "Old Client"]
        assert rows == [
            {
                "ReservationId": rows[0]["ReservationId"],
                "CustomerName": "Old Client",
                "RoomNumber": 512,
                "Nights": 2,
            }
        ]
        assert rows[0]["ReservationId"] != 999
        assert "Old Client" in scan.json()["pretty_table"]
        gone = c.post("/delete-res", json={"reservation_id": rows[0]["ReservationId"]})
        check(gone, "/delete-res", "POST")
        assert gone.status_code == 200
        assert c.post("/delete-res", json={"reservation_id": rows[0]["ReservationId"]}).status_code == 404


def test_openapi_document_and_health_are_served(gateway: Gateway):
    assert httpx.get(f"{gateway.url}/openapi.json").json()["openapi"] == "3.1.0"
    assert httpx.get(f"{gateway.url}/healthz").json() == {"status": "ok"}


def test_a_request_without_the_customer_header_is_told_which_header_is_missing(gateway: Gateway):
    key = gateway.keys["star"]
    for headers in ({"X-Api-Key": key}, {"X-Api-Key": key, "X-Customer": ""}):
        response = httpx.get(f"{gateway.url}/reservations", headers=headers, timeout=10)
        assert response.status_code == 401
        assert (
            response.json()["error"]["message"] == "missing customer: send its name in the X-Customer header"
        )
    keyless = httpx.get(f"{gateway.url}/reservations", headers={"X-Customer": "star"}, timeout=10)
    assert keyless.status_code == 401
    assert keyless.json()["error"]["message"] == "missing API key: send it in the X-Api-Key header"
    unknown = httpx.get(
        f"{gateway.url}/reservations", headers={"X-Customer": "star", "X-Api-Key": "rsv_nope"}, timeout=10
    )
    assert (unknown.status_code, unknown.json()["error"]["message"]) == (401, "invalid API key")


def test_every_json_body_ends_with_a_newline(gateway: Gateway, client: httpx.Client):
    """So the README's curls print one answer a line, not two run together."""
    answers = [
        client.post("/reservations", json=body(171)),  # 201, from a function
        client.get("/reservations"),
        client.get("/reservations/999999999"),  # 404 from a function
        client.post("/reservations", json={"nights": 1}),  # 400
        httpx.get(f"{gateway.url}/reservations", timeout=10),  # 401 from the gateway
        httpx.get(f"{gateway.url}/no-such-route", timeout=10),  # 404 from the gateway
        httpx.get(f"{gateway.url}/healthz", timeout=10),
    ]
    for answer in answers:
        assert answer.headers["content-type"].startswith("application/json"), answer.request.url
        assert answer.text.endswith("}\n"), (answer.request.url, answer.text[-20:])
