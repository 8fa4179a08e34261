"""The web page behind nginx, in real Chromium: nginx's own CSP and headers, config.json pointing the
page at /api on the same origin, and the API reached through nginx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.edge.test_edge_gateway import new_reservation
from tests.support.edge import Edge, Gateway, running_edge
from tests.support.web import Customer, row, sign_in

pytestmark = [pytest.mark.nginx, pytest.mark.browser]

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def page_edge(gateway: Gateway, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Edge]:
    """nginx serving the repository's own web/ (not a stand-in page) in front of the gateway."""
    base = tmp_path_factory.mktemp("page-edge")
    with running_edge(
        gateway.url, base, "--rate", "1000r/s", "--web-dir", str(REPO / "web"), via_run=False
    ) as edge:
        yield edge


def test_page_works_behind_nginx_under_its_csp(browser: Browser, gateway: Gateway, page_edge: Edge) -> None:
    star = Customer("star", gateway.keys["star"])
    booked = httpx.post(
        f"{page_edge.url}/api/reservations",
        json=new_reservation(404, "Grace Hopper"),
        headers=star.headers,
    )
    assert booked.status_code == 201, booked.text
    document = httpx.get(f"{page_edge.url}/")
    assert "script-src 'self'" in document.headers["content-security-policy"]

    problems: list[str] = []
    context = browser.new_context(locale="en-US", timezone_id="UTC")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("pageerror", lambda exc: problems.append(f"uncaught: {exc}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}")
            if "Refused to" in message.text or "Content Security Policy" in message.text
            else None
        ),
    )
    try:
        sign_in(page, f"{page_edge.url}/", star)  # the API address comes from nginx's config.json
        expect(row(page, "Grace Hopper")).to_be_visible()
    finally:
        context.close()
    assert problems == []
    calls = [e for e in page_edge.access_entries() if e["path"].startswith("/api/reservations")]
    assert any(e["method"] == "GET" and e["status"] == 200 and e["customer"] == "star" for e in calls)
