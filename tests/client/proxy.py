"""A real HTTP reverse proxy in front of the gateway, for what the gateway alone cannot show.

It serves the API under a path prefix (as API Gateway stages and nginx's ``/api`` do) and can be
told to fail the next requests the way the world does: a 429 or 503 with ``Retry-After``, or a
connection dropped after the request was forwarded (the response lost on the way back).
"""

from __future__ import annotations

import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

import httpx

FORWARDED_REQUEST_HEADERS = ("x-customer", "customer", "x-api-key", "idempotency-key", "content-type")
RELAYED_RESPONSE_HEADERS = ("content-type", "location", "x-request-id", "retry-after")


class Proxy:
    def __init__(self, upstream: str, *, prefix: str = "", port: int = 0) -> None:
        self.upstream = upstream.rstrip("/")
        self.prefix = prefix.rstrip("/")
        self.faults: deque[str] = deque()
        self.seen: list[tuple[str, str]] = []  # (method, path) of every request received
        self._lock = threading.Lock()
        self._http = httpx.Client(timeout=30)
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{self.prefix}"

    def fail_next(self, *faults: str) -> None:
        """Queues faults for the next requests: ``"503"``, ``"503:2"`` (Retry-After 2), ``"429:1"``, ``"drop"``."""
        with self._lock:
            self.faults.extend(faults)

    def __enter__(self) -> Proxy:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._http.close()

    def _next_fault(self, method: str, path: str) -> str | None:
        with self._lock:
            self.seen.append((method, path))
            return self.faults.popleft() if self.faults else None


def _handler_for(proxy: Proxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self._handle()

        def do_POST(self) -> None:
            self._handle()

        def do_DELETE(self) -> None:
            self._handle()

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            fault = proxy._next_fault(self.command, self.path)
            if fault and fault != "drop":
                status, _, retry_after = fault.partition(":")
                self._reply(
                    int(status), b'{"error": {"code": "injected", "message": "injected fault"}}', retry_after
                )
                return
            if not self.path.startswith(proxy.prefix + "/"):
                self._reply(404, b'{"error": {"code": "not_found", "message": "outside the prefix"}}', "")
                return
            upstream = proxy._http.request(
                self.command,
                proxy.upstream + self.path[len(proxy.prefix) :],
                content=body,
                headers={k: v for k, v in self.headers.items() if k.lower() in FORWARDED_REQUEST_HEADERS},
            )
            if fault == "drop":  # the server did the work; the answer never comes back
                self.close_connection = True
                return
            self.send_response(upstream.status_code)
            for name in RELAYED_RESPONSE_HEADERS:
                if name in upstream.headers:
                    self.send_header(name, upstream.headers[name])
            self.send_header("Content-Length", str(len(upstream.content)))
            self.end_headers()
            self.wfile.write(upstream.content)

        def _reply(self, status: int, payload: bytes, retry_after: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            if retry_after:
                self.send_header("Retry-After", retry_after)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler
