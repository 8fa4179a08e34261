"""Channel calendars on the page: a channel's blocks on the grid in their own style, named by the
channel's host, and each room's feed URL and imported calendars with their last sync.

The feed is a real ``.ics`` (Airbnb's shape) served on loopback; the sync runs as an operator runs
it, ``reservations channels sync``, against the gateway's data: SQLite files, or DynamoDB on moto's
server (the blocks are claimed by each store's own transaction, and the page reads them back).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.channels.feeds import airbnb_ics, feed_server
from tests.support.settings import GATEWAY_KINDS, store_settings
from tests.support.web import (
    Customer,
    Gateway,
    StaticOrigin,
    add_dialog,
    bar,
    create,
    day_after,
    serve_web,
    sign_in,
    today,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", params=GATEWAY_KINDS)
def gateway(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, static_origin: StaticOrigin
) -> Iterator[Gateway]:
    """The web page's gateway on each store (DynamoDB slow-marked), for this module alone."""
    root = tmp_path_factory.mktemp(f"web-{request.param}")
    settings = store_settings(request.param, root, request)
    with serve_web(root, static_origin, settings.to_env()) as running:
        yield running


def test_blocks_show_on_the_grid_and_the_rooms_feeds_are_listed(
    page: Page,
    gateway: Gateway,
    api: httpx.Client,
    customer: Customer,
    output_dir: Path,
    request: pytest.FixtureRequest,
) -> None:
    for number in (101, 102):
        assert api.put(f"/rooms/{number}", headers=customer.headers).status_code == 201
    create(api, customer, "Ada Lovelace", 101, day_after(today(), 1), 2)
    held_from, held_to = day_after(today(), 2), day_after(today(), 5)
    with feed_server() as feeds:
        # "localhost", not 127.0.0.1: the page names a block by the feed's host, as a clerk knows it.
        url = feeds.serve_ics("/airbnb/102.ics", airbnb_ics([("HM-1@airbnb.com", held_from, held_to)]))
        url = url.replace("127.0.0.1", "localhost")
        put = api.put("/rooms/102", json={"import_calendars": [url]}, headers=customer.headers)
        assert put.status_code == 200, put.text
        synced = gateway.cli("channels", "sync", "--customer", customer.name)
        assert "1 blocked" in synced.stdout, synced.stdout

    sign_in(page, gateway.url, customer)
    block = page.locator("#grid tbody tr[data-room='102'] td.block")
    expect(block).to_have_count(1)
    expect(block).to_have_attribute("colspan", "3")
    expect(block.locator(".block-bar")).to_have_text("localhost")
    expect(block.locator(".block-bar")).to_have_attribute(
        "aria-label",
        f"Room 102: held by localhost (channel calendar), {_long(page, held_from)} "
        f"to {_long(page, held_to)}, 3 nights",
    )
    # Its own style: a stay's bar and a block's differ in look, not only in words.
    stay = bar(page, 101, "Ada Lovelace")
    expect(stay).to_be_visible()
    style = "e => [getComputedStyle(e).backgroundImage, getComputedStyle(e).borderStyle]"
    assert block.locator(".block-bar").evaluate(style) != stay.evaluate(style)
    # The nights before and after stay bookable; the block itself is not a stay to change or book.
    row = page.locator("#grid tbody tr[data-room='102']")
    expect(row.locator(f"button[data-day='{day_after(today(), 1).isoformat()}']")).to_have_count(1)
    expect(row.locator(f"button[data-day='{held_from.isoformat()}']")).to_have_count(0)
    expect(row.locator(f"button[data-day='{held_to.isoformat()}']")).to_have_count(1)
    block.locator(".block-bar").click()
    expect(add_dialog(page)).to_be_hidden()
    expect(page.get_by_role("dialog", name="Change reservation")).to_be_hidden()

    # The panel: each room's feed URL, as GET /rooms gives it, and the calendars it imports.
    rooms = {r["room_number"]: r for r in api.get("/rooms", headers=customer.headers).json()["items"]}
    panel = page.get_by_role("region", name="Channel calendars")
    expect(panel).to_be_visible()
    expect(panel.get_by_label("Room 101 feed URL")).to_have_value(rooms[101]["calendar_url"])
    expect(panel.get_by_label("Room 102 feed URL")).to_have_value(rooms[102]["calendar_url"])
    expect(panel.locator("tr[data-room='101'] td.imports")).to_have_text("None")
    imports = panel.locator("tr[data-room='102'] .import")
    expect(imports).to_have_count(1)
    expect(imports.locator(".import-url")).to_have_text(url)
    expect(imports.locator(".sync-status")).to_contain_text("localhost — Synced")
    expect(imports.locator(".sync-status")).to_contain_text(": 1 event")
    # One picture per store: the second run must not overwrite the first's.
    page.screenshot(
        path=str(output_dir / f"channels-{request.node.callspec.params['gateway']}.png"), full_page=True
    )


def test_the_panel_stays_hidden_without_rooms(page: Page, gateway: Gateway, customer: Customer) -> None:
    sign_in(page, gateway.url, customer)
    expect(page.locator("#grid-status")).to_contain_text("No stays")
    expect(page.locator("#channels")).to_be_hidden()


def _long(page: Page, day: object) -> str:
    """The page's own long date, so the test does not restate its wording."""
    return str(page.evaluate("d => import('./js/dates.js').then(m => m.longDate(d))", str(day)))
