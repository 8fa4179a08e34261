"""Suite 4, concurrency: many clients against one customer while a model tracks every acknowledgement.

The customer defines its rooms first (so the rooms rule is on); adds go to a few rooms and weeks so
they collide; each client changes (moves, lengthens, renames) and deletes only reservations it
made, so a live one must change with 200 (same id) or 409 and delete with 204; meanwhile clients
define and remove a few extra rooms that adds and moves also aim at, and change or delete each
other's reservations (``model_contested``), so a change and a delete of one stay race; and a
channel rewrites the feeds two rooms import and syncs them (``model_channels``), so blocks come and
go under the clerks.  Lists are checked against what could exist at that moment.  At the end the
store must equal the model: nothing lost, nothing phantom, no room-night held twice (stays and
blocks together), no stay in a room that is not defined, every fresh id unique, an add that began
after another ended got a larger id, and the store's own checker finds the table in step (every
night held by the stay covering it, the list equal to the stays).  The 200-way race is
``model_race``.
"""

from __future__ import annotations

import asyncio
import bisect
import itertools
import random
import time
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx

from tests.proofs.harness import Figures, day, list_all, overlapping
from tests.proofs.model_channels import (
    SyncRun,
    channel_task,
    channels,
    check_settled,
    held_nights,
    refused_by_block,
    sync,
)
from tests.proofs.model_contested import contested, deleted_by_someone
from tests.support.aio import run_async


@dataclass
class Add:
    start: float
    end: float
    reservation: dict[str, Any]


