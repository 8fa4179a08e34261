"""Fixtures for the web page's end-to-end tests: a real gateway, a static origin apart, real Chromium.

One gateway and one browser per session keep the folder fast; each test gets its own customer and
browser context (fresh sessionStorage), so tests never see each other's reservations.
"""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route

from tests import processes
from tests.conftest import free_port
from tests.web.helpers import CLI, Customer, Gateway, StaticOrigin

REPO = Path(__file__).resolve().parents[2]
WEB_DIR = REPO / "web"
OUTPUT_DIR = REPO / "test-output" / "web"
# What nginx (edge issue) sends: no inline script or style may run. Tests enforce it on every page.
STRICT_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self' {api}; "
    "form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
)


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


def _wait_healthy(url: str, process: subprocess.Popen[str], timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            _, err = process.communicate()
            raise RuntimeError(f"reservations serve exited with {process.returncode}: {err}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"reservations serve did not answer on {url} within {timeout_s} s")


@pytest.fixture(scope="session")
def gateway(tmp_path_factory: pytest.TempPathFactory, static_origin: StaticOrigin) -> Iterator[Gateway]:
    """``reservations serve`` on a free port with a temp data dir, serving web/ and allowing the static origin."""
    root = tmp_path_factory.mktemp("web-gateway")
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(root / "config"),  # serve writes a client profile: keep it out of ~
        "HOME": str(root / "home"),
        "PYTHONUNBUFFERED": "1",
    }
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = ["serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(root / "data")]
    args += ["--web-dir", str(WEB_DIR), "--cors-origin", static_origin.url]
    process = subprocess.Popen(
        [*CLI, *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its workers share its group, which stop() ends whole
    )
    try:
        _wait_healthy(url, process)
        yield Gateway(url=url, data_dir=root / "data", env=env)
    finally:
        processes.stop(process)


@pytest.fixture
def customer(gateway: Gateway) -> Customer:
    return gateway.create_customer()


@pytest.fixture(scope="session")
def api(gateway: Gateway) -> Iterator[httpx.Client]:
    """Direct HTTP to the gateway, to arrange data and to check what the page did."""
    with httpx.Client(base_url=gateway.url, timeout=10) as client:
        yield client


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


def watch(page: Page, problems: PageProblems) -> None:
    page.on("pageerror", lambda exc: problems.errors.append(f"uncaught: {exc}"))

    def on_console(message: object) -> None:
        text = getattr(message, "text", "")
        if "Refused to" in text or "Content Security Policy" in text:
            problems.errors.append(f"CSP: {text}")

    page.on("console", on_console)
