"""The README's tour works for a newcomer who explores on the way: it names no reservation by a fixed
ID (``get 1`` reached another guest after one extra booking), it takes each ID from an output."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXED_ID = re.compile(r"^\s*reservations (get|delete|change) \d+", re.MULTILINE)


def test_the_readme_names_no_reservation_by_a_fixed_id():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert FIXED_ID.findall(text) == []
    assert 'reservations get "$ID"' in text
