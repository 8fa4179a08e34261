"""docs/reliability.md lists every DynamoDB write that can act on a read: each function of the
stores that sends a write names itself in the transactions table (rendered from
bench/reliability_transactions.py), so a new write cannot go unaudited."""

from __future__ import annotations

import ast
from pathlib import Path

from bench.reliability_transactions import TRANSACTIONS

ROOT = Path(__file__).resolve().parents[1]
STORES = ROOT / "src" / "reservations" / "stores"
WRITES = {"transact_write_items", "batch_write_item", "update_item", "put_item", "delete_item", "_transact"}
# Writers that read nothing first, or only pass another's writes on.
NO_READ = {
    "_next_id": "the id counter: an atomic ADD, nothing read first",
    "_transact": "sends the transaction its caller built",
    "_repair": "check --repair: listed as dynamodb_check",
    "ensure_table": "creates the registry table",
    "_write": "sends the batches TableCopier.copy built: listed as copy",
}


def writers() -> set[str]:
    found = set()
    for path in sorted(STORES.glob("dynamodb*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                calls = {
                    call.func.attr
                    for call in ast.walk(node)
                    if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                }
                if calls & WRITES:
                    found.add(node.name)
    return found


def test_every_write_of_the_dynamodb_store_is_in_the_transactions_table() -> None:
    found = writers()
    assert {"add", "change", "delete", "put_room", "delete_room", "replace_keys"} <= found
    missing = sorted(name for name in found - set(NO_READ) if f"{name}`" not in TRANSACTIONS)
    assert missing == []


def test_the_document_carries_the_table_as_written() -> None:
    assert TRANSACTIONS in (ROOT / "docs" / "reliability.md").read_text()
