"""nginx's own behaviour, against a recording upstream: exactly what it forwards and what it answers."""

from __future__ import annotations

import json
import re
import signal
from pathlib import Path

import httpx
import pytest

from tests.support.edge import INDEX_HTML, Edge, RecordingUpstream, running_edge

pytestmark = pytest.mark.nginx

STAR_HOST = "star.hotels.example.com"


def assert_json_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"]["code"] == code
    assert "<html" not in response.text.lower()
    assert response.headers["x-request-id"]


def test_healthz_is_answered_by_nginx(echo_edge: Edge, recording_upstream: RecordingUpstream) -> None:
    before = len(recording_upstream.requests)
    response = httpx.get(f"{echo_edge.url}/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert len(recording_upstream.requests) == before
    assert "server" not in response.headers or response.headers["server"] == "nginx"  # no version


def test_api_prefix_is_stripped_and_query_kept(
    echo_edge: Edge, recording_upstream: RecordingUpstream
) -> None:
    response = httpx.get(f"{echo_edge.url}/api/reservations/a%20b?limit=5&room=101")
    assert response.status_code == 200
    assert recording_upstream.last().path == "/reservations/a%20b?limit=5&room=101"


def test_mapped_host_sets_the_customer_over_any_claim(
    echo_edge: Edge, recording_upstream: RecordingUpstream
) -> None:
    response = httpx.get(
        f"{echo_edge.url}/api/reservations",
        headers={"Host": STAR_HOST, "X-Customer": "moon", "customer": "moon", "X-Api-Key": "rsv_key_star"},
    )
    assert response.status_code == 200
    sent = recording_upstream.last()
    assert sent.header("X-Customer") == ["star"]
    assert sent.header("customer") == []  # the legacy header cannot claim another customer either
    assert sent.header("X-Api-Key") == ["rsv_key_star"]


def test_mapped_host_is_case_insensitive_and_port_agnostic(
    echo_edge: Edge, recording_upstream: RecordingUpstream
) -> None:
    httpx.get(
        f"{echo_edge.url}/api/reservations", headers={"Host": f"Moon.Hotels.Example.COM:{echo_edge.port}"}
    )
    assert recording_upstream.last().header("X-Customer") == ["moon"]


def test_unmapped_host_passes_the_clients_headers(
    echo_edge: Edge, recording_upstream: RecordingUpstream
) -> None:
    httpx.get(
        f"{echo_edge.url}/api/reservations",
        headers={"Host": "other.example.org", "X-Customer": "moon", "X-Api-Key": "k1"},
    )
    assert recording_upstream.last().header("X-Customer") == ["moon"]
    assert recording_upstream.last().header("X-Api-Key") == ["k1"]
    httpx.get(f"{echo_edge.url}/api/get-res", headers={"customer": "star"})
    assert recording_upstream.last().header("customer") == ["star"]
    assert recording_upstream.last().header("X-Customer") == []


def test_request_id_is_generated_passed_upstream_and_returned(
    echo_edge: Edge, recording_upstream: RecordingUpstream
) -> None:
    response = httpx.get(f"{echo_edge.url}/api/reservations")
    generated = response.headers.get_list("x-request-id")
    assert len(generated) == 1
    assert re.fullmatch(r"[0-9a-f]{32}", generated[0])
    assert recording_upstream.last().header("X-Request-Id") == generated

    response = httpx.get(f"{echo_edge.url}/api/reservations", headers={"X-Request-Id": "client-42"})
    assert response.headers["x-request-id"] == "client-42"
    assert recording_upstream.last().header("X-Request-Id") == ["client-42"]

    # Something that is not an id (a header-injection attempt, say) is replaced, not passed on.
    response = httpx.get(f"{echo_edge.url}/api/reservations", headers={"X-Request-Id": "a b;c=<d>"})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


def test_body_over_16k_is_413_json(echo_edge: Edge, recording_upstream: RecordingUpstream) -> None:
    before = len(recording_upstream.requests)
    response = httpx.post(
        f"{echo_edge.url}/api/reservations",
        content=b'{"guest_name": "' + b"x" * 20 * 1024 + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert_json_error(response, 413, "payload_too_large")
    assert len(recording_upstream.requests) == before
    small = httpx.post(f"{echo_edge.url}/api/reservations", content=b"x" * 15 * 1024)
    assert small.status_code == 200


def test_slow_upstream_is_504_json(echo_edge: Edge) -> None:
    assert_json_error(httpx.get(f"{echo_edge.url}/api/slow", timeout=10), 504, "gateway_timeout")


def test_unknown_path_is_404_json(echo_edge: Edge) -> None:
    assert_json_error(httpx.get(f"{echo_edge.url}/no/such/page.html"), 404, "not_found")
    assert_json_error(httpx.post(f"{echo_edge.url}/index.html", content=b"{}"), 405, "method_not_allowed")


def test_page_is_served_with_security_headers(echo_edge: Edge) -> None:
    response = httpx.get(f"{echo_edge.url}/")
    assert response.status_code == 200
    assert response.text == INDEX_HTML
    assert response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    script_src = next(part.strip() for part in csp.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["server"] == "nginx"  # server_tokens off: no version


def test_access_log_is_json_without_api_keys(echo_edge: Edge) -> None:
    key = "rsv_secret_key_that_must_not_be_logged"
    httpx.get(f"{echo_edge.url}/api/reservations", headers={"X-Api-Key": key, "Host": STAR_HOST})
    httpx.get(f"{echo_edge.url}/api/reservations?api_key={key}", headers={"X-Api-Key": key})
    httpx.post(f"{echo_edge.url}/api/reservations", content=b"x" * 20000, headers={"X-Api-Key": key})
    text = echo_edge.access_log.read_text()
    entries = echo_edge.access_entries()
    assert key not in text
    assert entries
    assert all(isinstance(entry["status"], int) for entry in entries)
    assert any(e["path"] == "/api/reservations" and e["customer"] == "star" for e in entries)
    assert any(e["status"] == 413 for e in entries)


def test_burst_beyond_the_limit_is_429_json(recording_upstream: RecordingUpstream, tmp_path: Path) -> None:
    # Also the Ctrl-C path: this edge is stopped with SIGINT, which must end it cleanly too.
    limited_edge = running_edge(
        recording_upstream.url, tmp_path, "--rate", "1r/m", "--burst", "3", stop_signal=signal.SIGINT
    )
    with limited_edge as edge, httpx.Client() as client:
        statuses = [client.get(f"{edge.url}/api/reservations").status_code for _ in range(6)]
        assert statuses[:4] == [200] * 4
        limited = client.get(f"{edge.url}/api/reservations")
        assert_json_error(limited, 429, "rate_limited")
        assert limited.headers["retry-after"] == "60"  # one request a minute
        # The page and the health check are not limited.
        assert client.get(f"{edge.url}/healthz").status_code == 200
        assert client.get(f"{edge.url}/").status_code == 200
        assert all(status == 429 for status in statuses[4:])
        assert json.loads(limited.text)["error"]["message"]


def test_page_config_points_at_this_origins_api(echo_edge: Edge) -> None:
    """The page (web/) reads its API address from config.json; behind nginx that is /api here."""
    response = httpx.get(f"{echo_edge.url}/config.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"api_base_url": f"{echo_edge.url}/api"}
    on_star = httpx.get(f"{echo_edge.url}/config.json", headers={"Host": STAR_HOST})
    assert on_star.json() == {"api_base_url": f"http://{STAR_HOST}/api"}
    # A Host that is not a plain name is not echoed into the JSON (no injection into the page's config).
    for odd_host in ('x"y', "a{b}"):
        odd = httpx.get(f"{echo_edge.url}/config.json", headers={"Host": odd_host})
        assert odd.json() == {"api_base_url": "http:///api"}, odd_host
    assert_json_error(
        httpx.get(f"{echo_edge.url}/config.json", headers={"Host": "a/b"}), 400, "validation_error"
    )
