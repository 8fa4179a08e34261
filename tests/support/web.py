"""The browser tests' side: steps a clerk takes on the page, the strict CSP every page runs under, and
what counts as the page going wrong."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Route, expect

from tests.support import processes
from tests.support.aws import FAKE_AWS_ENV, UNSET_AWS_ENV
from tests.support.server import start_serve

CLI = [sys.executable, "-c", "from reservations.cli import main; main()"]


@dataclass(frozen=True)
class Customer:
    name: str
    api_key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"X-Customer": self.name, "X-Api-Key": self.api_key}


@dataclass(frozen=True)
class Gateway:
    url: str
    data_dir: Path
    env: dict[str, str]

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*CLI, *args, "--data-dir", str(self.data_dir)],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )

    def create_customer(self) -> Customer:
        name = f"web-{secrets.token_hex(4)}"
        created = json.loads(self.cli("tenants", "create", name, "--json").stdout)
        return Customer(created["customer"], created["api_key"])


@dataclass(frozen=True)
class StaticOrigin:
    """web/ served from another origin, as from an S3 bucket: the API is then cross-origin."""

    url: str


@contextmanager
def serve_web(
    root: Path, origin: StaticOrigin, store_env: Mapping[str, str] | None = None
) -> Iterator[Gateway]:
    """``reservations serve`` on a free port, serving web/ and allowing ``origin``; on SQLite under
    ``root`` unless ``store_env`` (``Settings.to_env``) names another store, which ``Gateway.cli`` then
    opens too: the commands read the same environment."""
    env = {name: value for name, value in os.environ.items() if name not in UNSET_AWS_ENV}
    env |= {
        **FAKE_AWS_ENV,
        **(store_env or {}),
        "XDG_CONFIG_HOME": str(root / "config"),  # serve writes a client profile: keep it out of ~
        "HOME": str(root / "home"),
        "PYTHONUNBUFFERED": "1",
    }
    args = ["--data-dir", str(root / "data"), "--web-dir", str(WEB_DIR), "--cors-origin", origin.url]
    process, url = start_serve(env, root / "serve.log", *args)
    try:
        yield Gateway(url=url, data_dir=root / "data", env=env)
    finally:
        processes.stop(process)


def today() -> date:
    return datetime.now(UTC).date()


def sign_in(page: Page, url: str, customer: Customer, *, api_base: str | None = None) -> None:
    """Types the credentials and presses Enter (keyboard only), then waits for the grid."""
    page.goto(url)
    page.get_by_label("Customer").fill(customer.name)
    page.get_by_label("API key").fill(customer.api_key)
    if api_base is not None:
        page.get_by_text("The API is on another address").click()
        page.get_by_label("API base URL").fill(api_base)
    page.get_by_label("API key").press("Enter")
    expect(page.get_by_role("heading", name="Occupancy", exact=True)).to_be_visible()
    expect(page.locator("#list-scroll")).to_have_attribute("aria-busy", "false")


def add_dialog(page: Page) -> Locator:
    return page.get_by_role("dialog", name="New reservation")


def fill_add_form(page: Page, *, guest: str, room: str, check_in: date | str, nights: str) -> Locator:
    dialog = add_dialog(page)
    expect(dialog).to_be_visible()
    dialog.get_by_label("Guest name").fill(guest)
    dialog.get_by_label("Room", exact=True).fill(room)
    dialog.get_by_label("Check-in").fill(str(check_in))
    dialog.get_by_label("Nights").fill(nights)
    return dialog


def book(page: Page, *, guest: str, room: str, check_in: date | str, nights: str) -> Locator:
    page.get_by_role("button", name="New reservation").click()
    dialog = fill_add_form(page, guest=guest, room=room, check_in=check_in, nights=nights)
    dialog.get_by_role("button", name="Book").click()
    return dialog


def row(page: Page, text: str) -> Locator:
    return page.locator("#list-body tr", has_text=text)


def bar(page: Page, room: int, guest: str) -> Locator:
    return page.locator(f"#grid tbody tr[data-room='{room}'] .bar", has_text=guest)


def all_reservations(api: httpx.Client, customer: Customer) -> list[dict[str, Any]]:
    response = api.get("/reservations", params={"limit": 500}, headers=customer.headers)
    response.raise_for_status()
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def create(api: httpx.Client, customer: Customer, guest: str, room: int, check_in: date, nights: int) -> int:
    body = {"guest_name": guest, "room_number": room, "nights": nights, "check_in": check_in.isoformat()}
    response = api.post("/reservations", json=body, headers=customer.headers)
    assert response.status_code == 201, response.text
    return int(response.json()["reservation_id"])


def server_error_message(api: httpx.Client, headers: dict[str, str]) -> str:
    """What the API itself says to these credentials, so a test checks the page shows that text."""
    response = api.get("/reservations", headers=headers)
    assert response.status_code in (401, 403), response.text
    return str(response.json()["error"]["message"])


def day_after(day: date, days: int) -> date:
    return day + timedelta(days=days)


WEB_DIR = Path(__file__).resolve().parents[2] / "web"
# What nginx (edge issue) sends: no inline script or style may run. Tests enforce it on every page.
STRICT_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self' {api}; "
    "form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
)


@dataclass
class PageProblems:
    """What the page did wrong: uncaught exceptions and CSP violations (the console says "Refused to")."""

    errors: list[str]


def new_context(browser: Browser, gateway: Gateway, **options: object) -> BrowserContext:
    context = browser.new_context(locale="en-US", timezone_id="UTC", **options)  # type: ignore[arg-type]
    context.set_default_timeout(10_000)
    csp = STRICT_CSP.format(api=gateway.url)

    def add_csp(route: Route) -> None:
        if route.request.resource_type != "document":
            route.fallback()
            return
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": csp})

    # Only the gateway's documents: a document Playwright fulfils has no address, so Chromium counts it
    # as public and would refuse its cross-origin calls to loopback (Local Network Access).
    context.route(lambda url: url.startswith(f"{gateway.url}/"), add_csp)
    return context


def watch(page: Page, problems: PageProblems) -> None:
    page.on("pageerror", lambda exc: problems.errors.append(f"uncaught: {exc}"))

    def on_console(message: object) -> None:
        text = getattr(message, "text", "")
        if "Refused to" in text or "Content Security Policy" in text:
            problems.errors.append(f"CSP: {text}")

    page.on("console", on_console)
