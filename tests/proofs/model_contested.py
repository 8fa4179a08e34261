"""The model check's contested operations: a client changes or deletes a reservation another client
made, so changes and deletes of one stay run at the same time, as the operations of different
clerks do.  Each request is still atomic (moto answers one at a time, as DynamoDB applies each
transaction whole), but the reads and writes of different operations interleave freely.

What must hold: a delete answers 204 or 404 and at most one delete of an id answers 204; a change
answers 200, 409, 404 (deleted meanwhile) or 400 (a room removed meanwhile); and the final table is
checked by the store's own checker as well as against the model.
"""

from __future__ import annotations

import random
import time
from typing import TYPE_CHECKING, Any

import httpx

from tests.proofs.harness import Figures, day

if TYPE_CHECKING:
    from tests.proofs.model import Model


def deleted_by_someone(model: Model, rid: int, status: int, figures: Figures) -> None:
    """Records a delete's answer; a second 204 for one id means it was deleted twice."""
    if status == 204:
        model.deletes_answered[rid] += 1
        if model.deletes_answered[rid] > 1:
            figures.fail(f"delete of {rid} answered 204 twice")
        model.deleted_at.setdefault(rid, time.monotonic())


async def contested(
    rng: random.Random, http: httpx.AsyncClient, model: Model, figures: Figures, rooms: int
) -> None:
    live = [rid for rid in model.by_id if rid not in model.deleted_at]
    if not live:
        return
    rid = rng.choice(live)
    model.contested.add(rid)
    if rng.random() < 0.5:
        response = await http.delete(f"/reservations/{rid}")
        figures.add("contested_deletes")
        if response.status_code not in (204, 404):
            figures.fail(f"contested delete of {rid} answered {response.status_code}: {response.text[:200]}")
        deleted_by_someone(model, rid, response.status_code, figures)
        return
    body: dict[str, Any] = rng.choice(
        [
            {"check_in": day(rng.randint(1, 45))},
            {"room_number": rng.randint(1, rooms)},
            {"nights": rng.randint(1, 4)},
            {"guest_name": f"clerk #{rng.randint(1, 99)}"},
        ]
    )
    began = time.monotonic()
    model.changing.setdefault(rid, []).append(began)
    response = await http.patch(f"/reservations/{rid}", json=body)
    figures.add("contested_changes")
    if response.status_code == 200:
        model.acknowledged(response.json())
    elif response.status_code == 409:
        # The stay it was changed from is not known here (other changes race it), so only this
        # (a 409 may name a channel's block instead: model_channels):
        holder = response.json()["error"].get("conflicting_reservation")
        if holder is not None and holder["reservation_id"] == rid:
            figures.fail(f"contested change of {rid} conflicted with itself")
    elif response.status_code not in (404, 400):
        figures.fail(f"contested change of {rid} answered {response.status_code}: {response.text[:200]}")
    model.changing[rid].remove(began)
