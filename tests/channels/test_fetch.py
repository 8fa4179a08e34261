"""Fetching hostile feeds: real HTTP on loopback, and a stub resolver for addresses off this machine.

No request ever leaves loopback: the refusal of private and link-local addresses is proved with a
resolver that names such addresses and a connector that records every connection asked of it.
"""

from __future__ import annotations

import socket
import threading
from datetime import date

import pytest

from reservations.channels.fetch import FetchPolicy, allowed_address, fetch, system_connect
from reservations.channels.ics import FeedError
from tests.channels.feeds import airbnb_ics, feed_server, huge_without_length, redirect_to, slow_drip

LOCAL = FetchPolicy(allow_http=True, allow_private=True, timeout_s=2, deadline_s=2)
ICS = airbnb_ics([("a1", date(2030, 1, 1), date(2030, 1, 3))])


def test_a_feed_is_fetched_whole_and_redirects_are_followed() -> None:
    with feed_server() as server:
        server.serve_ics("/room.ics", ICS)
        server.routes["/moved"] = redirect_to("/room.ics")
        assert fetch(server.url + "/moved", LOCAL) == ICS
        assert server.hits == ["/moved", "/room.ics"]


def test_an_endless_redirect_stops_after_a_few_hops() -> None:
    with feed_server() as server:
        server.routes["/loop"] = redirect_to("/loop")
        with pytest.raises(FeedError, match="more than 3 redirects"):
            fetch(server.url + "/loop", LOCAL)
        assert len(server.hits) == 4


@pytest.mark.parametrize("declared", [True, False])
def test_a_10_mb_feed_is_refused_at_the_cap(declared: bool) -> None:
    with feed_server() as server:
        if declared:
            server.serve_ics("/big.ics", b"X" * (10 * 1024 * 1024))
        else:
            server.routes["/big.ics"] = huge_without_length(10 * 1024 * 1024)
        with pytest.raises(FeedError, match="larger than"):
            fetch(server.url + "/big.ics", LOCAL)


def test_a_slow_drip_is_cut_off_at_the_deadline() -> None:
    stop = threading.Event()
    with feed_server() as server:
        server.routes["/drip.ics"] = slow_drip(stop)
        try:
            with pytest.raises(FeedError, match=r"too slow|timed out"):
                fetch(
                    server.url + "/drip.ics", FetchPolicy(allow_http=True, allow_private=True, deadline_s=0.5)
                )
        finally:
            stop.set()


def test_an_error_answer_is_a_reason_not_a_crash() -> None:
    with feed_server() as server, pytest.raises(FeedError, match="HTTP 404"):
        fetch(server.url + "/nothing.ics", LOCAL)


class RecordingNetwork:
    """A resolver naming given addresses and a connector that records, connecting only to loopback."""

    def __init__(self, names: dict[str, list[str]], loopback_port: int | None = None) -> None:
        self.names = names
        self.loopback_port = loopback_port
        self.connections: list[tuple[str, int]] = []

    def resolve(self, host: str, port: int) -> list[str]:
        return self.names[host]

    def connect(self, address: str, port: int, timeout: float) -> socket.socket:
        self.connections.append((address, port))
        assert self.loopback_port is not None, "no connection may be opened"
        return system_connect("127.0.0.1", self.loopback_port, timeout)  # never off this machine


AWS = FetchPolicy(allow_http=False, allow_private=False)


@pytest.mark.parametrize(
    "address",
    ["169.254.169.254", "10.0.0.7", "172.16.3.4", "192.168.1.1", "127.0.0.1", "::1", "fd00::1", "0.0.0.0"],
)
def test_in_aws_a_name_resolving_to_a_private_address_opens_no_connection(address: str) -> None:
    network = RecordingNetwork({"calendar.example.com": [address]})
    with pytest.raises(FeedError, match="not a public address"):
        fetch("https://calendar.example.com/x.ics", AWS, resolve=network.resolve, connect=network.connect)
    assert network.connections == []


def test_in_aws_one_private_address_among_public_ones_is_refused() -> None:
    network = RecordingNetwork({"calendar.example.com": ["93.184.216.34", "10.1.1.1"]})
    with pytest.raises(FeedError, match="not a public address"):
        fetch("https://calendar.example.com/x.ics", AWS, resolve=network.resolve, connect=network.connect)
    assert network.connections == []


def test_in_aws_plain_http_is_refused_before_any_lookup() -> None:
    network = RecordingNetwork({})
    with pytest.raises(FeedError, match="only https"):
        fetch("http://calendar.example.com/x.ics", AWS, resolve=network.resolve, connect=network.connect)
    assert network.connections == []


def test_a_redirect_to_a_private_address_is_judged_again_and_refused() -> None:
    with feed_server() as server:
        server.routes["/x.ics"] = redirect_to("http://metadata.internal/latest/meta-data/")
        port = int(server.url.rsplit(":", 1)[1])
        network = RecordingNetwork(
            {"calendar.example.com": ["93.184.216.34"], "metadata.internal": ["169.254.169.254"]}, port
        )
        policy = FetchPolicy(allow_http=True, allow_private=False)
        with pytest.raises(FeedError, match=r"169\.254\.169\.254"):
            fetch(
                f"http://calendar.example.com:{port}/x.ics",
                policy,
                resolve=network.resolve,
                connect=network.connect,
            )
        assert network.connections == [("93.184.216.34", port)]  # the first hop only
        assert server.hits == ["/x.ics"]


def test_public_addresses_are_allowed_in_aws() -> None:
    assert allowed_address("93.184.216.34", AWS)
    assert allowed_address("2606:2800:220:1:248:1893:25c8:1946", AWS)
    assert not allowed_address("::ffff:10.0.0.1", AWS)
