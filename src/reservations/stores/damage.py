"""One structured log line when a write finds the table out of step with itself.

A night held by a reservation that does not exist or does not hold it cannot come from contention:
every write conditions on what it read, so it is damage (an old bug, a hand edit, a partial
restore).  The write goes on truthfully (the night's holder is gone, so the night may be claimed)
and the line lets the monitoring count and alarm on it; ``reservations tenants check`` finds the
rest.  The function runtime routes this logger through its JSON handler (``functions.runtime``).
"""

from __future__ import annotations

import logging
from datetime import date

LOGGER_NAME = "reservations.damage"
MESSAGE = "store damage"  # the metric filter matches this message exactly

logger = logging.getLogger(LOGGER_NAME)


def report(table: str, kind: str, detail: str, *, room_number: int, night: date, holder: int | None) -> None:
    logger.error(
        MESSAGE,
        extra={
            "table": table,
            "damage": kind,
            "detail": detail,
            "room_number": room_number,
            "night": night.isoformat(),
            "holder": holder,
        },
    )
