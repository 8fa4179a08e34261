"""What every function shares per process: the structured logger and the per-request line.

Powertools' ``Logger`` writes one JSON line per call with the service name; request id and
customer are passed per line, never the API key or headers.  Only the logging submodule is
imported: the rest of Powertools stays off the cold-start path.

The one line every request writes (``request_line``) has the same shape as the logger's lines but
skips the ``logging`` machinery and Powertools' formatter, which together were about a fifth of a
50-row list request's time (profiled in process): a record object, two filters, key extraction
from the record's ``__dict__``, and ``strftime`` for every line.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from typing import Any

from aws_lambda_powertools.logging import Logger

from reservations.stores import damage

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "reservations"))
# The stores' "store damage" line (stores.damage) as JSON like every other line, so the monitoring's
# metric filter can count it.
_damage_logger = logging.getLogger(damage.LOGGER_NAME)
_damage_logger.addHandler(logger.registered_handler)
_damage_logger.propagate = False
# The channel sync's line per feed ("channel sync", its conflicts counted by the monitoring), likewise.
_channels_logger = logging.getLogger("reservations.channels")
_channels_logger.addHandler(logger.registered_handler)
_channels_logger.propagate = False

_second: tuple[int, str] = (-1, "")


def _timestamp(now: float) -> str:
    """Powertools' default format (``2026-11-29 11:48:59,825+0000``), in UTC as Lambda runs."""
    global _second
    whole = int(now)
    if _second[0] != whole:
        _second = (whole, time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(whole)))
    return f"{_second[1]},{int((now - whole) * 1000):03d}+0000"


def request_line(message: str, fields: dict[str, Any]) -> None:
    """Writes ``{"level": "INFO", "location", "message", "timestamp", "service", **fields}``.

    Honours the logger's level (``POWERTOOLS_LOG_LEVEL``), its service name and its stream; keys
    added with ``logger.append_keys`` are not in it (the functions add none).
    """
    if logger.log_level > logging.INFO:
        return
    caller = sys._getframe(1)
    record = {
        "level": "INFO",
        "location": f"{caller.f_code.co_name}:{caller.f_lineno}",
        "message": message,
        "timestamp": _timestamp(time.time()),
        "service": logger.service,
        **fields,
    }
    line = json.dumps(record, default=str, ensure_ascii=False, separators=(",", ":")) + "\n"
    handler = logger.registered_handler
    stream = getattr(handler, "stream", None)
    if stream is None:  # not a stream handler: let it format the line its own way
        logger.info(message, extra=fields)
        return
    handler.acquire()
    try:
        stream.write(line)
        stream.flush()
    finally:
        handler.release()
