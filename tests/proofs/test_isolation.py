"""Fast variant of suite 3: five customers, every key x header x spelling x route; no leak."""

from __future__ import annotations

import pytest

from tests.proofs import isolation
from tests.support.server import Gateway

# A proof (every key x header x spelling x route): `make test` runs it, `make check` leaves it out.
pytestmark = pytest.mark.slow

EXTRA_CUSTOMERS = ["sun", "comet-7", "nova"]


def test_no_key_header_or_spelling_reaches_another_customer(gateway: Gateway):
    for name in EXTRA_CUSTOMERS:
        gateway.create_customer(name)
    keys = {name: gateway.keys[name] for name in ["star", "moon", *EXTRA_CUSTOMERS]}
    figures = isolation.run(gateway.url, keys, full=False, store=gateway.settings.store)
    assert figures.failures == []
    assert figures.counts["leaks"] == 0
    assert figures.counts["customers"] >= 5
    # 7 keys (5 customers, none, unknown) x 2 header names x 6 targets x 4 spellings x 12 routes
    # (the original 7, then change, list rooms, put room, delete room, availability)
    assert figures.counts["combinations"] == 7 * 2 * 6 * 4 * 12
