#!/usr/bin/env python3
"""Writes terraform/cell/functions.auto.tfvars.json, the iam module's policy templates and the edge's nginx.conf.

Terraform reads the function catalogue (names, handlers, routes, memory, timeouts) and every
function's IAM policies from these generated files, so a function and its permissions are defined
once, in Python; likewise the edge module's nginx.conf template is the configuration
`reservations edge render` writes (src/reservations/edge/), with Terraform's variables as placeholders.
`--check` exits 1 when a committed file is stale, for CI.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from reservations.catalogue import FUNCTIONS, terraform_variables_json  # noqa: E402
from reservations.edge.eks import (  # noqa: E402
    CELLS_TERRAFORM_TEMPLATE,
    TERRAFORM_TEMPLATE,
    terraform_cells_template,
    terraform_template,
)
from reservations.iam import template_json, trust_template_json  # noqa: E402

TARGET = ROOT / "terraform" / "cell" / "functions.auto.tfvars.json"
POLICIES = ROOT / "terraform" / "modules" / "iam" / "policies.json.tftpl"
TRUSTS = ROOT / "terraform" / "modules" / "iam" / "tenant-trust.json.tftpl"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the file is stale instead of writing it"
    )
    parser.add_argument(
        "--names", action="store_true", help="print the catalogue's function names (for shell loops) and exit"
    )
    parser.add_argument("--target", type=Path, default=TARGET, help=argparse.SUPPRESS)  # for tests
    parser.add_argument("--policies-target", type=Path, default=POLICIES, help=argparse.SUPPRESS)
    parser.add_argument("--trusts-target", type=Path, default=TRUSTS, help=argparse.SUPPRESS)
    parser.add_argument("--edge-target", type=Path, default=TERRAFORM_TEMPLATE, help=argparse.SUPPRESS)
    parser.add_argument(
        "--edge-cells-target", type=Path, default=CELLS_TERRAFORM_TEMPLATE, help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.names:
        print("\n".join(f.name for f in FUNCTIONS))
        return 0
    stale = 0
    for target, wanted in (
        (args.target, terraform_variables_json()),
        (args.policies_target, template_json()),
        (args.trusts_target, trust_template_json()),
        (args.edge_target, terraform_template()),
        (args.edge_cells_target, terraform_cells_template()),
    ):
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == wanted:
            continue
        if args.check:
            print(f"{target} is stale; run make tfvars (python scripts/gen-tfvars.py)", file=sys.stderr)
            stale = 1
        else:
            target.write_text(wanted, encoding="utf-8")
            print(f"wrote {target}")
    return stale


if __name__ == "__main__":
    raise SystemExit(main())
