"""``python -m bench``: every benchmark in turn; each prints its table and writes bench/results/<name>.json.

python -m bench                  # all of them
python -m bench gateway race     # some of them
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import time
from pathlib import Path

# Modules that are helpers, not benchmarks.
NOT_BENCHMARKS = {"common", "servers", "soak"}


def available() -> list[str]:
    here = Path(__file__).resolve().parent
    return sorted(
        m.name
        for m in pkgutil.iter_modules([str(here)])
        if not m.name.startswith("_") and m.name not in NOT_BENCHMARKS
    )


def main(argv: list[str]) -> int:
    names = argv or available()
    unknown = sorted(set(names) - set(available()))
    if unknown:
        print(f"unknown benchmark {unknown[0]!r}; available: {', '.join(available())}", file=sys.stderr)
        return 2
    failed = []
    for name in names:
        started = time.monotonic()
        print(f"\n=== bench.{name}", flush=True)
        # Each in a fresh interpreter: no benchmark inherits another's memory (RSS figures) or state.
        if subprocess.run([sys.executable, "-m", f"bench.{name}"], check=False).returncode != 0:
            failed.append(name)
        print(f"=== bench.{name}: {time.monotonic() - started:.0f} s", flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
