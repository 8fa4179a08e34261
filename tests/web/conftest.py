"""Fixtures for the web page's end-to-end tests: a real gateway, a static origin apart, real Chromium.

One gateway and one browser per session keep the folder fast; each test gets its own customer and
browser context (fresh sessionStorage), so tests never see each other's reservations.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page

from tests.support.server import free_port
from tests.support.web import (
    STRICT_CSP,
    WEB_DIR,
    Customer,
    Gateway,
    PageProblems,
    StaticOrigin,
    new_context,
    serve_web,
    watch,
)

REPO = Path(__file__).resolve().parents[2]
OUTPUT_DIR = REPO / "test-output" / "web"


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    return OUTPUT_DIR


class _StaticHandler(http.server.SimpleHTTPRequestHandler):
    """A bucket-like static host that sends the strict CSP itself (any loopback API may be called)."""

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", STRICT_CSP.format(api="http://127.0.0.1:*"))
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def static_origin() -> Iterator[StaticOrigin]:
    handler = functools.partial(_StaticHandler, directory=str(WEB_DIR))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield StaticOrigin(f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def gateway(tmp_path_factory: pytest.TempPathFactory, static_origin: StaticOrigin) -> Iterator[Gateway]:
    """``reservations serve`` on SQLite (a module may override it with one per store)."""
    with serve_web(tmp_path_factory.mktemp("web-gateway"), static_origin) as running:
        yield running


@pytest.fixture
def customer(gateway: Gateway) -> Customer:
    return gateway.create_customer()


@pytest.fixture(scope="module")  # a module may serve a gateway of its own
def api(gateway: Gateway) -> Iterator[httpx.Client]:
    """Direct HTTP to the gateway, to arrange data and to check what the page did."""
    with httpx.Client(base_url=gateway.url, timeout=10) as client:
        yield client


@pytest.fixture
def problems() -> PageProblems:
    return PageProblems(errors=[])


@pytest.fixture
def page(
    browser: Browser,
    gateway: Gateway,
    problems: PageProblems,
    request: pytest.FixtureRequest,
    output_dir: Path,
) -> Iterator[Page]:
    context = new_context(browser, gateway, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    watch(page, problems)
    try:
        yield page
        assert problems.errors == [], "the page raised errors or broke the CSP"
    finally:
        context.close()
