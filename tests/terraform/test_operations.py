"""What the operations modules must agree on with the code they watch."""

from __future__ import annotations

import re

from .hcl import ROOT, child


def test_table_alarms_sum_every_operation_the_stores_call() -> None:
    """DynamoDB reports SystemErrors and ThrottledRequests per operation only: an operation the stores
    call but the alarms do not add up would fail or throttle unseen."""
    called = set()
    for source in (ROOT / "src" / "reservations" / "stores").glob("dynamodb*.py"):
        text = source.read_text(encoding="utf-8")
        # Any client's method (``self._client.query(``, ``self.data(table).batch_get_item(``) or a
        # name handed to the registry's ``_call("...")``.
        called |= set(re.findall(r"\.([a-z_]+)\(", text))
        called |= set(re.findall(r"_call\(\s*\"([a-z_]+)\"", text))
    data_plane = {
        "get_item", "put_item", "update_item", "delete_item", "query", "scan",
        "batch_get_item", "batch_write_item", "transact_get_items", "transact_write_items",
    }  # fmt: skip
    used = {"".join(part.title() for part in op.split("_")) for op in called & data_plane}
    assert {"GetItem", "Query", "TransactWriteItems"} <= used, used  # the scan above found the calls
    watched = set(child("monitoring").variables["table_operations"]["default"])
    assert used <= watched, f"table alarms miss {sorted(used - watched)}: add them to table_operations"
