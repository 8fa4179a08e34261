"""The occupancy grid and the table: free cells, keyboard, paging, filters, sorting, states, phone size."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, Route, expect

from tests.support.web import (
    Customer,
    Gateway,
    add_dialog,
    bar,
    create,
    day_after,
    row,
    sign_in,
    today,
)

pytestmark = pytest.mark.browser


def test_a_free_cell_opens_the_form_prefilled_by_mouse_and_by_keyboard(
    page: Page, gateway: Gateway, customer: Customer
) -> None:
    sign_in(page, gateway.url, customer)
    expect(page.locator("#grid-status")).to_contain_text("No stays")
    page.get_by_label("Rooms to show").fill("101-103")
    page.get_by_label("Rooms to show").press("Enter")
    expect(page.locator("#grid tbody th")).to_have_text(["101", "102", "103"])
    expect(page.locator("#grid thead th.today")).to_contain_text("Today")

    day = day_after(today(), 3)
    page.locator(f"#grid tr[data-room='102'] button[data-day='{day.isoformat()}']").click()
    dialog = add_dialog(page)
    expect(dialog.get_by_label("Room", exact=True)).to_have_value("102")
    expect(dialog.get_by_label("Check-in")).to_have_value(day.isoformat())
    expect(dialog.get_by_label("Guest name")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # Keyboard: the grid is one tab stop; arrows move, Enter books the focused day.
    page.locator("#grid tbody button").first.focus()
    for key in ("ArrowDown", "ArrowDown", "ArrowRight", "ArrowRight", "ArrowUp"):
        page.keyboard.press(key)
    focused = page.locator("#grid tbody button:focus")
    expect(focused).to_have_attribute("data-room", "102")
    expect(focused).to_have_attribute("data-day", day_after(today(), 2).isoformat())
    outline = focused.evaluate("b => getComputedStyle(b).outlineStyle")
    assert outline != "none", "keyboard focus must be visible"
    expect(page.locator("#grid tbody [tabindex='0']")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(dialog.get_by_label("Check-in")).to_have_value(day_after(today(), 2).isoformat())
    dialog.get_by_label("Guest name").fill("Mary Jackson")
    dialog.get_by_label("Guest name").press("Enter")
    expect(dialog).to_be_hidden()
    expect(bar(page, 102, "Mary Jackson")).to_be_visible()

    # The session survives a reload of the tab, and so do the rooms chosen.
    page.reload()
    expect(page.locator("#grid tbody th")).to_have_text(["101", "102", "103"])
    expect(bar(page, 102, "Mary Jackson")).to_be_visible()

    # Days the server would refuse (before yesterday, UTC) offer nothing to book.
    page.get_by_role("button", name="Previous 14 days").click()
    expect(page.locator("#grid-start")).to_have_value(day_after(today(), -14).isoformat())
    room_101 = page.locator("#grid tbody tr[data-room='101']")
    expect(room_101.locator("button.free-slot")).to_have_count(1)
    expect(room_101.locator("button.free-slot")).to_have_attribute(
        "data-day", day_after(today(), -1).isoformat()
    )
    expect(room_101.locator(".past-slot")).to_have_count(13)
    page.get_by_role("button", name="Today").click()

    # The 14-day window moves; a stay outside it leaves the grid.
    page.get_by_role("button", name="Next 14 days").click()
    expect(page.locator("#grid-start")).to_have_value(day_after(today(), 14).isoformat())
    expect(bar(page, 102, "Mary Jackson")).to_have_count(0)
    page.get_by_role("button", name="Today").click()
    expect(bar(page, 102, "Mary Jackson")).to_be_visible()


def test_table_pages_sorts_filters_and_shows_loading_and_empty_states(
    page: Page, gateway: Gateway, customer: Customer, api: httpx.Client
) -> None:
    start = day_after(today(), 1)
    for room in range(1, 56):
        create(api, customer, f"Guest {room:02d}", room, day_after(start, room % 3), 1)

    sign_in(page, gateway.url, customer)
    expect(page.locator("#list-body tr")).to_have_count(50)
    expect(page.locator("#list-status")).to_have_text("Showing 50 reservations; more to load.")

    page.get_by_role("button", name="Load more").click()
    expect(page.locator("#list-body tr")).to_have_count(55)
    expect(page.get_by_role("button", name="Load more")).to_be_hidden()

    room_header = page.locator("#list th[data-sort='room_number']")
    room_header.get_by_role("button").click()
    expect(room_header).to_have_attribute("aria-sort", "ascending")
    expect(page.locator("#list-body tr").first.locator("td").nth(2)).to_have_text("1")
    room_header.get_by_role("button").click()
    expect(room_header).to_have_attribute("aria-sort", "descending")
    expect(page.locator("#list-body tr").first.locator("td").nth(2)).to_have_text("55")

    filters = page.locator("#filters")
    filters.get_by_label("Room").fill("7")
    filters.get_by_role("button", name="Filter").click()
    expect(page.locator("#list-body tr")).to_have_count(1)
    expect(row(page, "Guest 07")).to_be_visible()

    filters.get_by_label("Room").fill("")
    filters.get_by_label("From").fill(day_after(start, 10).isoformat())
    filters.get_by_role("button", name="Filter").click()
    expect(page.locator("#list-body")).to_have_text("No reservations match these filters.")

    filters.get_by_label("To").fill(day_after(start, 5).isoformat())
    filters.get_by_role("button", name="Filter").click()
    expect(page.locator("#filter-to-error")).to_have_text("To must be after From")

    # While the API is slow the table says it is loading.
    held: list[Route] = []

    def is_list(url: str) -> bool:
        return "/reservations" in url

    page.route(is_list, lambda route: held.append(route))
    filters.get_by_role("button", name="Clear").click()
    expect(page.locator("#list-body")).to_have_text("Loading reservations…")
    expect(page.locator("#list-scroll")).to_have_attribute("aria-busy", "true")
    page.unroute(is_list)
    for route in held:
        route.fallback()
    expect(page.locator("#list-body tr")).to_have_count(50)
    expect(page.locator("#list-scroll")).to_have_attribute("aria-busy", "false")
