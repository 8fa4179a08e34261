"""Fetching a channel's feed from a URL a customer typed: hostile input, fetched from our network.

So every hop is judged before a byte is sent: the scheme (https only in AWS), the host's resolved
addresses (only public ones in AWS: no link-local metadata service, no private ranges: server-side
request forgery), and the connection goes to the very address that was judged (no second DNS
lookup a rebinding name could answer differently).  Redirects are followed a few times, each hop
judged again; the answer is read in pieces against a size cap and an overall deadline, so a
10 MB file or a server that drips one byte a second costs bounded time and memory.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from reservations.channels.ics import FeedError

Resolver = Callable[[str, int], list[str]]
Connector = Callable[[str, int, float], socket.socket]
USER_AGENT = "Reservations-channel-sync/1 (+iCalendar)"


@dataclass(frozen=True)
class FetchPolicy:
    allow_http: bool = False  # plain http: a server on this machine only
    allow_private: bool = False  # loopback, private and link-local addresses: likewise
    timeout_s: float = 10.0  # each connect and read
    deadline_s: float = 30.0  # the whole fetch, redirects included
    max_bytes: int = 2 * 1024 * 1024
    max_redirects: int = 3

    @classmethod
    def for_server(cls, *, local: bool) -> FetchPolicy:
        return cls(allow_http=local, allow_private=local)


def system_resolve(host: str, port: int) -> list[str]:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FeedError(f"{host} does not resolve: {exc.strerror}") from None
    return [str(info[4][0]) for info in found]


def system_connect(address: str, port: int, timeout: float) -> socket.socket:
    return socket.create_connection((address, port), timeout=timeout)


def allowed_address(address: str, policy: FetchPolicy) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if policy.allow_private:
        return not ip.is_multicast and not ip.is_unspecified
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_global


def fetch(
    url: str,
    policy: FetchPolicy,
    *,
    resolve: Resolver = system_resolve,
    connect: Connector = system_connect,
) -> bytes:
    """The feed's bytes, or ``FeedError`` with the reason (for the sync status)."""
    deadline = time.monotonic() + policy.deadline_s
    for _hop in range(policy.max_redirects + 1):
        status, location, body = _get(url, policy, deadline, resolve, connect)
        if status in (301, 302, 303, 307, 308):
            if not location:
                raise FeedError(f"answered {status} without a Location")
            url = urljoin(url, location)
            continue
        if status != 200:
            raise FeedError(f"answered HTTP {status}")
        return body
    raise FeedError(f"more than {policy.max_redirects} redirects")


def _target(url: str, policy: FetchPolicy) -> tuple[str, str, int, str]:
    parts = urlsplit(url)
    schemes = ("https", "http") if policy.allow_http else ("https",)
    if parts.scheme not in schemes or not parts.hostname:
        raise FeedError(f"refused {parts.scheme or 'a'} URL: only {' or '.join(schemes)}")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise FeedError("the URL's port is not a number") from None
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port, path


def _get(
    url: str, policy: FetchPolicy, deadline: float, resolve: Resolver, connect: Connector
) -> tuple[int, str | None, bytes]:
    scheme, host, port, path = _target(url, policy)
    addresses = resolve(host, port)
    refused = [a for a in addresses if not allowed_address(a, policy)]
    if refused or not addresses:
        raise FeedError(f"{host} resolves to {refused[0] if refused else 'nothing'}: not a public address")
    try:
        sock = connect(addresses[0], port, min(policy.timeout_s, _left(deadline)))
    except OSError as exc:
        raise FeedError(f"cannot connect to {host}: {exc}") from None
    try:
        if scheme == "https":
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)
        conn = http.client.HTTPConnection(host, port, timeout=policy.timeout_s)
        conn.sock = sock  # already connected, to the address judged above
        conn.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": "text/calendar"})
        response = conn.getresponse()
        if response.status != 200:
            return response.status, response.getheader("Location"), b""
        declared = response.getheader("Content-Length")
        if declared and declared.isdigit() and int(declared) > policy.max_bytes:
            raise FeedError(f"larger than {policy.max_bytes} bytes")
        return 200, None, _read(response, sock, policy, deadline)
    except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
        raise FeedError(f"fetching from {host} failed: {exc or type(exc).__name__}") from None
    finally:
        sock.close()


def _read(
    response: http.client.HTTPResponse, sock: socket.socket, policy: FetchPolicy, deadline: float
) -> bytes:
    """In pieces as they arrive (``read1``), so a drip cannot stretch one read past the deadline."""
    chunks: list[bytes] = []
    size = 0
    while True:
        sock.settimeout(min(policy.timeout_s, _left(deadline)))
        chunk = response.read1(65536)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > policy.max_bytes:
            raise FeedError(f"larger than {policy.max_bytes} bytes")
        chunks.append(chunk)


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FeedError("too slow: the feed did not arrive in time")
    return left
