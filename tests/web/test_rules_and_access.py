"""The page's copy of the server's rules, its contrast and its phone-sized layout."""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from reservations.domain.errors import ReservationsError
from reservations.domain.parsing import (
    NIGHTS_MAX,
    NIGHTS_MIN,
    ROOM_MAX,
    ROOM_MIN,
    parse_check_in,
    parse_guest_name,
    parse_int_text,
)
from tests.support.web import (
    Customer,
    Gateway,
    PageProblems,
    add_dialog,
    bar,
    create,
    day_after,
    new_context,
    sign_in,
    today,
    watch,
)

pytestmark = pytest.mark.browser

ALPHABET = [
    *"aZé-' ",
    "\t", "\n", "\x1c", "\x1f", "\x7f", "\x85", "\xa0", "\u200b", "\u200a", "\ufeff",
    "\u2028", "\u2029", "\u3000", "\u0301", "ß", "\U0001f600", "\u05d0",
]  # fmt: skip


def guest_name_cases() -> list[str]:
    rng = random.Random(4)
    cases = ["", " ", "Ada", " Ada ", "a" * 100, "a" * 101, "\U0001f600" * 100, "\U0001f600" * 101]
    cases += [" " + "b" * 100 + "\x1f", "\ufeffAda", "Ada\x1c", "\x85Ada\u3000", "A\u2028B"]
    for _ in range(300):
        length = rng.choice([1, 2, 3, 6, 99, 100, 101])
        cases.append("".join(rng.choice(ALPHABET) if rng.random() < 0.3 else "x" for _ in range(length)))
    return cases


def number_cases() -> list[str]:
    return [
        "0",
        "1",
        "7",
        "007",
        "30",
        "31",
        "99999",
        "100000",
        "-1",
        "1.5",
        "1e3",
        "",
        "x",
        "\uff11",
        "9" * 17,
    ]


def python_outcome(check: Callable[[str], Any], text: str) -> list[Any]:
    """The server's verdict in the shape the page returns: [accepted, normalised value]."""
    try:
        value = check(text)
    except ReservationsError:
        return [False, None]
    return [True, value.isoformat() if isinstance(value, date) else value]


def test_the_forms_rules_match_the_servers(page: Page, gateway: Gateway) -> None:
    now = today()
    names = guest_name_cases()
    numbers = number_cases()
    days = [(now + timedelta(days=d)).isoformat() for d in (-2, -1, 0, 1, 729, 730, 731)]
    days += ["2026-02-29", "2028-02-29", "2030-13-01", "2026-1-01", "2026-12-01\n", "20261201", ""]
    page.goto(gateway.url)
    got = page.evaluate(
        """async ([names, numbers, days, today]) => {
            const v = await import("/js/validate.js");
            const out = (r) => ("error" in r ? [false, null] : [true, r.value]);
            return {
                names: names.map((n) => out(v.checkGuestName(n))),
                rooms: numbers.map((n) => out(v.checkRoom(n))),
                nights: numbers.map((n) => out(v.checkNights(n))),
                days: days.map((d) => out(v.checkCheckIn(d, today))),
            };
        }""",
        [names, numbers, days, now.isoformat()],
    )
    room = functools.partial(parse_int_text, field="room_number", low=ROOM_MIN, high=ROOM_MAX)
    nights = functools.partial(parse_int_text, field="nights", low=NIGHTS_MIN, high=NIGHTS_MAX)
    check_in = functools.partial(parse_check_in, today=now)
    assert got["names"] == [python_outcome(parse_guest_name, n) for n in names]
    assert got["rooms"] == [python_outcome(room, n) for n in numbers]
    assert got["nights"] == [python_outcome(nights, n) for n in numbers]
    assert got["days"] == [python_outcome(check_in, d) for d in days]


CONTRAST_JS = """(selectors) => {
    const parse = (c) => {
        const p = c.match(/[\\d.]+/g).map(Number);
        return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
    };
    const lum = ({ r, g, b }) => {
        const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (el) => {
        for (; el; el = el.parentElement) {
            const c = parse(getComputedStyle(el).backgroundColor);
            if (c.a > 0.5) return c;
        }
        return { r: 255, g: 255, b: 255, a: 1 };
    };
    return selectors.map((sel) => {
        const el = document.querySelector(sel);
        if (!el) return [sel, 0];
        const a = lum(parse(getComputedStyle(el).color));
        const b = lum(background(el));
        return [sel, Math.round(((Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)) * 100) / 100];
    });
}"""


