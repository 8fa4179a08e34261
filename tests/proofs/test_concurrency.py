"""Fast variant of suite 4: a model-checked mixed load (with changes, rooms and channel syncs), and
the 200-way race."""

from __future__ import annotations

import pytest

from tests.proofs import model, model_race
from tests.proofs.harness import table_problems
from tests.proofs.model_channels import SyncRun
from tests.support.server import Gateway

# A proof (a model-checked mixed load and a 200-way race): `make test` runs it, `make check` leaves it out.
pytestmark = pytest.mark.slow

SCALE = {"sqlite": (8, 40, 2), "dynamodb": (8, 12, 1)}  # clients, operations each, race rounds
SYNCS = {"sqlite": 6, "dynamodb": 3}  # channel syncs while the clerks work (model_channels)


def test_store_equals_the_model_after_concurrent_mixed_operations(gateway: Gateway):
    clients, ops, _ = SCALE[gateway.settings.store]
    gateway.create_customer("model")
    figures = model.run(
        gateway.url,
        gateway.headers("model"),
        clients=clients,
        ops=ops,
        store=gateway.settings.store,
        audit=lambda: table_problems(gateway.settings, "model"),
        syncs=SyncRun(gateway.settings, "model", SYNCS[gateway.settings.store]),
    )
    assert figures.failures == []
    assert figures.counts["operations"] == clients * ops
    assert (figures.counts["lost"], figures.counts["phantom"], figures.counts["double_booked"]) == (0, 0, 0)
    assert figures.counts["adds_created"] > 0
    assert figures.counts["adds_conflict"] > 0
    assert figures.counts["changes"] > 0
    assert figures.counts["contested_changes"] + figures.counts["contested_deletes"] > 0
    assert figures.counts["table_problems"] == 0
    assert figures.counts["stays_in_undefined_rooms"] == 0
    assert figures.counts["syncs"] == SYNCS[gateway.settings.store]
    assert figures.counts["sync_blocked"] > 0
    assert figures.counts["settled_blocks"] > 0
    # Channels and clerks met: a booking refused by a block, or a channel's event by a stay.
    met = ("adds_blocked", "changes_blocked", "sync_conflicts")
    assert sum(figures.counts.get(name, 0) for name in met) > 0


def test_200_parallel_adds_of_one_room_night_have_one_winner_every_round(gateway: Gateway):
    gateway.create_customer("race")
    figures = model_race.race(
        gateway.url,
        gateway.headers("race"),
        rounds=SCALE[gateway.settings.store][2],
        racers=200,
        store=gateway.settings.store,
    )
    assert figures.failures == []
    assert figures.counts["rounds"] == SCALE[gateway.settings.store][2]
