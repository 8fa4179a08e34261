"""Lambda SnapStart's runtime hooks (Terraform's ``lambda_snap_start``), registered on import.

With SnapStart, Lambda initialises a published version once, snapshots the process and restores
the snapshot for every cold start. So the work worth doing before the snapshot is what a first
request would otherwise pay: creating the store's and the registry's clients (no AWS call is made,
so no connection or credentials end up in the snapshot). After a restore, every sandbox would share
the snapshot's pseudo-random state: botocore's retry jitter would then back off in lockstep across
sandboxes, so it is re-seeded from the OS. ``snapshot_restore_py`` exists only in Lambda's managed
runtimes, and the hooks matter only when Lambda says it initialises for a snapshot
(``AWS_LAMBDA_INITIALIZATION_TYPE=snap-start``): every other cold start (on-demand, provisioned,
tests, ``reservations serve``) skips even the import, which would otherwise search the whole path
for a module that is not there on each cold start.
"""

from __future__ import annotations

import os
import random

from reservations import wiring
from reservations.functions.runtime import logger


def _warm() -> None:
    try:
        wiring.registry()
        wiring.store()
    except Exception:  # the first request then creates them, as without SnapStart
        logger.exception("SnapStart: warming the clients before the snapshot failed")


def _after_restore() -> None:
    random.seed()


def register() -> bool:
    """True when the hooks were registered (only when Lambda initialises a SnapStart version)."""
    if os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") != "snap-start":
        return False
    try:
        # Only in Lambda's managed runtimes, hence no stubs anywhere else.
        from snapshot_restore_py import (  # type: ignore[import-not-found]
            register_after_restore,
            register_before_snapshot,
        )
    except ImportError:
        return False
    register_before_snapshot(_warm)
    register_after_restore(_after_restore)
    return True


register()
