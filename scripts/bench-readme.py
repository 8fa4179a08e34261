#!/usr/bin/env python3
"""Copies the benchmark tables (bench/results/*.md, written by ``python -m bench``) into the README.

The README's numbers are produced by a command, never typed: this replaces everything between the
``<!-- section: benchmarks -->`` marker and the next section marker.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARKER = "<!-- section: benchmarks -->"
ORDER = [
    "gateway",
    "cold_start",
    "list_page",
    "race",
    "client_list_memory",
    "edge",
    "build_sizes",
    "cluster_cycle",
]

INTRO = """## Benchmarks

`make bench` (or `python -m bench [NAME ...]`) runs them; each prints its table and writes
`bench/results/NAME.json` (with the machine it ran on) and `NAME.md`; `python scripts/bench-readme.py`
copies the tables here. Figures from one run on the 2-core development machine{load}; ratios compare
numbers measured in the same run.

Reading the tables: the gateway's goal is at least 2x the requests/s of Chalice's local emulation
for the 50-row list page with a p99 no worse; cold start's goal is at most 1.25x the boto3 floor.
DynamoDB figures come from moto's server, which answers one request at a time and whose Query walks
the whole partition: their growth with the table is the emulator's, not DynamoDB's. A `from`/`to`
window reads the stays that start up to 30 nights before it (the longest stay), so its cost follows
the rooms booked in that month, not the size of the table.
"""


def main() -> int:
    results = ROOT / "bench" / "results"
    parts = []
    loads = []
    for name in ORDER:
        table = results / f"{name}.md"
        if not table.exists():
            continue
        parts.append(table.read_text().strip().replace("\n## ", "\n### ").replace("## ", "### ", 1))
        data = json.loads((results / f"{name}.json").read_text())
        machine = data.get("machine", {})
        if "load_average_at_start" in machine:
            loads.append(machine["load_average_at_start"][0])
    load = f" (load average at start {min(loads):.1f}-{max(loads):.1f})" if loads else ""
    readme = ROOT / "README.md"
    text = readme.read_text()
    start = text.index(MARKER) + len(MARKER)
    end = text.find("<!-- section:", start)
    body = "\n" + INTRO.format(load=load) + "\n" + "\n\n".join(parts) + "\n\n"
    readme.write_text(text[:start] + body + (text[end:] if end != -1 else ""))
    print(f"README benchmarks: {len(parts)} tables")
    return 0


if __name__ == "__main__":
    sys.exit(main())
