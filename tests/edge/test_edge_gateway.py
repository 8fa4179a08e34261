"""Through nginx to the real gateway (``reservations serve``): the API works, and the host mapping decides
the customer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest

from tests.support.edge import Edge, Gateway, running_edge, running_gateway

pytestmark = pytest.mark.nginx


def new_reservation(room: int, guest: str = "Ada Lovelace") -> dict[str, object]:
    check_in = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)
    return {"guest_name": guest, "room_number": room, "nights": 2, "check_in": check_in.isoformat()}


def as_customer(gateway: Gateway, name: str) -> dict[str, str]:
    return {"X-Customer": name, "X-Api-Key": gateway.keys[name]}


def test_list_add_delete_through_nginx(gateway: Gateway, gateway_edge: Edge) -> None:
    with httpx.Client(base_url=f"{gateway_edge.url}/api", headers=as_customer(gateway, "star")) as api:
        created = api.post("/reservations", json=new_reservation(101))
        assert created.status_code == 201, created.text
        reservation = created.json()
        rid = reservation["reservation_id"]
        assert created.headers["x-request-id"]

        listed = api.get("/reservations", params={"room": 101})
        assert listed.status_code == 200
        assert [item["reservation_id"] for item in listed.json()["items"]] == [rid]
        assert api.get(f"/reservations/{rid}").json() == reservation

        conflict = api.post("/reservations", json=new_reservation(101, "Someone Else"))
        assert conflict.status_code == 409
        assert conflict.json()["error"]["conflicting_reservation"]["reservation_id"] == rid

        assert api.delete(f"/reservations/{rid}").status_code == 204
        gone = api.get(f"/reservations/{rid}")
        assert gone.status_code == 404
        assert gone.json()["error"]["code"] == "not_found"  # the gateway's own 404, passed through


def test_request_id_reaches_the_gateway_and_comes_back(gateway: Gateway, gateway_edge: Edge) -> None:
    response = httpx.get(
        f"{gateway_edge.url}/api/reservations",
        headers={**as_customer(gateway, "star"), "X-Request-Id": "edge-test-7"},
    )
    assert response.status_code == 200
    assert response.headers.get_list("x-request-id") == ["edge-test-7"]


def test_mapped_host_sets_the_customer(gateway: Gateway, gateway_edge: Edge) -> None:
    moon = as_customer(gateway, "moon")
    added = httpx.post(f"{gateway_edge.url}/api/reservations", json=new_reservation(202), headers=moon)
    assert added.status_code == 201, added.text
    # On moon's host the key alone is enough: nginx names the customer.
    on_moon_host = httpx.get(
        f"{gateway_edge.url}/api/reservations",
        headers={"Host": "moon.hotels.example.com", "X-Api-Key": gateway.keys["moon"]},
    )
    assert on_moon_host.status_code == 200, on_moon_host.text
    assert added.json()["reservation_id"] in [r["reservation_id"] for r in on_moon_host.json()["items"]]
    entries = gateway_edge.access_entries()
    assert any(e["host"] == "moon.hotels.example.com" and e["customer"] == "moon" for e in entries)
    text = gateway_edge.access_log.read_text()
    for key in gateway.keys.values():
        assert key not in text


def test_spoofed_customer_on_a_mapped_host_is_overridden(gateway: Gateway, gateway_edge: Edge) -> None:
    moon_rid = httpx.post(
        f"{gateway_edge.url}/api/reservations",
        json=new_reservation(303),
        headers=as_customer(gateway, "moon"),
    ).json()["reservation_id"]
    star_host = "star.hotels.example.com"
    # moon's key on star's host, claiming to be moon (both headers): nginx says "star", the key is not star's.
    spoofed = httpx.get(
        f"{gateway_edge.url}/api/reservations/{moon_rid}",
        headers={
            "Host": star_host,
            "X-Customer": "moon",
            "customer": "moon",
            "X-Api-Key": gateway.keys["moon"],
        },
    )
    assert spoofed.status_code in (401, 403), spoofed.text
    assert spoofed.json()["error"]["code"] in ("unauthenticated", "forbidden")
    # star's own key on star's host, claiming moon: it is star's data that comes back, never moon's.
    as_star = httpx.get(
        f"{gateway_edge.url}/api/reservations",
        headers={"Host": star_host, "X-Customer": "moon", "X-Api-Key": gateway.keys["star"]},
    )
    assert as_star.status_code == 200
    assert moon_rid not in [r["reservation_id"] for r in as_star.json()["items"]]
    # Without the mapping (an unmapped host) the same spoof is the gateway's to refuse.
    direct = httpx.get(
        f"{gateway_edge.url}/api/reservations/{moon_rid}",
        headers={"X-Customer": "moon", "X-Api-Key": gateway.keys["star"]},
    )
    assert direct.status_code in (401, 403)


def test_compat_route_passes_through(gateway: Gateway, gateway_edge: Edge) -> None:
    response = httpx.get(
        f"{gateway_edge.url}/api/get-res", headers={"customer": "star", "X-Api-Key": gateway.keys["star"]}
    )
    assert response.status_code == 200, response.text


def test_gateway_stopped_is_502_json(tmp_path: Path) -> None:
    with (
        running_gateway(tmp_path / "gw", customers=()) as gateway,
        running_edge(gateway.url, tmp_path / "edge", via_run=False) as edge,
    ):
        # No key needed to see that the gateway answers: its own 401 comes back through nginx.
        answered = httpx.get(f"{edge.url}/api/reservations", headers={"X-Customer": "star"})
        assert answered.status_code == 401
        assert answered.json()["error"]["code"] == "unauthenticated"
        gateway.process.terminate()
        gateway.process.wait(timeout=15)
        response = httpx.get(f"{edge.url}/api/reservations", headers={"X-Customer": "star"})
        assert response.status_code == 502
        assert response.headers["content-type"].startswith("application/json")
        assert response.json()["error"]["code"] == "bad_gateway"
        assert httpx.get(f"{edge.url}/healthz").status_code == 200
