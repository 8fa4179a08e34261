"""``ReservationsClient``: the one place that speaks the HTTP contract, for the CLI, the menu and scripts.

Retries are safe by construction: reads and deletes are idempotent, and every logical add carries
an ``Idempotency-Key`` that its retries reuse, so a retry after a lost response returns the
original reservation instead of booking twice.  Backoff uses full jitter (so many clients that
failed together do not retry together) and honours ``Retry-After`` on 429/503.
"""

from __future__ import annotations

import builtins
import random
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from types import TracebackType
from typing import Any

import httpx

from reservations.client.errors import (
    ApiError,
    NetworkError,
    NotFoundError,
)
from reservations.client.responses import describe_network_error, error_from_response, parse_retry_after
from reservations.domain.reservation import Page, Reservation
from reservations.domain.rooms import Room

USER_AGENT = "reservations-client/0.1"
RETRY_STATUSES = frozenset({429, 502, 503, 504})  # the request was not served; 502/504 come from nginx
# Failures before the request reached the server: always safe to resend.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class ReservationsClient:
    """One customer's view of the API; ``base_url`` may carry a path prefix (``.../prod``, ``/api``)."""

    def __init__(
        self,
        base_url: str,
        customer: str,
        api_key: str,
        *,
        timeout: float = 10.0,
        retries: int = 3,
        backoff_s: float = 0.25,
        max_backoff_s: float = 8.0,
        max_retry_after_s: float = 30.0,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.customer = customer
        self._headers = {
            "X-Customer": customer,
            "X-Api-Key": api_key,
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
        }
        self.retries = max(0, retries)
        self._backoff_s = backoff_s
        self._max_backoff_s = max_backoff_s
        self._max_retry_after_s = max_retry_after_s
        self._sleep = sleep
        self._owns_http = http is None
        self._http = http or httpx.Client(timeout=timeout, follow_redirects=False)

    def __repr__(self) -> str:
        return f"ReservationsClient({self.base_url!r}, customer={self.customer!r})"

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> ReservationsClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ operations

    def get(self, reservation_id: int) -> Reservation:
        response = self._request("GET", f"/reservations/{int(reservation_id)}")
        return _reservation(self._json(response))

    def add(
        self,
        guest_name: str,
        room_number: int,
        nights: int,
        check_in: date | str,
        *,
        idempotency_key: str | None = None,
    ) -> Reservation:
        """Books a room.  Reusing an ``idempotency_key`` retries one logical add by hand (the menu does)."""
        body = {
            "guest_name": guest_name,
            "room_number": room_number,
            "nights": nights,
            "check_in": check_in.isoformat() if isinstance(check_in, date) else check_in,
        }
        key = idempotency_key or new_idempotency_key()
        response = self._request("POST", "/reservations", json=body, headers={"Idempotency-Key": key})
        return _reservation(self._json(response))

    def delete(self, reservation_id: int) -> None:
        """Deletes; a 404 on a retry after a lost response means our first attempt did it."""
        self._request("DELETE", f"/reservations/{int(reservation_id)}", not_found_after_retry_ok=True)

    def page(
        self,
        *,
        cursor: str | None = None,
        limit: int | None = None,
        start: date | None = None,
        end: date | None = None,
        room: int | None = None,
    ) -> Page:
        """One page, in (check-in, room, id) order; ``next_cursor`` is None on the last one."""
        params: dict[str, str] = {}
        if limit is not None:
            params["limit"] = str(limit)
        if cursor:
            params["cursor"] = cursor
        if start is not None:
            params["from"] = start.isoformat()
        if end is not None:
            params["to"] = end.isoformat()
        if room is not None:
            params["room"] = str(room)
        data = self._json(self._request("GET", "/reservations", params=params))
        if not isinstance(data, dict) or not isinstance(data.get("items"), builtins.list):
            raise ApiError("the server's answer is not a page of reservations", status=200)
        items = [_reservation(item) for item in data["items"]]
        next_cursor = data.get("next_cursor")
        return Page(items=items, next_cursor=next_cursor if isinstance(next_cursor, str) else None)

    def pages(
        self,
        *,
        limit: int | None = None,
        start: date | None = None,
        end: date | None = None,
        room: int | None = None,
    ) -> Iterator[Page]:
        """Every page, fetched only when the previous one has been consumed."""
        cursor: str | None = None
        while True:
            page = self.page(cursor=cursor, limit=limit, start=start, end=end, room=room)
            yield page
            if not page.next_cursor:
                return
            cursor = page.next_cursor

    def list(
        self,
        *,
        start: date | None = None,
        end: date | None = None,
        room: int | None = None,
        limit: int | None = None,
        all_pages: bool = False,
    ) -> Iterator[Reservation]:
        """Reservations lazily, one page in memory at a time; only the first page unless ``all_pages``."""
        for page in self.pages(limit=limit, start=start, end=end, room=room):
            yield from page.items
            if not all_pages:
                return

    # ------------------------------------------------------------------ the front desk

    def change(
        self,
        reservation_id: int,
        *,
        guest_name: str | None = None,
        room_number: int | None = None,
        nights: int | None = None,
        check_in: date | str | None = None,
    ) -> Reservation:
        """Changes a reservation in place (same id); only the named fields change.

        Safe to retry: applying the same change twice leaves the same reservation.
        """
        body: dict[str, Any] = {}
        if guest_name is not None:
            body["guest_name"] = guest_name
        if room_number is not None:
            body["room_number"] = room_number
        if nights is not None:
            body["nights"] = nights
        if check_in is not None:
            body["check_in"] = check_in.isoformat() if isinstance(check_in, date) else check_in
        response = self._request("PATCH", f"/reservations/{int(reservation_id)}", json=body)
        return _reservation(self._json(response))

    def rooms(self) -> builtins.list[Room]:
        """Every room of the customer, in number order (a hotel's rooms fit in memory)."""
        found: builtins.list[Room] = []
        cursor: str | None = None
        while True:
            params = {"limit": "1000", **({"cursor": cursor} if cursor else {})}
            data = self._json(self._request("GET", "/rooms", params=params))
            try:
                found += [Room.from_json(item) for item in data["items"]]
                cursor = data["next_cursor"]
            except (KeyError, TypeError, ValueError):
                raise ApiError("the server's answer is not a page of rooms", status=200) from None
            if not cursor:
                return found

    def put_room(self, room_number: int, *, name: str | None = None, notes: str | None = None) -> bool:
        """Defines a room, or replaces its name and notes; True when it is new."""
        body = {k: v for k, v in (("name", name), ("notes", notes)) if v is not None}
        return self._request("PUT", f"/rooms/{int(room_number)}", json=body).status_code == 201

    def remove_room(self, room_number: int) -> None:
        """Removes a room; ``ConflictError`` (naming the stay) while one holds it from today on."""
        self._request("DELETE", f"/rooms/{int(room_number)}", not_found_after_retry_ok=True)

    def room_calendar(self, room_number: int) -> dict[str, Any]:
        """The room's channel calendars: ``calendar_url`` (its feed), ``feeds`` (the calendars it
        imports, each with its last sync), ``blocks``, and ``name``/``notes`` (kept on a change)."""
        room = int(room_number)
        listed = self._json(self._request("GET", "/rooms", params={"limit": "1", "cursor": str(room - 1)}))
        items = [i for i in listed.get("items", []) if isinstance(i, dict) and i.get("room_number") == room]
        if not items:
            raise NotFoundError(f"no room {room}", status=404)
        return {**items[0], **self._json(self._request("GET", f"/rooms/{room}/sync"))}

    def set_import_calendars(self, room_number: int, urls: builtins.list[str]) -> None:
        """Replaces the calendars the room imports (its name and notes are sent along, unchanged)."""
        room = self.room_calendar(room_number)
        body = {k: room[k] for k in ("name", "notes") if room.get(k) is not None}
        self._request("PUT", f"/rooms/{int(room_number)}", json={**body, "import_calendars": urls})

    def new_calendar_url(self, room_number: int) -> str:
        """Gives the room's feed a new URL; the old one stops working at once."""
        data = self._json(self._request("POST", f"/rooms/{int(room_number)}/calendar-token"))
        return str(data["calendar_url"])

    def availability(self, check_in: date | str, nights: int) -> builtins.list[int]:
        """The customer's rooms free on every night of the stay, ascending."""
        day = check_in.isoformat() if isinstance(check_in, date) else check_in
        data = self._json(
            self._request("GET", "/availability", params={"check_in": day, "nights": str(nights)})
        )
        rooms = data.get("free_rooms") if isinstance(data, dict) else None
        if not isinstance(rooms, builtins.list) or not all(isinstance(r, int) for r in rooms):
            raise ApiError("the server's answer is not a list of free rooms", status=200)
        return rooms

    # ------------------------------------------------------------------ transport

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        not_found_after_retry_ok: bool = False,
    ) -> httpx.Response:
        url = self.base_url + path
        all_headers = self._headers | dict(headers or {})
        ambiguous = False  # an earlier attempt may have reached the server
        attempt = 0
        while True:
            try:
                response = self._http.request(method, url, params=params, json=json, headers=all_headers)
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                ambiguous = ambiguous or not isinstance(exc, _NOT_SENT)
                retryable = isinstance(exc, httpx.TransportError) and not isinstance(
                    exc, httpx.UnsupportedProtocol
                )
                if attempt >= self.retries or not retryable:
                    raise NetworkError(describe_network_error(self.base_url, exc)) from None
                self._sleep(self._backoff(attempt, None))
                attempt += 1
                continue
            if response.status_code in RETRY_STATUSES and attempt < self.retries:
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                if retry_after is None or retry_after <= self._max_retry_after_s:
                    self._sleep(self._backoff(attempt, retry_after))
                    attempt += 1
                    continue
            if response.status_code == 404 and ambiguous and not_found_after_retry_ok:
                return response
            if response.is_success:
                return response
            raise error_from_response(response)

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return retry_after + random.uniform(0, self._backoff_s)
        return random.uniform(0, min(self._max_backoff_s, self._backoff_s * 2**attempt))

    @staticmethod
    def _json(response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            raise ApiError(
                f"the server answered HTTP {response.status_code} with a body that is not JSON",
                status=response.status_code,
                request_id=response.headers.get("X-Request-Id"),
            ) from None


def _reservation(data: Any) -> Reservation:
    try:
        return Reservation.from_json(data)
    except (KeyError, TypeError, ValueError):
        raise ApiError("the server's answer is not a reservation") from None


def new_idempotency_key() -> str:
    return uuid.uuid4().hex
