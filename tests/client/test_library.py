"""``ReservationsClient`` against the real local gateway, over real HTTP."""

from __future__ import annotations

import httpx
import pytest

from reservations.client import (
    AuthError,
    ConflictError,
    InvalidRequestError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    ReservationsClient,
    ServerError,
)
from reservations.client.config import Profile
from reservations.client.responses import parse_retry_after
from reservations.domain.reservation import Reservation
from tests.client.proxy import Proxy
from tests.support.client import Gateway, days
from tests.support.server import free_port


def test_add_get_list_delete_round_trip(demo: ReservationsClient) -> None:
    added = demo.add("Ann Smith", 101, 2, days(10))
    assert isinstance(added, Reservation)
    assert (added.guest_name, added.room_number, added.nights) == ("Ann Smith", 101, 2)
    assert added.check_out == days(12)
    assert demo.get(added.reservation_id) == added
    assert list(demo.list()) == [added]
    demo.delete(added.reservation_id)
    assert list(demo.list()) == []
    with pytest.raises(NotFoundError):
        demo.get(added.reservation_id)


def test_list_is_ordered_and_pages_are_fetched_lazily(gateway: Gateway, demo: ReservationsClient) -> None:
    for i, (room, day) in enumerate([(5, 3), (2, 1), (9, 2), (1, 3), (4, 1), (7, 5), (3, 4)]):
        demo.add(f"Guest {i}", room, 1, days(day))
    requests: list[httpx.Request] = []
    http = httpx.Client(event_hooks={"request": [requests.append]})
    with ReservationsClient(gateway.url, gateway.demo.customer, gateway.demo.api_key, http=http) as client:
        everything = client.list(all_pages=True, limit=3)
        first = next(everything)
        assert len(requests) == 1  # one page in hand, the rest not yet asked for
        rest = list(everything)
        assert len(requests) == 3
        assert [r.sort_key() for r in [first, *rest]] == sorted(r.sort_key() for r in [first, *rest])
        assert len(rest) + 1 == 7
        assert len(list(client.list(limit=3))) == 3  # all_pages=False: the first page only
    http.close()


def test_filters_by_dates_and_room(demo: ReservationsClient) -> None:
    early = demo.add("Early", 10, 2, days(1))  # nights 1-2
    late = demo.add("Late", 11, 2, days(20))
    assert list(demo.list(start=days(15), all_pages=True)) == [late]
    assert list(demo.list(end=days(3), all_pages=True)) == [early]
    assert list(demo.list(room=11, all_pages=True)) == [late]


def test_conflict_names_the_colliding_reservation(demo: ReservationsClient) -> None:
    first = demo.add("Ann", 101, 3, days(5))
    with pytest.raises(ConflictError) as caught:
        demo.add("Bob", 101, 2, days(6))
    assert caught.value.conflicting == first
    assert caught.value.status == 409
    assert caught.value.field == "room_number"
    assert caught.value.message == (
        f"Room 101 is already booked on {days(6).isoformat()} by reservation {first.reservation_id}"
    )


@pytest.mark.parametrize(
    ("guest", "room", "nights", "check_in", "field"),
    [
        ("   ", 101, 1, days(1).isoformat(), "guest_name"),
        ("Ann", 0, 1, days(1).isoformat(), "room_number"),
        ("Ann", 101, 31, days(1).isoformat(), "nights"),
        ("Ann", 101, 1, days(-5).isoformat(), "check_in"),
        ("Ann", 101, 1, "2026-02-30", "check_in"),
    ],
)
def test_validation_errors_name_the_field(
    demo: ReservationsClient, guest: str, room: int, nights: int, check_in: str, field: str
) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        demo.add(guest, room, nights, check_in)
    assert caught.value.field == field
    assert caught.value.status == 400


def test_unknown_reservation_is_not_found(demo: ReservationsClient) -> None:
    with pytest.raises(NotFoundError):
        demo.get(987654)
    with pytest.raises(NotFoundError):
        demo.delete(987654)


def test_wrong_key_and_other_customer_are_auth_errors(gateway: Gateway, acme: Profile) -> None:
    with ReservationsClient(gateway.url, "demo", "rsv_wrong") as client, pytest.raises(AuthError) as caught:
        list(client.list())
    assert caught.value.status == 401
    with ReservationsClient(gateway.url, "demo", acme.api_key) as client, pytest.raises(AuthError) as other:
        list(client.list())
    assert other.value.status == 403