def test_text_contrast_meets_wcag_aa(
    page: Page, gateway: Gateway, customer: Customer, api: httpx.Client
) -> None:
    create(api, customer, "Dorothy Vaughan", 5, today(), 2)
    sign_in(page, gateway.url, customer)
    expect(bar(page, 5, "Dorothy Vaughan")).to_be_visible()
    page.locator("#filters").get_by_label("Room").fill("x")
    page.locator("#filters").get_by_role("button", name="Filter").click()
    selectors = [
        "body", ".topbar .brand", "#who span", "#sign-out", "#new-reservation", "#grid-prev", ".hint",
        "#grid thead th.today .today-tag", "#grid thead th .weekday", "#grid tbody th.room", ".bar .guest",
        "#list-body td", "#list-body .button.danger", ".sort", "#filter-room-error", "#list-status",
    ]  # fmt: skip
    ratios = dict(page.evaluate(CONTRAST_JS, selectors))
    low = {sel: ratio for sel, ratio in ratios.items() if ratio < 4.5}
    assert low == {}


def test_phone_sized_screen(
    browser: Browser, gateway: Gateway, customer: Customer, api: httpx.Client, output_dir: Path
) -> None:
    create(api, customer, "Hedy Lamarr", 310, day_after(today(), 1), 4)
    context = new_context(
        browser, gateway, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    problems = PageProblems(errors=[])
    try:
        page = context.new_page()
        watch(page, problems)
        sign_in(page, gateway.url, customer)
        expect(bar(page, 310, "Hedy Lamarr")).to_be_visible()
        # The page itself never scrolls sideways; the grid scrolls inside its own region.
        # (a mobile browser widens its layout viewport to fit overflowing content, so compare with 390)
        assert page.evaluate("[window.innerWidth, document.documentElement.scrollWidth]") == [390, 390]
        scroller = page.locator("#grid-scroll")
        assert scroller.evaluate("el => el.scrollWidth > el.clientWidth")
        scroller.evaluate("el => { el.scrollLeft = 400; }")
        room = page.locator("#grid tbody th.room").first.bounding_box()
        box = scroller.bounding_box()
        assert room is not None
        assert box is not None
        assert abs(room["x"] - box["x"]) <= 2, "the room column stays in view while scrolling"
        new = page.get_by_role("button", name="New reservation").bounding_box()
        assert new is not None
        assert new["height"] >= 40, "touch targets are finger-sized"
        # The reservations table fits too, rather than scrolling sideways inside its region.
        expect(page.locator("#list-body tr").first).to_contain_text("Hedy Lamarr")
        table = page.locator("#list-scroll")
        widths = table.evaluate(
            "el => [el.scrollWidth, el.clientWidth, ...[...el.querySelectorAll('thead th')].map(t => Math.round(t.getBoundingClientRect().width))]"
        )
        assert widths[0] <= widths[1], f"the table scrolls sideways: {widths}"
        page.screenshot(path=output_dir / "phone.png", full_page=True)

        page.locator("#grid tbody button.free-slot").last.tap()
        dialog = add_dialog(page)
        expect(dialog).to_be_visible()
        form = dialog.bounding_box()
        assert form is not None
        assert form["x"] >= 0
        assert form["x"] + form["width"] <= 390
        assert problems.errors == []
    finally:
        context.close()


def test_messages_a_clerk_reads_say_the_range_and_no_request_id(page: Page, gateway: Gateway) -> None:
    page.goto(gateway.url)
    said = page.evaluate(
        """async () => {
            const v = await import("/js/validate.js");
            return [v.checkNights("-1").error, v.checkRoom("-5").error, v.checkNights("two").error];
        }"""
    )
    assert said == [
        f"Nights must be between {NIGHTS_MIN} and {NIGHTS_MAX}",
        f"Room must be between {ROOM_MIN} and {ROOM_MAX}",
        "Nights must be a whole number",
    ]
    page.get_by_label("Customer").fill("nobody")
    page.get_by_label("API key").fill("rsv_not-a-key")
    page.get_by_label("API key").press("Enter")
    refused = page.locator("#sign-in-error")
    expect(refused).to_have_text("invalid API key")  # and no "(request 1b4e…)" after it
