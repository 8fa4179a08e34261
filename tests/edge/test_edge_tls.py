"""The AWS-shaped edge for real: an upstream host name re-resolved through ``resolver``, TLS with SNI and
certificate verification, the stage prefix (against ``tests/edge/fake_api.py``)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.edge.fake_api import API_HOST, FakeApiGateway, TinyDns
from tests.support.edge import running_edge

pytestmark = pytest.mark.nginx


def test_verified_tls_with_sni_through_a_resolved_name(
    api_gateway: FakeApiGateway, dns: TinyDns, tmp_path: Path
) -> None:
    upstream = f"https://{API_HOST}:{api_gateway.port}/prod"
    args = ("--resolver", dns.address, "--ca-bundle", str(api_gateway.ca_file))
    with running_edge(upstream, tmp_path, *args, via_run=False) as edge:
        response = httpx.get(
            f"{edge.url}/api/reservations?limit=5",
            headers={"Host": "star.hotels.example.com", "X-Api-Key": "k"},
        )
        assert response.status_code == 200, response.text
        assert response.json() == {"items": [], "next_cursor": None}
    seen = api_gateway.seen[-1]
    assert seen["path"] == "/prod/reservations?limit=5"
    assert seen["headers"]["Host"] == f"{API_HOST}:{api_gateway.port}"
    assert seen["headers"]["X-Customer"] == "star"
    assert api_gateway.sni[-1] == API_HOST
    assert API_HOST in dns.asked


def test_an_unverifiable_certificate_is_refused_with_json_502(
    api_gateway: FakeApiGateway, dns: TinyDns, tmp_path: Path
) -> None:
    """With the system CA bundle the throw-away CA is unknown: nginx must refuse, not proxy."""
    before = len(api_gateway.seen)
    upstream = f"https://{API_HOST}:{api_gateway.port}/prod"
    with running_edge(upstream, tmp_path, "--resolver", dns.address, via_run=False) as edge:
        response = httpx.get(f"{edge.url}/api/reservations")
        assert response.status_code == 502
        assert response.json()["error"]["code"] == "bad_gateway"
        error_log = (edge.log_dir / "error.log").read_text()
    assert len(api_gateway.seen) == before
    assert "certificate" in error_log
