"""Our Terraform Cloud runs as a rebuild reads them: which runs are the scheduler's (``RUN_MARKER`` and
the phase in their message), which is active, and whether our last one is recent enough to follow.
Apart from ``rebuild`` (the steps that start, follow and apply runs), which decides from these."""

from __future__ import annotations

from datetime import datetime, timedelta

from reservations.cluster.guard import Allowed
from reservations.cluster.tfc import TfcRun, TfcWorkspace

RUN_MARKER = "[reservations-scheduler]"
# A call reports on (or builds on) our last run rather than starting another if it is this recent.
RUN_MEMORY = timedelta(hours=12)
PHASE_CLUSTER = "phase=cluster"
PHASE_EDGE = "phase=edge"
# A run that ended like this left its workspace as the configuration says.
SUCCEEDED = ("applied", "planned_and_finished")


class Workspace:
    """One workspace as this call sees it: its settings, its recent runs and the guard's rules."""

    def __init__(self, ws: TfcWorkspace, runs: list[TfcRun], allowed: Allowed, phase: str) -> None:
        self.ws = ws
        self.runs = runs
        self.allowed = allowed
        self.phase = phase

    def active(self) -> tuple[TfcRun | None, TfcRun | None]:
        """(our active run, someone else's active run)."""
        active = [run for run in self.runs if run.active]
        ours = next((run for run in active if RUN_MARKER in run.message), None)
        return ours, (active[-1] if active and ours is None else None)

    def last_ours(self, now: datetime, after: datetime | None = None) -> TfcRun | None:
        """Our newest run if it is recent (and, with ``after``, created after that moment)."""
        run = next((run for run in self.runs if RUN_MARKER in run.message), None)
        if run is None or run.created_at is None or now - run.created_at >= RUN_MEMORY:
            return None
        # An edge run is only ever started after its cluster run was applied, so one stamped in the
        # same instant as the cluster run still belongs to it.
        if after is not None and run.created_at < after:
            return None
        return run