def test_customers_do_not_see_each_other(gateway: Gateway, demo: ReservationsClient, acme: Profile) -> None:
    demo.add("Ann", 101, 1, days(3))
    with ReservationsClient(acme.url, acme.customer, acme.api_key) as client:
        assert all(r.guest_name != "Ann" for r in client.list(all_pages=True))


def test_same_idempotency_key_books_once(demo: ReservationsClient) -> None:
    first = demo.add("Ann", 101, 2, days(4), idempotency_key="booking-1")
    again = demo.add("Ann", 101, 2, days(4), idempotency_key="booking-1")
    assert again == first
    assert len(list(demo.list(all_pages=True))) == 1


def test_works_under_a_path_prefix(gateway: Gateway, demo: ReservationsClient, proxy: Proxy) -> None:
    with ReservationsClient(proxy.url, gateway.demo.customer, gateway.demo.api_key) as client:
        added = client.add("Prefixed", 7, 1, days(2))
        assert client.get(added.reservation_id) == added
        client.delete(added.reservation_id)
    assert ("GET", f"/api/reservations/{added.reservation_id}") in proxy.seen


def _client(url: str, gateway: Gateway, sleeps: list[float], retries: int = 3) -> ReservationsClient:
    return ReservationsClient(
        url, gateway.demo.customer, gateway.demo.api_key, retries=retries, sleep=sleeps.append
    )


def test_503_and_429_are_retried_honouring_retry_after(
    gateway: Gateway, demo: ReservationsClient, proxy: Proxy
) -> None:
    proxy.fail_next("503:2", "429:1")
    sleeps: list[float] = []
    with _client(proxy.url, gateway, sleeps) as client:
        assert list(client.list()) == []
    assert len(sleeps) == 2
    assert 2 <= sleeps[0] < 2.5
    assert 1 <= sleeps[1] < 1.5


def test_gives_up_after_the_retries_with_a_typed_error(
    gateway: Gateway, demo: ReservationsClient, proxy: Proxy
) -> None:
    proxy.fail_next("503", "503", "503")
    sleeps: list[float] = []
    with _client(proxy.url, gateway, sleeps, retries=2) as client, pytest.raises(ServerError) as caught:
        client.get(1)
    assert caught.value.status == 503
    assert len(sleeps) == 2
    proxy.fail_next("429:1", "429:1")
    with _client(proxy.url, gateway, sleeps, retries=1) as client, pytest.raises(RateLimitedError) as limited:
        client.get(1)
    assert limited.value.retry_after_s == 1


def test_add_whose_response_is_lost_is_retried_without_booking_twice(
    gateway: Gateway, demo: ReservationsClient, proxy: Proxy
) -> None:
    proxy.fail_next("drop")
    sleeps: list[float] = []
    with _client(proxy.url, gateway, sleeps) as client:
        added = client.add("Ann", 101, 2, days(3))
    assert [m for m, _ in proxy.seen] == ["POST", "POST"]
    assert list(demo.list(all_pages=True)) == [added]


def test_delete_whose_response_is_lost_still_succeeds(
    gateway: Gateway, demo: ReservationsClient, proxy: Proxy
) -> None:
    added = demo.add("Ann", 101, 2, days(3))
    proxy.fail_next("drop")
    sleeps: list[float] = []
    with _client(proxy.url, gateway, sleeps) as client:
        client.delete(added.reservation_id)  # the retry's 404 means the first attempt did it
    assert list(demo.list()) == []


def test_unreachable_server_is_a_network_error_after_backoff(gateway: Gateway) -> None:
    sleeps: list[float] = []
    url = f"http://127.0.0.1:{free_port()}"
    with _client(url, gateway, sleeps) as client, pytest.raises(NetworkError) as caught:
        client.get(1)
    assert "cannot reach the server" in caught.value.message
    assert len(sleeps) == 3
    assert all(0 <= s <= 0.25 * 2**i for i, s in enumerate(sleeps))  # full jitter under a doubling cap


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7
    assert parse_retry_after("Wed, 25 Nov 2026 12:00:30 GMT", now=now) == 30
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
