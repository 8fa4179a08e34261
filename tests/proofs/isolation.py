"""Suite 3, customer isolation: every key x customer header x spelling x route, counting leaks.

Each customer's guests and rooms carry a secret marker (and its rooms their own numbers).  A request leaks when its answer holds a marker of a
customer other than the key's owner, when a refused request's answer holds any marker, or when a
refused answer differs between an existing customer and one that does not exist (it would reveal
existence).  At the end every customer's reservations and rooms must be exactly the seeded ones.
"""

from __future__ import annotations

import http.client
import itertools
import json
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from tests.proofs.harness import Figures, day, list_all

GHOST = "ghost-hotel"
# Latin letters and the Cyrillic letters that look the same
_CYRILLIC = str.maketrans("aeocpxysi", "\u0430\u0435\u043e\u0441\u0440\u0445\u0443\u0455\u0456")


def lookalike(name: str) -> str:
    swapped = name.translate(_CYRILLIC)
    return swapped if swapped != name else name + "\u200b"


def spellings(name: str, full: bool) -> list[tuple[str, bool]]:
    """(header value, names this customer?): the matcher ignores case and surrounding whitespace only."""
    same = [(name, True), (f"  {name.upper()} ", True)]
    other = [(lookalike(name), False), (f"../{name}", False)]
    if full:
        same += [(name.capitalize(), True), (f"\t{name}\t", True)]
        other += [(f"{name}/../{name}", False), (f"{name}%00", False), (name.replace("-", "_") + "_", False)]
    return same + other


@contextmanager
def _connection(url: str) -> Iterator[http.client.HTTPConnection]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        yield conn
    finally:
        conn.close()


def _send(
    conn: http.client.HTTPConnection, method: str, path: str, headers: dict[str, bytes], body: bytes | None
) -> tuple[int, str]:
    all_headers: dict[str, Any] = dict(headers)
    if body is not None:
        all_headers["Content-Type"] = "application/json"
    conn.request(method, path, body=body, headers=all_headers)
    response = conn.getresponse()
    return response.status, response.read().decode("utf-8", "replace")


_REQUEST_ID = re.compile(r'"request_id":"[^"]*"')


def _rooms(conn: http.client.HTTPConnection, customer: str, key: str) -> list[dict[str, Any]]:
    """Every room of the customer (fewer than a page in this suite)."""
    status, text = _send(
        conn, "GET", "/rooms?limit=1000", {"X-Customer": customer.encode(), "X-Api-Key": key.encode()}, None
    )
    assert status == 200, text
    items: list[dict[str, Any]] = json.loads(text)["items"]
    return items


