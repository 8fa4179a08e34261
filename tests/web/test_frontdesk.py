"""The front desk on the page: every defined room in the grid, changing a stay, finding a free room."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.support.web import Customer, Gateway, all_reservations, bar, create, day_after, row, sign_in, today

pytestmark = pytest.mark.browser


def define_rooms(api: httpx.Client, customer: Customer, *rooms: int) -> None:
    for room in rooms:
        assert api.put(f"/rooms/{room}", headers=customer.headers).status_code == 201


def change_dialog(page: Page) -> Locator:
    return page.get_by_role("dialog", name="Change reservation")


def grid_rooms(page: Page) -> Locator:
    return page.locator("#grid tbody th.room")


def test_the_grid_shows_every_defined_room_and_rooms_to_show_filters_them(
    page: Page, gateway: Gateway, customer: Customer, api: httpx.Client
) -> None:
    define_rooms(api, customer, 101, 102, 103, 201)
    create(api, customer, "Ada", 102, day_after(today(), 2), 2)
    sign_in(page, gateway.url, customer)
    expect(grid_rooms(page)).to_have_text(["101", "102", "103", "201"])  # free rows included
    expect(bar(page, 102, "Ada")).to_be_visible()
    page.get_by_label("Rooms to show").fill("101-102")
    page.get_by_label("Rooms to show").press("Enter")
    expect(grid_rooms(page)).to_have_text(["101", "102"])
    page.get_by_label("Rooms to show").fill("")
    page.get_by_label("Rooms to show").press("Enter")
    expect(grid_rooms(page)).to_have_text(["101", "102", "103", "201"])


def test_a_stay_is_changed_from_the_grid_by_keyboard_same_id(
    page: Page, gateway: Gateway, customer: Customer, api: httpx.Client
) -> None:
    define_rooms(api, customer, 101, 102, 103)
    ada = create(api, customer, "Ada", 101, day_after(today(), 1), 2)
    bob = create(api, customer, "Bob", 103, day_after(today(), 2), 1)
    sign_in(page, gateway.url, customer)
    expect(bar(page, 101, "Ada")).to_be_visible()

    # Keyboard only: into the grid, arrows to Ada's stay, Enter opens the dialog.
    page.locator("#grid tbody [tabindex='0']").focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#grid tbody .bar:focus")).to_have_attribute("data-reservation-id", str(ada))
    page.keyboard.press("Enter")
    dialog = change_dialog(page)
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text(f"Change reservation {ada}")
    expect(dialog.get_by_label("Room", exact=True)).to_be_focused()
    expect(dialog.get_by_label("Guest name")).to_have_value("Ada")

    # A taken night: the server's refusal names the stay that holds it; nothing changed.
    page.keyboard.press("Control+A")
    page.keyboard.type("103")
    page.keyboard.press("Enter")
    expect(dialog.locator("#change-room-error")).to_contain_text(
        f"Colliding reservation {bob}: Bob, room 103"
    )
    assert [r["room_number"] for r in all_reservations(api, customer) if r["reservation_id"] == ada] == [101]

    dialog.get_by_label("Room", exact=True).fill("102")
    dialog.get_by_label("Nights").fill("3")
    dialog.get_by_label("Nights").press("Enter")
    expect(dialog).to_be_hidden()
    expect(page.locator("#notice")).to_contain_text(f"Changed reservation {ada}: Ada, room 102")
    expect(bar(page, 102, "Ada")).to_be_visible()
    expect(bar(page, 101, "Ada")).to_have_count(0)
    stored = next(r for r in all_reservations(api, customer) if r["reservation_id"] == ada)
    assert (stored["room_number"], stored["nights"]) == (102, 3)
    expect(row(page, "Ada")).to_contain_text("102")

    # Escape leaves the dialog without a change.
    bar(page, 102, "Ada").click()
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_a_stay_is_changed_from_the_table(
    page: Page, gateway: Gateway, customer: Customer, api: httpx.Client
) -> None:
    ada = create(api, customer, "Ada", 7, day_after(today(), 3), 1)  # a customer without rooms
    sign_in(page, gateway.url, customer)
    page.get_by_role("button", name=f"Change reservation {ada} (Ada)").click()
    dialog = change_dialog(page)
    dialog.get_by_label("Guest name").fill("Ada King")
    dialog.get_by_label("Nights").fill("0")
    dialog.get_by_role("button", name="Save changes").click()
    expect(dialog.locator("#change-nights-error")).to_have_text("Nights must be between 1 and 30")
    dialog.get_by_label("Nights").fill("2")
    dialog.get_by_role("button", name="Save changes").click()
    expect(dialog).to_be_hidden()
    expect(row(page, "Ada King")).to_contain_text(day_after(today(), 5).isoformat())  # the new check-out
    expect(bar(page, 7, "Ada King")).to_be_visible()
    stored = all_reservations(api, customer)
    assert [(r["reservation_id"], r["guest_name"], r["nights"]) for r in stored] == [(ada, "Ada King", 2)]


def test_find_a_free_room_highlights_the_free_rows(
    page: Page, gateway: Gateway, customer: Customer, api: httpx.Client
) -> None:
    sign_in(page, gateway.url, customer)
    page.get_by_label("Arriving").fill(day_after(today(), 2).isoformat())
    page.get_by_label("Nights to stay").fill("2")
    page.get_by_role("button", name="Find a free room").click()
    expect(page.locator("#free-result")).to_contain_text("no rooms are defined yet")

    define_rooms(api, customer, 101, 102, 103, 104)
    create(api, customer, "Ada", 102, day_after(today(), 3), 1)
    page.reload()
    page.get_by_label("Arriving").fill(day_after(today(), 2).isoformat())
    page.get_by_label("Nights to stay").fill("two")
    page.get_by_label("Nights to stay").press("Enter")
    expect(page.locator("#free-nights-error")).to_have_text("Nights must be a whole number")
    page.get_by_label("Nights to stay").fill("2")
    page.get_by_label("Nights to stay").press("Enter")
    expect(page.locator("#free-result")).to_contain_text("101, 103-104")
    expect(page.locator("#grid tbody tr.available")).to_have_count(3)
    expect(page.locator("#grid tbody tr.available th.room")).to_have_text(["101Free", "103Free", "104Free"])
    expect(page.locator("#grid tbody tr[data-room='102']")).not_to_have_class("available")

    # Booking one of them takes it off the highlight.
    create(api, customer, "Bob", 101, day_after(today(), 2), 1)
    page.get_by_role("button", name="Find a free room").click()
    expect(page.locator("#grid tbody tr.available")).to_have_count(2)
    page.get_by_role("button", name="Clear highlight").click()
    expect(page.locator("#grid tbody tr.available")).to_have_count(0)


def test_a_stay_dragged_onto_a_free_day_opens_the_change_dialog_there(
    page: Page, gateway: Gateway, customer: Customer, api: httpx.Client
) -> None:
    define_rooms(api, customer, 101, 102)
    ada = create(api, customer, "Ada", 101, day_after(today(), 1), 2)
    sign_in(page, gateway.url, customer)
    target = day_after(today(), 4)
    page.drag_and_drop(
        "#grid tbody tr[data-room='101'] .bar",
        f"#grid tbody tr[data-room='102'] button[data-day='{target.isoformat()}']",
    )
    dialog = change_dialog(page)
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Room", exact=True)).to_have_value("102")
    expect(dialog.get_by_label("Check-in")).to_have_value(target.isoformat())
    dialog.get_by_role("button", name="Save changes").click()
    expect(dialog).to_be_hidden()
    expect(bar(page, 102, "Ada")).to_be_visible()
    stored = all_reservations(api, customer)
    assert [(r["reservation_id"], r["room_number"], r["check_in"]) for r in stored] == [
        (ada, 102, target.isoformat())
    ]
