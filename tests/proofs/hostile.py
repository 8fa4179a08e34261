"""Suite 2, hostile input: Hypothesis-built requests sent as raw bytes (no client library tidies them).

Wrong types, huge numbers, deep nesting, duplicate keys, invalid UTF-8, NUL bytes, 1 MiB bodies,
``\\r\\n`` in header values, path traversal and look-alike customer names, SQL and DynamoDB expression
fragments.  Every answer must be below 500; every answer from the API (it carries ``X-Request-Id``)
that refuses must carry the JSON error body; and the store afterwards holds exactly what the
accepted requests wrote: a refused request wrote nothing, and no table appeared.  The front desk's
routes (change, rooms, availability) are among the targets; the other customer's rooms must not move.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from reservations.domain.parsing import MAX_RESERVATION_ID
from tests.proofs.harness import Figures, all_rooms, clear_rooms, day, list_all, raw_exchange

SQL = ["' OR '1'='1", "1; DROP TABLE reservations; --", "1 UNION SELECT * FROM api_keys", '" OR 1=1 --']
DYNAMO = [
    "attribute_not_exists(pk) OR :x",
    "#n = :v",
    "begins_with(pk, :p)",
    "pk = :pk AND sk > :lo",
    "SET x = :y",
]
TRAVERSAL = ["../moon", "..%2fmoon", "..\\moon", "/etc/passwd", "moon/../star", "star/../../registry", "."]
LOOKALIKES = [
    "\u0455tar",
    "\u0455t\u0430r",
    "\uff53\uff54\uff41\uff52",
    "star\u200b",
    "st\u0430r",
    "STAR\u0130",
    "moon\ufeff",
    "ⓢⓣⓐⓡ",
]
WEIRD_TEXT = (
    SQL + DYNAMO + TRAVERSAL + LOOKALIKES + ["", " ", "\x00", "a\x00b", "\ud800", "💥" * 30, "x" * 300]
)

json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(WEIRD_TEXT),
)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


def _encode(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


@st.composite
def reservation_bodies(draw: Callable[..., Any]) -> bytes:
    """Almost-valid reservations with one or more fields made hostile, or something else entirely."""
    base: dict[str, Any] = {
        "guest_name": "Hostile Guest",
        "room_number": 9000,
        "nights": 1,
        "check_in": day(5),
    }
    kind = draw(st.sampled_from(["field", "field", "extra", "raw", "nested", "dupe", "bytes", "huge", "nul"]))
    if kind == "field":
        for name in draw(st.lists(st.sampled_from(sorted(base)), min_size=1, max_size=4, unique=True)):
            base[name] = draw(json_value)
        return _encode(base)
    if kind == "extra":
        base[draw(st.sampled_from(["reservation_id", "__proto__", "pk", "customer", "table"]))] = draw(
            json_value
        )
        return _encode(base)
    if kind == "raw":
        return _encode(draw(json_value))
    if kind == "nested":
        depth: int = draw(st.integers(min_value=100, max_value=8000))
        return b"[" * depth + b"]" * depth if draw(st.booleans()) else b'{"a":' * depth + b"1" + b"}" * depth
    if kind == "dupe":
        text = _encode(base)[:-1] + b', "room_number": ' + _encode(draw(json_value)) + b"}"
        return text
    if kind == "bytes":
        junk: bytes = draw(st.binary(min_size=1, max_size=200))
        broken: bytes = draw(st.sampled_from([b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80"]))
        return junk + broken
    if kind == "huge":
        size: int = draw(st.sampled_from([16 * 1024 + 1, 64 * 1024, 1024 * 1024]))
        return (
            b'{"guest_name": "'
            + b"A" * size
            + b'", "room_number": 1, "nights": 1, "check_in": "'
            + day(5).encode()
            + b'"}'
        )
    return _encode(base).replace(b"Hostile", b"Host\\u0000ile" if draw(st.booleans()) else b"Host\x00ile")


@st.composite
def hostile_requests(
    draw: Callable[..., Any], own: str, key: str, other: str
) -> tuple[str, str, list[tuple[bytes, bytes]], bytes]:
    route = draw(
        st.sampled_from(
            [
                *("add", "add", "list", "get", "delete", "legacy_add", "legacy_delete", "legacy_get"),
                *("change", "put_room", "delete_room", "rooms", "availability"),  # the front desk
            ]
        )
    )
    customer_value = draw(
        st.one_of(
            st.just(own),
            st.just(own),
            st.sampled_from(
                TRAVERSAL
                + LOOKALIKES
                + [f"{own}\r\nX-Customer: {other}", f" {own.upper()} ", other, "", own + "\x00"]
            ),
            st.text(max_size=30),
        )
    )
    key_value = draw(
        st.one_of(
            st.just(key),
            st.just(key),
            st.sampled_from(
                ["", "rsv_", key + "x", key + "\r\nX-Api-Key: x", key.upper(), "' OR 1=1 --", *DYNAMO]
            ),
        )
    )
    headers: list[tuple[bytes, bytes]] = [
        (
            draw(st.sampled_from([b"X-Customer", b"customer", b"x-customer"])),
            customer_value.encode("utf-8", "surrogatepass"),
        ),
        (b"X-Api-Key", key_value.encode("utf-8", "surrogatepass")),
    ]
    if draw(st.booleans()):
        headers.append(
            (
                b"Idempotency-Key",
                draw(
                    st.sampled_from(
                        ["", "k" * 300, "ключ", "a\x00b", "k-" + str(draw(st.integers(0, 5))), *SQL]
                    )
                ).encode("utf-8", "surrogatepass"),
            )
        )
    if draw(st.integers(0, 9)) == 0:
        headers.append((b"X-Customer", draw(st.sampled_from([own, other])).encode()))  # a repeated header
    ident = draw(
        st.one_of(
            st.integers(min_value=-5, max_value=50).map(str),
            st.sampled_from(
                [
                    "0",
                    str(MAX_RESERVATION_ID),
                    str(MAX_RESERVATION_ID + 1),
                    "9" * 40,
                    "1e3",
                    "0x10",
                    "١٢",
                    "1%00",
                    "%2e%2e",
                    "..%2f..%2fregistry",
                    "1;DROP",
                    "-0",
                    "+1",
                    "1.0",
                ]
            ),
        )
    )
    if route == "add":
        return "POST", "/reservations", headers, draw(reservation_bodies())
    if route == "list":
        params = draw(
            st.dictionaries(
                st.sampled_from(["limit", "cursor", "from", "to", "room", "x", "limit[]"]),
                st.sampled_from(
                    [
                        "0",
                        "501",
                        "-1",
                        "abc",
                        "2026-02-30",
                        "9" * 30,
                        "%00",
                        "' OR 1=1",
                        "eyJ4Ijox",
                        "Zm9vfGJhcnwx",
                        day(1),
                        "50",
                        *DYNAMO,
                    ]
                ),
                max_size=4,
            )
        )
        query = "&".join(f"{k}={v.replace(' ', '%20')}" for k, v in params.items())
        return "GET", "/reservations" + (f"?{query}" if query else ""), headers, b""
    if route == "get":
        return "GET", f"/reservations/{ident}", headers, b""
    if route == "delete":
        return "DELETE", f"/reservations/{ident}", headers, b""
    if route == "change":
        return "PATCH", f"/reservations/{ident}", headers, draw(reservation_bodies())
    if route == "put_room":
        room: dict[str, Any] = {"name": draw(json_value), "notes": draw(json_value)}
        if draw(st.booleans()):
            room[draw(st.sampled_from(["room_number", "pk", "version", "__proto__"]))] = draw(json_value)
        body = _encode(room) if draw(st.booleans()) else draw(reservation_bodies())
        return "PUT", f"/rooms/{ident}", headers, body
    if route == "delete_room":
        return "DELETE", f"/rooms/{ident}", headers, b""
    if route in ("rooms", "availability"):
        names = ["limit", "cursor", "x"] if route == "rooms" else ["check_in", "nights", "room", "x"]
        params = draw(
            st.dictionaries(
                st.sampled_from(names),
                st.sampled_from(
                    ["0", "1001", "-1", "abc", "2026-02-30", "9" * 30, "%00", day(3), "2", *DYNAMO]
                ),
                max_size=3,
            )
        )
        query = "&".join(f"{k}={v.replace(' ', '%20')}" for k, v in params.items())
        return "GET", f"/{route}" + (f"?{query}" if query else ""), headers, b""
    if route == "legacy_add":
        body = {
            "reservation_id": draw(json_value),
            "customer_name": draw(st.one_of(st.just("Legacy"), json_leaf)),
            "room_number": draw(st.one_of(st.just(9100), json_leaf, st.just("9" * 5000))),
            "nights": draw(st.one_of(st.just(1), json_leaf)),
        }
        return "POST", "/add-res", headers, _encode(body)
    if route == "legacy_delete":
        value = draw(
            st.one_of(
                json_value,
                st.just(MAX_RESERVATION_ID + 1),
                st.just(2**64),
                st.just("9" * 5000),
                st.just("99999999999999999999"),
            )
        )
        return "POST", "/delete-res", headers, _encode({"reservation_id": value})
    return "GET", "/get-res", headers, b""


def build(method: str, path: str, headers: list[tuple[bytes, bytes]], body: bytes) -> bytes:
    lines = [f"{method} {path} HTTP/1.1".encode("utf-8", "surrogatepass"), b"Host: 127.0.0.1"]
    lines += [name + b": " + value for name, value in headers]
    if body or method in ("POST", "PUT", "PATCH"):
        lines += [b"Content-Type: application/json", b"Content-Length: " + str(len(body)).encode()]
    lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def run(
    url: str,
    own: str,
    key: str,
    other: str,
    other_key: str,
    *,
    examples: int,
    store: str,
    tables: Callable[[], set[str]],
) -> Figures:
    """Sends ``examples`` hostile requests as ``own`` (key ``key``); ``other`` must stay untouched."""
    figures = Figures("hostile input", store)
    own_headers = {"X-Customer": own, "X-Api-Key": key}
    other_headers = {"X-Customer": other, "X-Api-Key": other_key}
    before_own = {r["reservation_id"]: r for r in list_all(url, own_headers)}
    before_other = list_all(url, other_headers)
    before_other_rooms = all_rooms(url, other_headers)
    tables_before = tables()
    created: dict[int, dict[str, Any]] = {}
    deleted: set[int] = set()

    @given(request=hostile_requests(own, key, other))
    @hypothesis_settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def hostile(request: tuple[str, str, list[tuple[bytes, bytes]], bytes]) -> None:
        method, path, headers, body = request
        status, head, answer = raw_exchange(url, build(method, path, headers, body))
        figures.add("requests")
        if status is None:
            figures.add("closed_without_answer")
            return
        figures.add(f"status_{status}")
        if status >= 500:
            figures.fail(
                f"{status} for {method} {path} {headers!r} body[:120]={body[:120]!r}: {answer[:200]!r}"
            )
            return
        from_api = b"\r\nx-request-id:" in head.lower()
        if status >= 400 and from_api:
            try:
                error = json.loads(answer)["error"]
                if not (isinstance(error["code"], str) and isinstance(error["message"], str)):
                    raise TypeError(error)
            except (ValueError, KeyError, TypeError):
                figures.fail(f"{status} without the JSON error body for {method} {path}: {answer[:200]!r}")
        elif status >= 400:
            figures.add("refused_by_http_parser")  # malformed HTTP (e.g. CR LF in a header value)
        if status == 201 and path == "/reservations":
            reservation = json.loads(answer)
            created[reservation["reservation_id"]] = reservation
        elif status == 200 and path == "/add-res":
            rid = int(answer.split()[1])
            created[rid] = {"reservation_id": rid}
        elif status == 204 and method == "DELETE" and path.startswith("/reservations/"):
            deleted.add(int(path.rsplit("/", 1)[1]))
        elif status == 200 and path == "/delete-res":
            deleted.add(int(answer.split()[1]))

    hostile()
    after_own = {r["reservation_id"] for r in list_all(url, own_headers)}
    expected = (set(before_own) | set(created)) - deleted
    for rid in sorted(after_own - expected):
        figures.fail(f"reservation {rid} exists but no accepted request wrote it")
    for rid in sorted(expected - after_own):
        figures.fail(f"reservation {rid} was acknowledged but is missing")
    if list_all(url, other_headers) != before_other:
        figures.fail(f"customer {other!r} changed")
    if all_rooms(url, other_headers) != before_other_rooms:
        figures.fail(f"customer {other!r}'s rooms changed")
    clear_rooms(url, own_headers)  # rooms defined here would restrict later tests' bookings
    if tables() != tables_before:
        figures.fail(f"tables changed: {sorted(tables() ^ tables_before)}")
    figures.counts["accepted_writes"] = len(created) + len(deleted)
    return figures
