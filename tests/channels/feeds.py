"""A real HTTP server on loopback serving .ics files (and hostile answers) to the sync."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Answer = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class FeedServer:
    url: str
    routes: dict[str, Answer] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)

    def serve_ics(self, path: str, body: bytes) -> str:
        self.routes[path] = lambda handler: _send(handler, 200, body)
        return self.url + path


def _send(
    handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str] | None = None
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", "text/calendar; charset=utf-8")
    handler.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


def redirect_to(path: str) -> Answer:
    return lambda handler: _send(handler, 302, b"", {"Location": path})


def huge_without_length(size: int) -> Answer:
    """No Content-Length: the cap must hold while reading, not only on a declared length."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/calendar")
        handler.send_header("Connection", "close")
        handler.end_headers()
        block = b"X" * 65536
        sent = 0
        try:
            while sent < size:
                handler.wfile.write(block)
                sent += len(block)
        except OSError:
            pass  # the client hung up at its cap, as it should

    return answer


def slow_drip(stop: threading.Event) -> Answer:
    """One byte at a time, until the client gives up (or the test ends)."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/calendar")
        handler.end_headers()
        try:
            while not stop.is_set():
                handler.wfile.write(b"B")
                handler.wfile.flush()
                time.sleep(0.05)
        except OSError:
            pass

    return answer


@contextmanager
def feed_server() -> Iterator[FeedServer]:
    state = FeedServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.hits.append(self.path)
            answer = state.routes.get(self.path)
            if answer is None:
                _send(self, 404, b"no such feed")
            else:
                answer(self)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def airbnb_ics(events: list[tuple[str, date, date]]) -> bytes:
    """As Airbnb publishes: CRLF, all-day VALUE=DATE, DTEND exclusive, a folded long line."""
    lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Airbnb Inc//Hosting Calendar 1.0//EN",
        "CALSCALE:GREGORIAN",
        "VERSION:2.0",
    ]
    for uid, start, end in events:
        lines += [
            "BEGIN:VEVENT",
            f"DTEND;VALUE=DATE:{end:%Y%m%d}",
            f"DTSTART;VALUE=DATE:{start:%Y%m%d}",
            f"UID:{uid}",
            "DESCRIPTION:Reservation URL: https://www.airbnb.com/hosting/reservations/details/HMABCDEFG\r\n"
            " H\\nPhone Number (Last 4 Digits): 1234",
            "SUMMARY:Reserved",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def booking_ics(events: list[tuple[str, date, date]]) -> bytes:
    """As Booking.com publishes: LF only, date-times without TZID (floating), DTSTAMP."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Booking.com//Availability//EN", "METHOD:PUBLISH"]
    for uid, start, end in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            "DTSTAMP:20260101T000000Z",
            f"DTSTART:{start:%Y%m%d}T140000",
            f"DTEND:{end:%Y%m%d}T110000",
            "SUMMARY:CLOSED - Not available",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\n".join(lines) + "\n").encode()
