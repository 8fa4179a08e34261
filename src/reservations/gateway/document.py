"""The OpenAPI document as ``/openapi.json`` serves it: the file, plus today's check-in window.

A booking's check-in must lie between yesterday (UTC) and two years ahead, a window that moves
every day, so the file can only say it in words.  Served, each schema marked ``x-check-in-window``
also gets a ``pattern`` that matches exactly the dates of today's window, so the document states
what the server accepts and a fuzzer reading it (``schemathesis run``) generates no check-in the
server must refuse.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from reservations.domain.parsing import MAX_DAYS_AHEAD, MAX_DAYS_BEHIND

OPENAPI_PATH = Path(__file__).resolve().parent.parent / "openapi.json"
WINDOW_MARK = "x-check-in-window"


def window_pattern(first: date, last: date) -> str:
    """A regular expression matching exactly the ISO dates from ``first`` to ``last``.

    One alternative per month, listing that month's days: short enough (about 2 KiB for two years)
    and a plain alternation, which every regex engine and generator handles.
    """
    months: dict[str, list[str]] = {}
    day = first
    while day <= last:
        months.setdefault(day.strftime("%Y-%m"), []).append(day.strftime("%d"))
        day += timedelta(days=1)
    return "^(?:" + "|".join(f"{month}-(?:{'|'.join(days)})" for month, days in months.items()) + ")$"


@lru_cache(maxsize=2)
def served(today: date) -> bytes:
    """The document for ``today`` (UTC), as bytes; one is kept per day."""
    document = json.loads(OPENAPI_PATH.read_text(encoding="utf-8"))
    pattern = window_pattern(today - timedelta(days=MAX_DAYS_BEHIND), today + timedelta(days=MAX_DAYS_AHEAD))
    _mark_windows(document, pattern)
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode()


def _mark_windows(node: Any, pattern: str) -> None:
    if isinstance(node, dict):
        if node.pop(WINDOW_MARK, False):
            node["pattern"] = pattern
        for value in node.values():
            _mark_windows(value, pattern)
    elif isinstance(node, list):
        for value in node:
            _mark_windows(value, pattern)
