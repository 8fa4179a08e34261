"""Fixtures of the edge tests: a recording HTTP upstream, nginx in front of it or of a real gateway,
a DNS server and a fake API Gateway; the code that starts them is in tests/support/edge.py."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.edge.fake_api import FakeApiGateway, TinyDns, running_api_gateway, running_dns
from tests.support.edge import Edge, Gateway, Recorded, RecordingUpstream, running_edge, running_gateway
from tests.support.server import free_port


@pytest.fixture(scope="session")
def recording_upstream() -> Iterator[RecordingUpstream]:
    port = free_port()
    upstream = RecordingUpstream(f"http://127.0.0.1:{port}")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def answer(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            upstream.requests.append(Recorded(self.command, self.path, list(self.headers.items()), body))
            if self.path.startswith("/slow"):
                time.sleep(3)
            payload = json.dumps({"seen": self.path}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("X-Request-Id", "chosen-by-upstream")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_DELETE = answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield upstream
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def echo_edge(
    recording_upstream: RecordingUpstream, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Edge]:
    """One nginx in front of the recording upstream; a generous rate so only the 429 test is limited."""
    base = tmp_path_factory.mktemp("echo-edge")
    with running_edge(
        recording_upstream.url, base, "--rate", "1000r/s", "--burst", "1000", "--upstream-timeout", "1"
    ) as edge:
        yield edge


@pytest.fixture(scope="session")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    """One gateway for the folder, customers star and moon; tests book distinct rooms."""
    with running_gateway(tmp_path_factory.mktemp("gateway")) as running:
        yield running


@pytest.fixture(scope="module")
def gateway_edge(gateway: Gateway, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Edge]:
    with running_edge(gateway.url, tmp_path_factory.mktemp("gateway-edge"), "--rate", "1000r/s") as edge:
        yield edge


@pytest.fixture(scope="module")
def dns() -> Iterator[TinyDns]:
    """A DNS server that answers every name with 127.0.0.1 (nginx's ``resolver`` in the AWS shape)."""
    with running_dns() as server:
        yield server


@pytest.fixture(scope="module")
def api_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeApiGateway]:
    """HTTPS on loopback with a certificate for API_HOST from a throw-away CA (``ca_file``)."""
    with running_api_gateway(tmp_path_factory.mktemp("pki")) as fake:
        yield fake