@dataclass
class Model:
    fresh: list[Add] = field(default_factory=list)  # 201s that created a reservation
    by_id: dict[int, dict[str, Any]] = field(default_factory=dict)
    deleted_at: dict[int, float] = field(default_factory=dict)  # id -> when its 204 arrived
    add_started: dict[int, float] = field(default_factory=dict)
    conflicts: list[tuple[float, dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    lists: list[tuple[float, float, list[dict[str, Any]]]] = field(default_factory=list)
    keys: dict[str, int] = field(default_factory=dict)  # Idempotency-Key -> id
    versions: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # every acknowledged state
    changing: dict[int, list[float]] = field(default_factory=dict)  # id -> when changes in flight began
    rooms: set[int] = field(default_factory=set)  # the base rooms, defined before the clients start
    contested: set[int] = field(default_factory=set)  # ids another client changed or deleted
    deletes_answered: Counter[int] = field(default_factory=Counter)  # id -> 204s

    def acknowledged(self, reservation: dict[str, Any]) -> None:
        self.by_id[reservation["reservation_id"]] = reservation
        self.versions.setdefault(reservation["reservation_id"], []).append(reservation)

    def known(self, item: dict[str, Any], before: float) -> bool:
        """True when ``item`` is a state its reservation was acknowledged in, or one a change begun
        before ``before`` may have made (its answer not yet in)."""
        rid = item["reservation_id"]
        return item in self.versions.get(rid, []) or any(t < before for t in self.changing.get(rid, []))


def _stay(room: int, check_in: str, nights: int) -> dict[str, Any]:
    return {"room_number": room, "check_in": check_in, "nights": nights}


async def _client(
    number: int, ops: int, http: httpx.AsyncClient, model: Model, figures: Figures, rooms: int, seed: int
) -> None:
    rng = random.Random(seed * 1000 + number)
    mine: list[int] = []
    used_keys: list[tuple[str, dict[str, Any]]] = []
    for step in range(ops):
        figures.add("operations")
        roll = rng.random()
        began = time.monotonic()
        try:
            if roll < 0.5 or not mine:
                if used_keys and rng.random() < 0.05:
                    key, body = rng.choice(used_keys)  # a client retry: must replay, never create
                else:
                    body = {
                        "guest_name": f"c{number} op{step}",
                        "room_number": rng.randint(1, rooms + EXTRA_ROOMS),
                        "nights": rng.randint(1, 4),
                        "check_in": day(rng.randint(1, 45)),
                    }
                    key = f"k-{seed}-{number}-{step}" if rng.random() < 0.3 else ""
                    if key:
                        used_keys.append((key, body))
                response = await http.post(
                    "/reservations", json=body, headers={"Idempotency-Key": key} if key else {}
                )
                ended = time.monotonic()
                if response.status_code == 201:
                    reservation = response.json()
                    rid = reservation["reservation_id"]
                    if response.headers.get("idempotent-replayed") == "true":
                        figures.add("replays")
                        if model.keys.get(key) != rid:
                            figures.fail(
                                f"replay of {key} answered {rid}, the original was {model.keys.get(key)}"
                            )
                        continue
                    if key in model.keys:
                        figures.fail(
                            f"retry of Idempotency-Key {key} created {rid} (original {model.keys[key]})"
                        )
                    if key:
                        model.keys[key] = rid
                    if rid in model.by_id:
                        figures.fail(f"id {rid} handed out twice")
                    model.acknowledged(reservation)
                    model.add_started[rid] = began
                    model.fresh.append(Add(began, ended, reservation))
                    mine.append(rid)
                    figures.add("adds_created")
                elif _room_undefined(response) and body["room_number"] not in model.rooms:
                    figures.add("adds_room_undefined")  # an extra room, removed or not yet defined
                elif _code(response) == "idempotency_key_spent" and key in model.keys:
                    # a retry of an add whose reservation a delete (this client's) has removed since
                    figures.add("replays_of_deleted")
                    if model.keys[key] not in model.deleted_at:
                        figures.fail(
                            f"retry of {key}: 'deleted since', but {model.keys[key]} was never deleted"
                        )
                elif refused_by_block(response, body, figures, "adds"):
                    pass
                elif response.status_code == 409:
                    figures.add("adds_conflict")
                    model.conflicts.append((began, body, response.json()["error"]["conflicting_reservation"]))
                else:
                    figures.fail(f"add answered {response.status_code}: {response.text[:200]}")
            elif roll < 0.65:
                await _change(rng, http, model, figures, mine, rooms)
            elif roll < 0.7:
                await _define_or_remove_room(rng, http, model, figures, rooms)
            elif roll < 0.82:
                unknown = rng.random() < 0.1
                rid = 10**12 + rng.randint(0, 10**6) if unknown else mine.pop(rng.randrange(len(mine)))
                response = await http.delete(f"/reservations/{rid}")
                # Another client may have deleted it meanwhile (contested while this was in flight).
                expected = {404} if unknown else {204, 404} if rid in model.contested else {204}
                if response.status_code not in expected:
                    figures.fail(f"delete {rid} answered {response.status_code}, the model says {expected}")
                deleted_by_someone(model, rid, response.status_code, figures)
                if response.status_code == 204:
                    figures.add("deletes")
            elif roll < 0.9:
                await contested(rng, http, model, figures, rooms)
            else:
                params: dict[str, Any] = {"limit": rng.choice([10, 50, 200])}
                if rng.random() < 0.5:
                    params["room"] = rng.randint(1, rooms)
                if rng.random() < 0.5:
                    params["from"] = day(rng.randint(1, 30))
                response = await http.get("/reservations", params=params)
                if response.status_code != 200:
                    figures.fail(f"list answered {response.status_code}: {response.text[:200]}")
                else:
                    model.lists.append((began, time.monotonic(), response.json()["items"]))
                    figures.add("lists")
        except httpx.HTTPError as exc:
            figures.fail(f"transport error: {exc!r}")


EXTRA_ROOMS = 3  # rooms after the base ones that clients define and remove as they go


async def _change(
    rng: random.Random, http: httpx.AsyncClient, model: Model, figures: Figures, mine: list[int], rooms: int
) -> None:
    """Changes one of the client's own reservations: 200 with the same id, or 409 (or 400 for an
    extra room); a refused change must leave the reservation as it was."""
    if not mine:
        return
    rid = rng.choice(mine)
    before = model.by_id[rid]
    body: dict[str, Any] = {}
    if rng.random() < 0.6:
        body["room_number"] = rng.randint(1, rooms + EXTRA_ROOMS)
    if rng.random() < 0.4:
        body["check_in"] = day(rng.randint(1, 45))
    if rng.random() < 0.4:
        body["nights"] = rng.randint(1, 4)
    if not body or rng.random() < 0.2:
        body["guest_name"] = f"{before['guest_name'].split(' #')[0]} #{rng.randint(1, 99)}"
    began = time.monotonic()
    model.changing.setdefault(rid, []).append(began)
    response = await http.patch(f"/reservations/{rid}", json=body)
    figures.add("changes")
    wanted = {**_stay(before["room_number"], before["check_in"], before["nights"]), **body}
    # Another client may change or delete it meanwhile: then its state before this change is unknown.
    raced = rid in model.contested
    if response.status_code == 200:
        changed = response.json()
        if changed["reservation_id"] != rid:
            figures.fail(f"change of {rid} answered id {changed['reservation_id']}")
        expected = body if raced else {**before, **body}
        if any(changed[k] != v for k, v in expected.items() if k not in ("check_out",)):
            figures.fail(f"change of {rid} with {body} answered {changed}")
        model.acknowledged(changed)
        figures.add("changes_done")
    elif _room_undefined(response) and wanted["room_number"] not in model.rooms:
        figures.add("changes_room_undefined")
    elif refused_by_block(response, wanted, figures, "changes", known=not raced):
        pass
    elif response.status_code == 409:
        figures.add("changes_conflict")
        holder = response.json()["error"]["conflicting_reservation"]
        if not raced:
            model.conflicts.append((began, wanted, holder))
        if holder["reservation_id"] == rid:
            figures.fail(f"change of {rid} conflicted with itself: {response.text[:200]}")
    elif response.status_code == 404 and raced:
        figures.add("changes_of_deleted")
    else:
        figures.fail(f"change of {rid} with {body} answered {response.status_code}: {response.text[:200]}")
    model.changing[rid].remove(began)


async def _define_or_remove_room(
    rng: random.Random, http: httpx.AsyncClient, model: Model, figures: Figures, rooms: int
) -> None:
    """An extra room comes or goes; a removal refused with 409 must name a stay in that room."""
    room = rooms + rng.randint(1, EXTRA_ROOMS)
    if rng.random() < 0.5:
        response = await http.put(f"/rooms/{room}", json={"name": f"extra {room}"})
        if response.status_code not in (200, 201):
            figures.fail(f"PUT /rooms/{room} answered {response.status_code}: {response.text[:200]}")
        figures.add("rooms_defined")
        return
    response = await http.delete(f"/rooms/{room}")
    if response.status_code == 409:
        holder = response.json()["error"]["conflicting_reservation"]
        if holder["room_number"] != room:
            figures.fail(f"removing room {room} was refused naming a stay in room {holder['room_number']}")
        figures.add("rooms_in_use")
    elif response.status_code in (204, 404):
        figures.add("rooms_removed" if response.status_code == 204 else "rooms_absent")
    else:
        figures.fail(f"DELETE /rooms/{room} answered {response.status_code}: {response.text[:200]}")


def _check(
    model: Model,
    final: list[dict[str, Any]],
    final_rooms: list[dict[str, Any]],
    figures: Figures,
    blocks: list[dict[str, Any]],
) -> None:
    live = {rid for rid in model.by_id if rid not in model.deleted_at}
    stored = {item["reservation_id"]: item for item in final}
    lost = sorted(live - set(stored))
    phantom = sorted(set(stored) - live)
    figures.counts["lost"] = len(lost)
    figures.counts["phantom"] = len(phantom)
    for rid in lost[:5]:
        figures.fail(f"lost: {rid} was acknowledged and never deleted, but is gone")
    for rid in phantom[:5]:
        figures.fail(f"phantom: {rid} is stored but was never acknowledged (or was deleted)")
    for rid in live & set(stored):
        # Changes racing each other: the last to commit is one of the acknowledged states.
        settled = model.known(stored[rid], float("-inf")) if rid in model.contested else None
        if stored[rid] != model.by_id[rid] and not settled:
            figures.fail(f"{rid} stored as {stored[rid]}, acknowledged as {model.by_id[rid]}")
    clashes = overlapping([*final, *blocks])  # no night held twice, by stays and blocks together
    figures.counts["double_booked"] = len(clashes)
    for pair in clashes[:5]:
        figures.fail(f"double booking: {pair}")
    # ids: an add that began after another one ended got a larger id
    ordered = sorted(model.fresh, key=lambda a: a.end)
    ends = [a.end for a in ordered]
    running_max = list(itertools.accumulate((a.reservation["reservation_id"] for a in ordered), max))
    for add in model.fresh:
        index = bisect.bisect_left(ends, add.start)
        if index and running_max[index - 1] >= add.reservation["reservation_id"]:
            figures.fail(
                f"id {add.reservation['reservation_id']} is not above ids acknowledged before its add began"
            )
    # a 409 names a real reservation that overlaps, and that was not deleted before the add began
    for began, body, holder in model.conflicts:
        rid = holder["reservation_id"]
        if not model.known(holder, float("inf")):
            figures.fail(f"409 named {rid}, which no acknowledged add or change made {holder}")
            continue
        if model.deleted_at.get(rid, float("inf")) < began:
            figures.fail(f"409 named {rid}, deleted before that add began")
        start, stay = date.fromisoformat(body["check_in"]), timedelta(days=body["nights"])
        h_start = date.fromisoformat(holder["check_in"])
        if holder["room_number"] != body["room_number"] or not (
            h_start < start + stay and start < h_start + timedelta(days=holder["nights"])
        ):
            figures.fail(f"409 named {rid}, which does not overlap {body}")
    # a list shows only what could exist then: created by an add begun before the list ended,
    # not deleted before the list began, and exactly as acknowledged
    for began, ended, items in model.lists:
        for item in items:
            rid = item["reservation_id"]
            if model.add_started.get(rid, float("inf")) > ended and rid not in model.by_id:
                figures.fail(f"list showed {rid}, which no add created")
            elif model.deleted_at.get(rid, float("inf")) < began:
                figures.fail(f"list showed {rid} after its delete was acknowledged")
            elif rid in model.by_id and not model.known(item, ended):
                figures.fail(f"list showed {rid} as {item}, acknowledged as {model.versions[rid]}")
    # the rooms rule held throughout: every stay (all are from today on) is in a defined room
    defined = {room["room_number"] for room in final_rooms}
    homeless = sorted({item["room_number"] for item in final} - defined)
    figures.counts["stays_in_undefined_rooms"] = len(homeless)
    if homeless:
        figures.fail(f"stays in rooms that are not defined: {homeless}")
    figures.counts["ids_unique"] = len(model.by_id) == len(
        {a.reservation["reservation_id"] for a in model.fresh}
    )


def run(
    url: str,
    headers: dict[str, str],
    *,
    clients: int,
    ops: int,
    store: str,
    rooms: int = 12,
    seed: int = 1,
    audit: Callable[[], list[str]] | None = None,
    syncs: SyncRun | None = None,
) -> Figures:
    """``headers`` name a customer of its own: the model assumes no one else touches its table.

    ``audit`` reads the table itself afterwards (``harness.table_problems``): its nights, list and
    counter must be in step, which HTTP answers alone cannot show."""
    figures = Figures("concurrency model", store)
    model = Model(rooms=set(range(1, rooms + 1)))
    if list_all(url, headers):
        raise ValueError("the model check needs an empty customer")
    with httpx.Client(base_url=url, headers=headers, timeout=60) as setup:
        for room in sorted(model.rooms):
            setup.put(f"/rooms/{room}").raise_for_status()

    with ExitStack() as stack:
        feeds = stack.enter_context(channels(url, headers, seed)) if syncs is not None else None

        async def main() -> None:
            limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
            async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=60) as http:
                work = [_client(n, ops, http, model, figures, rooms, seed) for n in range(clients)]
                if feeds is not None and syncs is not None:
                    work.append(channel_task(feeds, syncs, figures, seed))
                await asyncio.gather(*work)

        started = time.monotonic()
        run_async(main())
        figures.counts["clients"] = clients
        figures.counts["seconds"] = round(time.monotonic() - started, 1)
        outcomes = sync(syncs.settings, syncs.customer) if syncs is not None else []
        final_rooms = httpx.get(f"{url}/rooms", params={"limit": 1000}, headers=headers, timeout=60).json()[
            "items"
        ]
        final = list_all(url, headers)
        blocks = held_nights(url, headers) if syncs is not None else []
        _check(model, final, final_rooms, figures, blocks)
        if feeds is not None:
            check_settled(feeds, outcomes, final, blocks, figures)
    if audit is not None:
        problems = audit()
        figures.counts["table_problems"] = len(problems)
        for problem in problems[:5]:
            figures.fail(f"table checker: {problem}")
    return figures


def _code(response: httpx.Response) -> str | None:
    """The error code of a 409 (None for any other answer)."""
    if response.status_code != 409:
        return None
    code = response.json().get("error", {}).get("code")
    return code if isinstance(code, str) else None


def _room_undefined(response: httpx.Response) -> bool:
    """409 ``room_not_defined``: a room the customer has not defined (or no longer has)."""
    return _code(response) == "room_not_defined"
