"""The clerk's main journeys in real Chromium against a real ``reservations serve``."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, Request, Route, expect

from tests.support.web import (
    Customer,
    Gateway,
    StaticOrigin,
    add_dialog,
    all_reservations,
    bar,
    book,
    day_after,
    fill_add_form,
    row,
    server_error_message,
    sign_in,
    today,
)

pytestmark = pytest.mark.browser


def test_sign_in_add_refuse_double_booking_delete_and_sign_out(
    page: Page, gateway: Gateway, customer: Customer, api: httpx.Client, output_dir: Path
) -> None:
    sign_in(page, gateway.url, customer)
    expect(page.get_by_text("No reservations yet")).to_be_visible()
    page.evaluate("window.sameDocument = true")  # survives only if nothing below reloads the page

    check_in = day_after(today(), 2)
    book(page, guest="Ada Lovelace", room="101", check_in=check_in, nights="3")
    expect(add_dialog(page)).to_be_hidden()
    [created] = all_reservations(api, customer)
    rid = created["reservation_id"]
    expect(page.get_by_role("status").filter(has_text=f"Booked reservation {rid}")).to_be_visible()
    expect(row(page, "Ada Lovelace").locator("td")).to_have_text(
        [
            str(rid),
            "Ada Lovelace",
            "101",
            check_in.isoformat(),
            day_after(check_in, 3).isoformat(),
            "3",
            "ChangeDelete",  # the actions cell: its two buttons
        ]
    )
    ada = bar(page, 101, "Ada Lovelace")
    expect(ada).to_be_visible()
    # The bar spans exactly its three nights: from the check-in column to the night before check-out.
    stay = ada.locator("xpath=..").bounding_box()
    first = page.locator(f"#grid th[data-day='{check_in.isoformat()}']").bounding_box()
    last = page.locator(f"#grid th[data-day='{day_after(check_in, 2).isoformat()}']").bounding_box()
    assert stay is not None
    assert first is not None
    assert last is not None
    assert abs(stay["x"] - first["x"]) <= 2
    assert abs((stay["x"] + stay["width"]) - (last["x"] + last["width"])) <= 2

    # A double booking: the server's 409 is shown at the room field, naming the colliding reservation.
    book(page, guest="Grace Hopper", room="101", check_in=day_after(check_in, 1), nights="2")
    room_error = add_dialog(page).locator("#add-room-error")
    expect(room_error).to_contain_text(
        f"Room 101 is already booked on {day_after(check_in, 1).isoformat()} by reservation {rid}"
    )
    expect(room_error).to_contain_text(f"Colliding reservation {rid}: Ada Lovelace, room 101")
    expect(add_dialog(page).get_by_label("Room", exact=True)).to_have_attribute("aria-invalid", "true")
    assert len(all_reservations(api, customer)) == 1
    page.screenshot(path=output_dir / "double-booking.png")
    add_dialog(page).get_by_role("button", name="Cancel").click()

    page.locator("#reservations").screenshot(path=output_dir / "table.png")
    page.locator("#occupancy").screenshot(path=output_dir / "grid.png")

    # Delete, confirmed in a dialog; the row and the bar go without a reload.
    row(page, "Ada Lovelace").get_by_role("button", name=f"Delete reservation {rid}").click()
    confirm = page.get_by_role("dialog", name=f"Delete reservation {rid}?")
    expect(confirm).to_contain_text("Ada Lovelace, room 101")
    confirm.get_by_role("button", name="Delete").click()
    expect(row(page, "Ada Lovelace")).to_have_count(0)
    expect(ada).to_have_count(0)
    expect(page.get_by_text("No reservations yet")).to_be_visible()
    assert all_reservations(api, customer) == []
    assert page.evaluate("window.sameDocument") is True

    # The key is in this tab's sessionStorage only, and sign-out forgets it.
    stored = page.evaluate("JSON.stringify(sessionStorage)")
    assert customer.api_key in stored
    assert customer.api_key not in page.evaluate("JSON.stringify(localStorage) + document.cookie")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert page.evaluate("sessionStorage.length") == 0
    expect(page.get_by_label("API key")).to_have_value("")
    page.reload()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_bad_key_is_refused_with_the_servers_message(
    page: Page, gateway: Gateway, customer: Customer, api: httpx.Client
) -> None:
    wrong = Customer(customer.name, customer.api_key[:-4] + "AAAA")
    page.goto(gateway.url)
    page.get_by_label("Customer").fill(wrong.name)
    page.get_by_label("API key").fill(wrong.api_key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text(server_error_message(api, wrong.headers))
    expect(page.get_by_role("heading", name="Occupancy", exact=True)).to_be_hidden()
    assert page.evaluate("sessionStorage.length") == 0

    page.get_by_label("Customer").fill("")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#customer-error")).to_have_text("Customer is required")
    expect(page.get_by_label("Customer")).to_be_focused()


def test_a_key_rotated_mid_session_returns_to_sign_in_with_the_servers_message(
    page: Page, gateway: Gateway, customer: Customer, api: httpx.Client
) -> None:
    sign_in(page, gateway.url, customer)
    gateway.cli("tenants", "rotate-key", customer.name)
    page.get_by_role("button", name="Next 14 days").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(server_error_message(api, customer.headers))
    assert page.evaluate("sessionStorage.length") == 0


def test_form_refuses_bad_input_before_any_request(page: Page, gateway: Gateway, customer: Customer) -> None:
    sign_in(page, gateway.url, customer)
    posts: list[Request] = []
    page.on("request", lambda r: posts.append(r) if r.method == "POST" else None)
    page.get_by_role("button", name="New reservation").click()
    dialog = fill_add_form(page, guest="   ", room="0", check_in=day_after(today(), -3), nights="31")
    dialog.get_by_role("button", name="Book").click()
    expect(dialog.locator("#add-guest-error")).to_have_text("Guest name is required")
    expect(dialog.locator("#add-room-error")).to_have_text("Room must be between 1 and 99999")
    expect(dialog.locator("#add-nights-error")).to_have_text("Nights must be between 1 and 30")
    expect(dialog.locator("#add-check-in-error")).to_have_text("Check-in must not be in the past")
    expect(dialog.get_by_label("Guest name")).to_be_focused()
    # Typing in a field clears its error.
    dialog.get_by_label("Nights").fill("2")
    expect(dialog.locator("#add-nights-error")).to_be_hidden()
    assert posts == []

    # An error without a field (here a 503 the store sends when busy) is shown above the form.
    page.route(
        "**/reservations",
        lambda route: route.fulfill(
            status=503,
            headers={"Retry-After": "2", "X-Request-Id": "req-123"},
            json={"error": {"code": "unavailable", "message": "The store is busy."}},
        ),
    )
    fill_add_form(page, guest="Ada", room="1", check_in=today(), nights="1")
    dialog.get_by_role("button", name="Book").click()
    expect(dialog.locator("#add-error")).to_have_text(
        "The store is busy. Try again in 2 seconds. (request req-123)"
    )
    expect(dialog).to_be_visible()


def test_a_lost_answer_retried_and_a_double_click_each_book_once(
    page: Page, gateway: Gateway, customer: Customer, api: httpx.Client
) -> None:
    sign_in(page, gateway.url, customer)
    keys: list[str] = []
    lost = {"done": False}

    def lose_first_answer(route: Route) -> None:
        if route.request.method != "POST":
            route.fallback()
            return
        keys.append(route.request.headers["idempotency-key"])
        response = route.fetch()  # the server books it...
        if not lost["done"]:
            lost["done"] = True
            assert response.status == 201
            route.abort("connectionreset")  # ...but the answer never reaches the page
        else:
            route.fulfill(response=response)

    page.route("**/reservations", lose_first_answer)
    dialog = book(page, guest="Edsger Dijkstra", room="7", check_in=day_after(today(), 1), nights="2")
    expect(dialog.get_by_role("alert")).to_contain_text("cannot be reached")
    dialog.get_by_role("button", name="Book").click()
    expect(dialog).to_be_hidden()
    assert len(keys) == 2
    assert keys[0] == keys[1]
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", keys[0])
    assert [r["guest_name"] for r in all_reservations(api, customer)] == ["Edsger Dijkstra"]

    page.get_by_role("button", name="New reservation").click()
    dialog = fill_add_form(page, guest="Barbara Liskov", room="8", check_in=day_after(today(), 1), nights="1")
    dialog.get_by_role("button", name="Book").dblclick()
    expect(dialog).to_be_hidden()
    expect(row(page, "Barbara Liskov")).to_have_count(1)
    names = sorted(r["guest_name"] for r in all_reservations(api, customer))
    assert names == ["Barbara Liskov", "Edsger Dijkstra"]
    assert len(keys) == 3
    assert keys[2] != keys[0]


def test_the_page_works_hosted_apart_from_the_api(
    page: Page, gateway: Gateway, customer: Customer, api: httpx.Client, static_origin: StaticOrigin
) -> None:
    origin = static_origin.url
    page.goto(f"{origin}/index.html")
    page.get_by_label("Customer").fill(customer.name)
    page.get_by_label("API key").fill(customer.api_key)
    page.get_by_text("The API is on another address").click()
    page.get_by_label("API base URL").fill("ftp://example.invalid")
    page.get_by_label("API key").press("Enter")
    expect(page.locator("#api-base-error")).to_contain_text("must start with https:// or http://")

    sign_in(page, f"{origin}/index.html", customer, api_base=gateway.url)
    api_calls: list[str] = []
    page.on("request", lambda r: api_calls.append(r.url) if "/reservations" in r.url else None)
    book(page, guest="Katherine Johnson", room="12", check_in=today(), nights="1")
    expect(bar(page, 12, "Katherine Johnson")).to_be_visible()
    assert api_calls
    assert all(url.startswith(f"{gateway.url}/reservations") for url in api_calls)
    assert [r["guest_name"] for r in all_reservations(api, customer)] == ["Katherine Johnson"]
