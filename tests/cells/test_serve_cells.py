"""``reservations serve --cells 2`` end to end (issue #24): two cells (a moto server and an API each,
standing for two accounts) behind one URL, customers placed with ``tenants create [--cell]``.

The contract's core passes through the one URL for a customer in each cell, keys work only for their
own customer, and each customer's table is only in its own cell's endpoint.  ``tenants move`` under a
running load of adds and changes: every acknowledged write is there exactly once afterwards."""

from __future__ import annotations

import http.client
import itertools
import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from reservations.domain.parsing import today_utc
from tests.support.cells import CellStack, start_cell_stack

pytestmark = pytest.mark.slow

DAY = today_utc() + timedelta(days=30)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CellStack]:
    started = start_cell_stack(tmp_path_factory.mktemp("cells"))
    try:
        yield started
    finally:
        started.stop()


def contract_core(client: httpx.Client, guest: str) -> None:
    """Rooms, availability, add, list, change, delete: each answered as docs/api.md says."""
    assert client.put("/rooms/101", json={"name": "Garden"}).status_code == 201
    assert client.put("/rooms/102", json={}).status_code == 201
    assert [room["room_number"] for room in client.get("/rooms").json()["items"]] == [101, 102]
    free = client.get("/availability", params={"check_in": DAY.isoformat(), "nights": 2})
    assert free.json()["free_rooms"] == [101, 102]
    added = client.post(
        "/reservations",
        json={"guest_name": guest, "room_number": 101, "nights": 2, "check_in": DAY.isoformat()},
    )
    assert added.status_code == 201, added.text
    rid = added.json()["reservation_id"]
    assert [r["guest_name"] for r in client.get("/reservations").json()["items"]] == [guest]
    again = client.post(
        "/reservations",
        json={"guest_name": "X", "room_number": 101, "nights": 1, "check_in": DAY.isoformat()},
    )
    assert again.status_code == 409
    assert client.get("/availability", params={"check_in": DAY.isoformat(), "nights": 2}).json()[
        "free_rooms"
    ] == [102]
    changed = client.patch(f"/reservations/{rid}", json={"room_number": 102})
    assert changed.status_code == 200
    assert changed.json()["reservation_id"] == rid
    assert client.get(f"/reservations/{rid}").json()["room_number"] == 102
    assert client.delete(f"/reservations/{rid}").status_code == 204
    missing = client.get(f"/reservations/{rid}")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


@pytest.fixture(scope="module")
def placed(stack: CellStack) -> CellStack:
    """``star`` in cell c1 and ``moon`` in c2."""
    assert stack.create("star", "--cell", "c1") == "c1"
    assert stack.create("moon", "--cell", "c2") == "c2"
    return stack


def test_the_contract_passes_through_one_url_and_data_stays_in_its_cell(placed: CellStack) -> None:
    stack = placed
    for customer in ("star", "moon"):
        with stack.client(customer) as client:
            contract_core(client, f"Guest of {customer}")

    # A key works only for its own customer, whichever cell either is in.
    moon_with_star_key = {"X-Customer": "moon", "X-Api-Key": stack.keys["star"]}
    refused = httpx.get(f"{stack.url}/reservations", headers=moon_with_star_key)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "unauthenticated"
    assert (
        httpx.get(
            f"{stack.url}/reservations", headers={"X-Customer": "nobody", "X-Api-Key": "rsv_x"}
        ).status_code
        == 401
    )
    assert httpx.get(f"{stack.url}/reservations", headers={"X-Customer": "star"}).status_code == 401

    # Each customer's table (and registry entry) is in its own cell's endpoint only.
    assert "star-reservations" in stack.tables("c1")
    assert "star-reservations" not in stack.tables("c2")
    assert "moon-reservations" in stack.tables("c2")
    assert "moon-reservations" not in stack.tables("c1")

    # Bad input through the CLI: one line, a non-zero exit.
    for args in (
        ("create", "sun", "--cell", "c9"),
        ("move", "star", "--to", "c1"),
        ("move", "nobody", "--to", "c2"),
    ):
        done = stack.cli(*args)
        assert done.returncode != 0
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_the_original_clients_routes_and_the_public_pages_pass_through(placed: CellStack) -> None:
    legacy = {"customer": "moon", "x-api-key": placed.keys["moon"]}  # as the original menu.py sends them
    with httpx.Client(base_url=placed.url, headers=legacy, timeout=30) as client:
        added = client.post(
            "/add-res", json={"customer_name": "Old Client", "room_number": "102", "nights": 2}
        )
        assert added.status_code == 200, added.text
        rows = [
            r for r in client.get("/get-res").json()["raw_scan"]["Items"] if r["CustomerName"] == "Old Client"
        ]
        assert len(rows) == 1
        assert (
            client.post("/delete-res", json={"reservation_id": rows[0]["ReservationId"]}).status_code == 200
        )
    assert httpx.get(f"{placed.url}/openapi.json").json()["openapi"] == "3.1.0"
    assert httpx.get(f"{placed.url}/healthz").json() == {"status": "ok"}