def run(url: str, keys: dict[str, str], *, full: bool, store: str) -> Figures:
    """``keys``: customer → API key, at least five customers; each gets two marked reservations."""
    figures = Figures("customer isolation", store)
    customers = sorted(keys)
    markers = {c: f"secret-{c}-{secrets.token_hex(4)}" for c in customers}
    ids: dict[str, list[int]] = {}
    rooms: dict[str, set[int]] = {c: set() for c in customers}
    with _connection(url) as conn:
        for index, customer in enumerate(customers):
            headers = {"X-Customer": customer.encode(), "X-Api-Key": keys[customer].encode()}
            made = []
            for n in range(2 + index):  # each customer's own room numbers, named with its marker
                room = {"name": f"{markers[customer]} room"}
                status, text = _send(
                    conn, "PUT", f"/rooms/{300 + 10 * index + n}", headers, json.dumps(room).encode()
                )
                assert status == 201, text
                rooms[customer].add(300 + 10 * index + n)
            for n in range(2 + index):  # different counts, so the same id means different things
                body = {
                    "guest_name": f"{markers[customer]} {n}",
                    "room_number": 300 + 10 * index + n,
                    "nights": 1,
                    "check_in": day(20),
                }
                status, text = _send(conn, "POST", "/reservations", headers, json.dumps(body).encode())
                assert status == 201, text
                made.append(json.loads(text)["reservation_id"])
            ids[customer] = made
        seeded = {c: list_all(url, {"X-Customer": c, "X-Api-Key": keys[c]}) for c in customers}
        seeded_rooms = {c: _rooms(conn, c, keys[c]) for c in customers}

        key_choices: list[tuple[str | None, str]] = [(c, keys[c]) for c in customers]
        key_choices += [(None, ""), (None, "rsv_" + secrets.token_urlsafe(32))]
        header_modes = ["X-Customer", "customer", "both"] if full else ["X-Customer", "customer"]
        refused_answers: dict[tuple[Any, ...], set[tuple[int, str]]] = {}
        for (owner, key), mode, target in itertools.product(key_choices, header_modes, [*customers, GHOST]):
            target_id = ids.get(target, [7])[-1]
            for spelling, names_target in spellings(target, full):
                allowed = owner is not None and names_target and target == owner
                routes = [
                    ("GET", "/reservations", None),
                    ("GET", f"/reservations/{target_id}", None),
                    ("GET", "/get-res", None),
                    ("DELETE", f"/reservations/{10**9 if allowed else target_id}", None),
                    (
                        "POST",
                        "/delete-res",
                        json.dumps({"reservation_id": 10**9 if allowed else target_id}).encode(),
                    ),
                    (
                        "POST",
                        "/reservations",
                        json.dumps(
                            {"guest_name": "intruder", "room_number": 300, "nights": 1, "check_in": day(20)}
                        ).encode(),
                    ),
                    (
                        "POST",
                        "/add-res",
                        json.dumps(
                            {
                                "customer_name": "intruder",
                                "room_number": 300,
                                "nights": 1,
                                "check_in": day(20),
                            }
                        ).encode(),
                    ),
                    # The front desk: what is allowed is chosen to change nothing (404, 400).
                    (
                        "PATCH",
                        f"/reservations/{10**9 if allowed else target_id}",
                        json.dumps({"guest_name": "intruder"}).encode(),
                    ),
                    ("GET", "/rooms", None),
                    ("PUT", f"/rooms/{0 if allowed else 300}", json.dumps({"name": "intruder"}).encode()),
                    ("DELETE", f"/rooms/{99999 if allowed else 300}", None),
                    ("GET", f"/availability?check_in={day(20)}&nights=1", None),
                ]
                value = spelling.encode("utf-8")
                headers = {"X-Api-Key": key.encode()} if key else {}
                if mode in ("X-Customer", "both"):
                    headers["X-Customer"] = value
                if mode in ("customer", "both"):
                    headers["customer"] = value
                for method, path, payload in routes:
                    status, text = _send(conn, method, path, headers, payload)
                    figures.add("combinations")
                    if status >= 500:
                        figures.fail(
                            f"{status} for key of {owner} {mode}={spelling!r} {method} {path}: {text[:200]}"
                        )
                    foreign = [c for c in customers if c != owner and markers[c] in text]
                    if foreign or (not allowed and any(m in text for m in markers.values())):
                        figures.add("leaks")
                        figures.fail(
                            f"leak: key of {owner} {mode}={spelling!r} {method} {path} -> {status}: {text[:200]}"
                        )
                    if allowed and path.startswith("/availability") and status == 200:
                        foreign_rooms = set(json.loads(text)["free_rooms"]) - rooms[owner or ""]
                        if foreign_rooms:
                            figures.add("leaks")
                            figures.fail(f"leak: {owner} sees rooms {sorted(foreign_rooms)} as free")
                    if allowed:
                        figures.add("allowed")
                        if status in (401, 403):
                            figures.fail(
                                f"own customer refused: {owner} {mode}={spelling!r} {method} {path} -> {status}"
                            )
                        continue
                    figures.add("refused")
                    expected = 401 if owner is None else 403
                    if status != expected:
                        figures.fail(
                            f"expected {expected}: key of {owner} {mode}={spelling!r} {method} {path} -> {status}: {text[:200]}"
                        )
                    # the same request against any other customer (or none) must read the same
                    shape = (
                        owner,
                        key,
                        mode,
                        method,
                        path.replace(str(target_id), "ID"),
                        spellings(target, full).index((spelling, names_target)),
                    )
                    refused_answers.setdefault(shape, set()).add((status, _REQUEST_ID.sub("", text)))
        for shape, answers in refused_answers.items():
            if len(answers) > 1:
                figures.add("leaks")
                figures.fail(
                    f"refused answers differ by target (existence revealed): {shape}: {sorted(answers)[:3]}"
                )
        for customer in customers:
            if list_all(url, {"X-Customer": customer, "X-Api-Key": keys[customer]}) != seeded[customer]:
                figures.add("leaks")
                figures.fail(f"customer {customer}'s reservations changed")
            if _rooms(conn, customer, keys[customer]) != seeded_rooms[customer]:
                figures.add("leaks")
                figures.fail(f"customer {customer}'s rooms changed")
    figures.counts.setdefault("leaks", 0)
    figures.counts["customers"] = len(customers)
    return figures
