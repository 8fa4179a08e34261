"""Terraform's provider installation for the suites, as ``scripts/terraform-check`` sets it up.

A configuration the user has (``TF_CLI_CONFIG_FILE`` naming a file) is kept; otherwise the first
filesystem mirror found in the usual places (or ``$TF_PROVIDER_MIRROR``) is used, so that the tests
that run ``terraform init`` themselves (the migration plan, the benchmark's plan section) check on an
offline machine with a mirror what ``make terraform-check`` checks there, instead of skipping.
"""

from __future__ import annotations

import os
from pathlib import Path

MIRROR_PLACES = (
    os.environ.get("TF_PROVIDER_MIRROR", ""),
    str(Path.home() / ".terraform.d" / "plugins"),
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
    "/opt",
)


def find_mirror() -> Path | None:
    """The folder holding ``registry.terraform.io`` in the first place that has one (depth 3 at most)."""
    for place in filter(None, MIRROR_PLACES):
        base = Path(place)
        if not base.is_dir():
            continue
        for depth in range(4):
            for found in base.glob("/".join(["*"] * depth + ["registry.terraform.io"])):
                if found.is_dir():
                    return found.parent
    return None


def cli_config(folder: Path) -> str | None:
    """The CLI configuration to use: the user's, or one written into ``folder`` for a mirror found."""
    configured = os.environ.get("TF_CLI_CONFIG_FILE")
    if configured and Path(configured).is_file():
        return configured
    mirror = find_mirror()
    if mirror is None:
        return None
    path = folder / "cli.tfrc"
    path.write_text(
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path    = "{mirror}"\n    include = ["registry.terraform.io/*/*"]\n  }}\n'
        "}\n"
    )
    return str(path)