def test_a_custom_domain_routes_to_its_customers_cell(placed: CellStack) -> None:
    assert placed.create("lake", "--cell", "c2", "--host", "book.lake-hotel.com") == "c2"
    headers = {"Host": "book.lake-hotel.com", "X-Api-Key": placed.keys["lake"]}
    answer = httpx.get(f"{placed.url}/reservations", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["items"] == []
    bad = placed.cli("create", "pond", "--host", "not a host")
    assert bad.returncode != 0
    assert "pond" not in placed.cli("cells").stdout  # refused before anything was made


def routed_by_host(stack: CellStack, host: str, customer: str, expected: int) -> int:
    """The status for ``customer``'s key sent to ``host``: ``expected`` as soon as it is answered so,
    else the last of a few seconds' tries (the edge reads the directory at most every ``poll_s``, so a
    change reaches it a poll later)."""
    headers = {"Host": host, "X-Api-Key": stack.keys[customer]}
    for _ in range(30):
        status = httpx.get(f"{stack.url}/reservations", headers=headers).status_code
        if status == expected:
            return status
        time.sleep(0.1)
    return status


def test_tenants_list_and_hosts_act_on_every_cell_and_the_directory(placed: CellStack) -> None:
    """``tenants list`` reads each cell's registry and says the cell; ``tenants hosts`` writes the
    directory's host -> customer, which the edge routes by."""
    listed = placed.cli("list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = {row["customer"]: row for row in json.loads(listed.stdout)}
    assert (rows["star"]["cell"], rows["moon"]["cell"], rows["demo"]["cell"]) == ("c1", "c2", "c1")
    assert all(row["routed"] and row["key_ids"] and row["status"] == "active" for row in rows.values())
    assert rows["moon"]["table"] == "moon-reservations"
    text = placed.cli("list").stdout.splitlines()
    assert any(line.startswith("moon\tc2\tactive\tmoon-reservations\tkeys: ") for line in text), text

    host = "book.moon-hotel.com"
    assert routed_by_host(placed, host, "moon", 401) == 401  # no customer has it yet
    added = placed.cli("hosts", "add", "moon", host.upper())
    assert added.returncode == 0, added.stderr
    assert added.stdout == f"{host} -> moon (added)\n"
    assert placed.cli("hosts", "add", "moon", host).stdout == f"{host} -> moon (already mapped)\n"
    assert json.loads(placed.cli("hosts", "list", "--json").stdout)[host] == "moon"
    assert f"{host}\tmoon" in placed.cli("hosts", "list").stdout.splitlines()
    assert routed_by_host(placed, host, "moon", 200) == 200  # to moon's cell, c2
    assert routed_by_host(placed, host, "star", 401) == 401  # star's key is unknown in moon's cell

    for args in (
        ("hosts", "add", "star", "book.star-hotel.com", host),  # the second is moon's: neither is added
        ("hosts", "add", "nobody", "book.nobody.com"),
        ("hosts", "add", "star", "not a host"),
        ("hosts", "remove", "never.mapped.com"),
    ):
        done = placed.cli(*args)
        assert done.returncode != 0, args
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert "Traceback" not in done.stderr
    assert "book.star-hotel.com" not in json.loads(placed.cli("hosts", "list", "--json").stdout)

    removed = placed.cli("hosts", "remove", host)
    assert removed.stdout == f"{host} -> moon (removed)\n", removed.stderr
    assert host not in json.loads(placed.cli("hosts", "list", "--json").stdout)
    assert routed_by_host(placed, host, "moon", 401) == 401


def test_a_key_never_reaches_a_customer_of_another_cell(placed: CellStack) -> None:
    """The isolation proof's core across cells: star's key (cell c1) against moon (cell c2) in every
    spelling of either header is refused with 401 and the error's body (the key is unknown in moon's
    cell, where it is checked), never moon's data, and moon's stay is still there after the DELETEs.
    tests/api/test_isolation.py runs the whole proof through the one URL, same cell and other cell."""
    with placed.client("moon") as moon:
        stay = moon.post(
            "/reservations",
            json={
                "guest_name": "guest of moon",
                "room_number": 101,
                "nights": 1,
                "check_in": DAY.isoformat(),
            },
        ).json()["reservation_id"]
    parts = urlsplit(placed.url)
    for header, spelling in itertools.product(
        ("X-Customer", "customer"), ["moon", "MOON", "  moon ", "\tMoon"]
    ):
        for method, path in (
            ("GET", "/reservations"),
            ("GET", f"/reservations/{stay}"),
            ("DELETE", f"/reservations/{stay}"),
        ):
            conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
            conn.request(method, path, headers={header: spelling, "X-Api-Key": placed.keys["star"]})
            answer = conn.getresponse()
            text = answer.read().decode()
            conn.close()
            assert answer.status == 401, (header, spelling, method, text)
            assert json.loads(text)["error"]["code"] == "unauthenticated"
            assert "guest of moon" not in text
    with placed.client("moon") as moon:
        assert moon.get(f"/reservations/{stay}").json()["guest_name"] == "guest of moon"


class Load:
    """Writers that add a stay and then change it, again and again, each honouring 503 + Retry-After
    (a refused write changed nothing, so it is sent again, with the same Idempotency-Key for an add)."""

    def __init__(self, stack: CellStack, customer: str, writers: int) -> None:
        self._client = stack.client(customer)
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.added: dict[int, str] = {}  # acknowledged adds: id -> guest
        self.changed: dict[int, str] = {}  # acknowledged changes: id -> guest after it
        self.refused = 0
        self.errors: list[str] = []
        self.reads_refused: list[int] = []  # any read not answered 200 (reads go on during a move)
        self._threads = [threading.Thread(target=self._write, args=(n,)) for n in range(writers)]
        self._threads.append(threading.Thread(target=self._read))

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join()
        self._client.close()

    @property
    def writes(self) -> int:
        with self.lock:
            return len(self.added) + len(self.changed)

    def _send(
        self, method: str, path: str, body: dict[str, object], headers: dict[str, str]
    ) -> httpx.Response:
        while True:
            answer = self._client.request(method, path, json=body, headers=headers)
            if answer.status_code != 503:
                return answer
            with self.lock:
                self.refused += 1
            assert answer.headers["Retry-After"] == "1"
            time.sleep(0.2)

    def _write(self, writer: int) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            guest = f"w{writer}-{n}"
            check_in = DAY + timedelta(days=3 * n)
            body = {
                "guest_name": guest,
                "room_number": 300 + writer,
                "nights": 2,
                "check_in": check_in.isoformat(),
            }
            added = self._send("POST", "/reservations", body, {"Idempotency-Key": uuid.uuid4().hex})
            if added.status_code != 201:
                self.errors.append(f"add {guest}: {added.status_code} {added.text}")
                return
            rid = int(added.json()["reservation_id"])
            with self.lock:
                self.added[rid] = guest
            changed = self._send("PATCH", f"/reservations/{rid}", {"guest_name": f"{guest}-changed"}, {})
            if changed.status_code != 200:
                self.errors.append(f"change {guest}: {changed.status_code} {changed.text}")
                return
            with self.lock:
                self.changed[rid] = f"{guest}-changed"

    def _read(self) -> None:
        while not self.stop.is_set():
            status = self._client.get("/reservations", params={"limit": 5}).status_code
            if status != 200:
                self.reads_refused.append(status)
            time.sleep(0.05)

    def wait_for(self, writes: int) -> None:
        while self.writes < writes and not self.errors:
            time.sleep(0.05)


def every_reservation(client: httpx.Client) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    cursor = None
    while True:
        page = client.get(
            "/reservations", params={"limit": 500, **({"cursor": cursor} if cursor else {})}
        ).json()
        found += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return found


def test_a_move_under_load_keeps_every_acknowledged_write_once(stack: CellStack) -> None:
    assert stack.create("sun", "--cell", "c1") == "c1"
    with Load(stack, "sun", writers=4) as load:
        load.wait_for(20)
        moved = stack.cli("move", "sun", "--to", "c2")
        before_end = load.writes
        load.wait_for(before_end + 20)  # and it goes on in the new cell
    assert moved.returncode == 0, moved.stderr
    assert load.errors == []
    assert load.refused > 0  # writes met the switch, and were refused rather than lost
    assert load.reads_refused == []
    switch = re.search(r"writes refused for ([0-9.]+) s", moved.stdout)
    assert switch is not None, moved.stdout

    with stack.client("sun") as client:
        stays = every_reservation(client)
    by_id = {int(str(stay["reservation_id"])): str(stay["guest_name"]) for stay in stays}
    assert len(by_id) == len(stays)  # no id twice
    expected = {rid: load.changed.get(rid, guest) for rid, guest in load.added.items()}
    lost = {rid for rid in expected if by_id.get(rid) != expected[rid]}
    extra = set(by_id) - set(expected)
    assert lost == set()
    assert extra == set()
    assert "sun-reservations" in stack.tables("c2")
    assert "sun-reservations" not in stack.tables("c1")
    print(  # the figure in docs/reliability.md ("Moving a customer between cells")
        f"\nmove under load: writes={load.writes} refused={load.refused} lost={len(lost)} "
        f"duplicated={len(stays) - len(by_id)} switch_s={switch.group(1)}"
    )


def test_a_stack_that_is_stopped_leaves_no_cell_behind(tmp_path: Path) -> None:
    """The cells are children of the stack: stopped with it, and the cells file goes too."""
    other = start_cell_stack(tmp_path)
    endpoints = other.endpoints()
    other.process.terminate()  # as Ctrl-C or a service manager stops it: the stack cleans up itself
    other.process.wait(timeout=120)
    other.stop()  # and nothing of its group is left, whatever happened
    assert not (other.data_dir / "cells.json").exists(), (tmp_path / "serve-cells.log").read_text()
    for endpoint in endpoints.values():
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{endpoint}/moto-api/data.json", timeout=2)
