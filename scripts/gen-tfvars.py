#!/usr/bin/env python3
"""Writes terraform/functions.auto.tfvars.json from reservations.catalogue.

Terraform reads the function catalogue (names, handlers, routes, memory, timeouts) from this
generated file, so a function is defined once, in Python.  `--check` exits 1 when the committed file
is stale, for CI.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from reservations.catalogue import FUNCTIONS, terraform_variables_json  # noqa: E402

TARGET = ROOT / "terraform" / "functions.auto.tfvars.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the file is stale instead of writing it"
    )
    parser.add_argument(
        "--names", action="store_true", help="print the catalogue's function names (for shell loops) and exit"
    )
    parser.add_argument("--target", type=Path, default=TARGET, help=argparse.SUPPRESS)  # for tests
    args = parser.parse_args(argv)
    if args.names:
        print("\n".join(f.name for f in FUNCTIONS))
        return 0
    target: Path = args.target
    wanted = terraform_variables_json()
    current = target.read_text(encoding="utf-8") if target.exists() else None
    if args.check:
        if current != wanted:
            print(f"{target} is stale; run python scripts/gen-tfvars.py", file=sys.stderr)
            return 1
        return 0
    if current != wanted:
        target.write_text(wanted, encoding="utf-8")
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
