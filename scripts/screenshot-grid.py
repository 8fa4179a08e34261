#!/usr/bin/env python3
"""Screenshot of the web page's Occupancy grid, for the README (docs/occupancy-grid.png).

Runs against a gateway that is already up (``make run``): books a handful of sample stays around
today (idempotently, so a re-run on the same day adds nothing), signs in in headless Chromium and
photographs the grid. Credentials come from the flags, then RESERVATIONS_URL / RESERVATIONS_CUSTOMER /
RESERVATIONS_API_KEY, then the client profile that ``reservations serve`` writes; the key is never printed.

    python scripts/screenshot-grid.py                 # the 'local' profile, writes docs/occupancy-grid.png
    python scripts/screenshot-grid.py --url http://127.0.0.1:8080 --customer demo --output /tmp/grid.png
"""

from __future__ import annotations

import argparse
import os
import sys
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# (guest, room, days from today, nights): enough for every kind of bar, including one that began
# yesterday and one that runs past the 14 days shown.
SAMPLE_STAYS = [
    ("Ada Lovelace", 101, -1, 3),
    ("Alan Turing", 101, 3, 2),
    ("Grace Hopper", 102, 1, 5),
    ("Katherine Johnson", 102, 8, 4),
    ("Edsger Dijkstra", 103, 0, 2),
    ("Barbara Liskov", 103, 5, 6),
    ("Dorothy Vaughan", 201, 2, 9),
    ("Hedy Lamarr", 202, 10, 7),
    ("Margaret Hamilton", 203, 4, 1),
]
ROOMS_SHOWN = "101-104, 201-204"


def _profile(name: str | None) -> dict[str, Any]:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    path = Path(base) / "reservations" / "config.toml"
    if not path.is_file():
        return {}
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    profile = data.get("profiles", {}).get(name or data.get("default_profile", "local"), {})
    return profile if isinstance(profile, dict) else {}


def _settings(args: argparse.Namespace) -> tuple[str, str, str] | None:
    profile = _profile(args.profile)
    url = args.url or os.environ.get("RESERVATIONS_URL") or profile.get("url")
    customer = args.customer or os.environ.get("RESERVATIONS_CUSTOMER") or profile.get("customer")
    api_key = os.environ.get("RESERVATIONS_API_KEY") or profile.get("api_key")
    if not (url and customer and api_key):
        return None
    return str(url).rstrip("/"), str(customer), str(api_key)


def seed(url: str, customer: str, api_key: str) -> int:
    """Books the sample stays; returns how many the grid will show."""
    today = datetime.now(UTC).date()
    headers = {"X-Customer": customer, "X-Api-Key": api_key}
    shown = 0
    with httpx.Client(base_url=url, headers=headers, timeout=10) as client:
        for number, (guest, room, offset, nights) in enumerate(SAMPLE_STAYS):
            body = {
                "guest_name": guest,
                "room_number": room,
                "nights": nights,
                "check_in": (today + timedelta(days=offset)).isoformat(),
            }
            key = f"screenshot-grid-{today.isoformat()}-{number}"
            response = client.post("/reservations", json=body, headers={"Idempotency-Key": key})
            if response.status_code in (200, 201):
                shown += 1
            elif response.status_code != 409:  # a stay already there from an earlier run is fine
                message = response.json().get("error", {}).get("message", response.text)
                raise SystemExit(f"screenshot-grid: cannot book {guest}: {message}")  # exit status 1
        listing = client.get(
            "/reservations",
            params={"from": today.isoformat(), "to": (today + timedelta(days=14)).isoformat()},
        )
        listing.raise_for_status()
        return max(shown, len(listing.json()["items"]))


def photograph(url: str, customer: str, api_key: str, output: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(
                viewport={"width": 1280, "height": 900}, locale="en-US", timezone_id="UTC"
            )
            page.goto(f"{url}/")
            page.get_by_label("Customer").fill(customer)
            page.get_by_label("API key").fill(api_key)
            page.get_by_label("API key").press("Enter")
            expect(page.get_by_role("heading", name="Occupancy", exact=True)).to_be_visible()
            page.get_by_label("Rooms to show").fill(ROOMS_SHOWN)
            page.get_by_label("Rooms to show").press("Enter")
            expect(page.locator("#grid .bar").first).to_be_visible()
            page.evaluate("document.activeElement && document.activeElement.blur()")
            output.parent.mkdir(parents=True, exist_ok=True)
            page.locator("#occupancy").screenshot(path=str(output))
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="the gateway serving web/ (default: the profile's url)")
    parser.add_argument("--customer", help="customer to sign in as (default: the profile's)")
    parser.add_argument("--profile", help="client profile to read (default: default_profile)")
    parser.add_argument("--output", type=Path, default=REPO / "docs" / "occupancy-grid.png")
    parser.add_argument("--no-seed", action="store_true", help="photograph the existing reservations only")
    args = parser.parse_args(argv)
    settings = _settings(args)
    if settings is None:
        print(
            "screenshot-grid: no URL, customer or API key (flags, RESERVATIONS_* or a profile)",
            file=sys.stderr,
        )
        return 2
    url, customer, api_key = settings
    try:
        count = None if args.no_seed else seed(url, customer, api_key)
        photograph(url, customer, api_key, args.output)
    except (OSError, httpx.TransportError) as exc:
        print(f"screenshot-grid: cannot reach {url}: {exc}", file=sys.stderr)
        return 3
    suffix = "" if count is None else f" ({count} reservations in the 14 days)"
    print(f"wrote {args.output}{suffix}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
