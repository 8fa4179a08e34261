"""Fast variant of suite 7: a few seconds of wrk at concurrency 64; every answer must be 2xx."""

from __future__ import annotations

import pytest

from tests.proofs import load
from tests.support.server import Gateway

# A proof (wrk): `make test` runs it, `make check` leaves it out.
pytestmark = pytest.mark.slow

SECONDS = {"sqlite": 3.0, "dynamodb": 2.0}
# moto answers one request at a time: 64 waiting connections would only measure its queue
CONNECTIONS = {"sqlite": 64, "dynamodb": 16}


def test_concurrent_load_has_no_errors(gateway: Gateway):
    gateway.create_customer("load")
    figures = load.run(
        gateway.url,
        gateway.process.pid,
        gateway.headers("load"),
        seconds=SECONDS[gateway.settings.store],
        store=gateway.settings.store,
        connections=CONNECTIONS[gateway.settings.store],
        seed_rows=50 if gateway.settings.store == "sqlite" else 10,
    )
    assert figures.failures == []
    assert figures.counts["errors"] == 0
    assert figures.counts["requests"] > 0
    assert figures.counts["rss_mib_end"] > 0
