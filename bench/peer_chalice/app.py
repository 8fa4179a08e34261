"""The peer for the gateway benchmark: Chalice's local API Gateway emulation serving the same page.

Reads the same 50 rows from the same SQLite file as our list function, so the comparison is the
HTTP/emulation layer and the handler, not the data.
"""

import json
import os
import sqlite3

from chalice import Chalice  # type: ignore[attr-defined]

app = Chalice(app_name="peer")
DB = os.environ["PEER_SQLITE_FILE"]
_conn = sqlite3.connect(DB, check_same_thread=False)


@app.route("/reservations")
def list_reservations() -> dict[str, object]:
    rows = _conn.execute(
        "SELECT reservation_id, guest_name, room_number, nights, check_in, check_out, created_at"
        " FROM reservations ORDER BY check_in, room_number, reservation_id LIMIT 50"
    ).fetchall()
    keys = ("reservation_id", "guest_name", "room_number", "nights", "check_in", "check_out", "created_at")
    items = [dict(zip(keys, row, strict=True)) for row in rows]
    page: dict[str, object] = json.loads(json.dumps({"items": items, "next_cursor": None}))
    return page
