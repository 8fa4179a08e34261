"""Rebuild: Terraform Cloud runs in two workspaces, planned, checked and applied across short calls.

The cluster and the nginx edge live in separate Terraform roots and workspaces (Terraform's own
advice: a kubernetes provider must not configure itself from a cluster created in the same
configuration, and while the cluster is gone every plan that holds Kubernetes objects fails). So a
rebuild is a run of the whole cluster workspace (``RESERVATIONS_TFC_WORKSPACE``, AWS resources
only) and, once it is applied and EKS says the cluster is ACTIVE, a run of the edge workspace
(``RESERVATIONS_TFC_EDGE_WORKSPACE``; none when it is unset), which reads the cluster through data
sources. Neither run is targeted.

No state is kept between calls: our runs carry ``RUN_MARKER`` and their phase in the message, and
each call reads both workspaces' recent runs to see where the rebuild is. An active run of ours is
followed (never a second one started), someone else's active run means we start nothing, and the
edge run starts only after (and because of) a recent successful cluster run. Every plan passes the
guard (guard.py) before it is applied.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from reservations.cluster.config import SchedulerConfig
from reservations.cluster.guard import CLUSTER_ALLOWED, EDGE_ALLOWED, foreign_changes, summary
from reservations.cluster.outcome import Outcome, Status
from reservations.cluster.overrides import is_holiday
from reservations.cluster.runs import PHASE_CLUSTER, PHASE_EDGE, RUN_MARKER, SUCCEEDED, Workspace
from reservations.cluster.steps import THROTTLING, StepContext, error_code, error_message
from reservations.cluster.tfc import (
    CONFIRMABLE_STATUSES,
    FAILED_STATUSES,
    QUEUED_STATUSES,
    TerraformCloud,
    TfcConflict,
    TfcError,
    TfcNotFound,
    TfcRateLimited,
    TfcRun,
    TfcUnreachable,
)

_EPOCH = datetime.min.replace(tzinfo=UTC)


class Rebuild:
    def __init__(self, config: SchedulerConfig, eks: Any, connect: Callable[[], TerraformCloud]) -> None:
        self.config = config
        self.name = config.cluster_name
        self.eks = eks
        self._connect = connect

    def _outcome(self, ctx: StepContext, status: Status, step: str, message: str, **details: Any) -> Outcome:
        return Outcome("up", status, step, message, self.name, ctx.dry_run, details)

    def step(self, ctx: StepContext) -> Outcome:
        if ctx.scheduled_start and is_holiday(ctx.now, self.config.zone, self.config.holidays):
            return self._outcome(ctx, "noop", "holiday", "today is a holiday: scheduled rebuild skipped")
        try:
            cluster_status = self._cluster_status()
            if cluster_status == "DELETING":
                return self._outcome(
                    ctx, "in_progress", "teardown-running", "cluster is still being deleted; rebuilding after"
                )
            tfc = self._connect()
            try:
                return self._step(ctx, tfc, cluster_status)
            finally:
                tfc.close()
        except ClientError as error:
            code = error_code(error)
            if code in THROTTLING:
                return self._outcome(ctx, "in_progress", "throttled", f"AWS throttled the call ({code})")
            return self._outcome(ctx, "failed", "aws-error", f"{code}: {error_message(error)}", code=code)
        except TfcRateLimited as error:
            return self._outcome(ctx, "in_progress", "rate-limited", f"{error}; the next call retries")
        except TfcUnreachable as error:
            if ctx.phase == "follow-up":
                # Reached at the start of this cycle, so a blip: a lost follow-up must not strand
                # a run waiting for its confirmation.
                return self._outcome(ctx, "in_progress", "tfc-unreachable", f"{error}; the next call retries")
            return self._outcome(ctx, "failed", "tfc-unreachable", str(error))
        except TfcError as error:
            return self._outcome(ctx, "failed", "tfc-error", str(error))

    def _cluster_status(self) -> str | None:
        try:
            return str(self.eks.describe_cluster(name=self.name)["cluster"].get("status"))
        except ClientError as error:
            if error_code(error) == "ResourceNotFoundException":
                return None
            raise

    def _workspaces(self, tfc: TerraformCloud) -> list[Workspace]:
        """The cluster workspace, then the edge workspace when one is configured."""
        wanted = [
            (self.config.tfc_workspace or "", CLUSTER_ALLOWED, PHASE_CLUSTER, "RESERVATIONS_TFC_WORKSPACE")
        ]
        if self.config.tfc_edge_workspace:
            wanted.append(
                (self.config.tfc_edge_workspace, EDGE_ALLOWED, PHASE_EDGE, "RESERVATIONS_TFC_EDGE_WORKSPACE")
            )
        found = []
        for ref, allowed, phase, variable in wanted:
            try:
                ws = tfc.find_workspace(ref)
            except TfcNotFound:
                raise TfcError(
                    f"workspace {ref} ({variable}) not found in organization"
                    f" {self.config.tfc_organization}, or the token cannot see it"
                ) from None
            found.append(Workspace(ws, tfc.recent_runs(ws.id), allowed, phase))
        return found

    def _step(self, ctx: StepContext, tfc: TerraformCloud, cluster_status: str | None) -> Outcome:
        spaces = self._workspaces(tfc)
        for space in spaces:
            ours, _ = space.active()
            if ours is not None:
                return self._locked(ctx, space) or self._advance(ctx, tfc, space, ours)
        cluster = spaces[0]
        edge = spaces[1] if len(spaces) > 1 else None
        last_cluster = cluster.last_ours(ctx.now)
        if last_cluster is not None and last_cluster.status in SUCCEEDED and edge is not None:
            last_edge = edge.last_ours(ctx.now, after=last_cluster.created_at or _EPOCH)
            retry = ctx.phase == "start" and last_edge is not None and last_edge.status not in SUCCEEDED
            if last_edge is None or retry:
                outcome = self._edge_run(ctx, tfc, edge, last_cluster, cluster_status)
                if outcome is not None:
                    return outcome
            elif ctx.phase == "follow-up":
                return self._finished(ctx, edge, last_edge, cluster_status)
        elif last_cluster is not None and ctx.phase == "follow-up":
            return self._finished(ctx, cluster, last_cluster, cluster_status)
        if cluster_status == "ACTIVE":
            return self._outcome(ctx, "noop", "up", f"cluster {self.name} is already up")
        if cluster_status == "CREATING":
            return self._outcome(ctx, "in_progress", "cluster-creating", "cluster is being created")
        return self._start(ctx, tfc, cluster, f"started run {{run}} in workspace {cluster.ws.name}")

    def _locked(self, ctx: StepContext, space: Workspace) -> Outcome | None:
        """A workspace locked by a person is theirs: neither a new run nor an apply until they unlock it."""
        if not space.ws.locked or space.ws.locked_by == "runs":
            return None
        return self._outcome(
            ctx,
            "refused",
            "workspace-locked",
            f"workspace {space.ws.name} is locked by {space.ws.locked_by or 'someone'}; unlock it to rebuild",
            workspace=space.ws.name,
        )

    def _start(
        self, ctx: StepContext, tfc: TerraformCloud, space: Workspace, said: str, **ids: Any
    ) -> Outcome:
        """A new run in ``space``, unless it is locked or someone else's run is already going there.

        Only the workspace we are about to run in matters: a stuck run in the edge workspace does
        not stop the cluster from being rebuilt.
        """
        locked = self._locked(ctx, space)
        if locked is not None:
            return locked
        _, theirs = space.active()
        if theirs is not None:
            return self._outcome(
                ctx,
                "noop",
                "run-active",
                f"run {theirs.id} ({theirs.status}) is already in progress in {space.ws.name};"
                " not starting another",
                run_id=theirs.id,
                run_status=theirs.status,
                workspace=space.ws.name,
            )
        role = space.allowed.workspace_role
        if ctx.dry_run:
            return self._outcome(
                ctx, "noop", "dry-run", f"would start the {role} run in workspace {space.ws.name}", **ids
            )
        when = ctx.now.strftime("%Y-%m-%d %H:%M UTC")
        message = f"{RUN_MARKER} {space.phase} rebuild {self.name} ({ctx.trigger}, {when})"
        run = tfc.create_run(space.ws.id, message)
        return self._outcome(
            ctx,
            "in_progress",
            "run-created",
            said.replace("{run}", run.id),
            run_id=run.id,
            run_status=run.status,
            phase=role,
            workspace=space.ws.name,
            **ids,
        )

    def _edge_run(
        self,
        ctx: StepContext,
        tfc: TerraformCloud,
        edge: Workspace,
        cluster_run: TfcRun,
        cluster_status: str | None,
    ) -> Outcome | None:
        """The cluster run is done: start the edge run once the cluster it built is ACTIVE.

        ``None`` when a new cycle should start from the cluster instead (the cluster is gone again,
        e.g. torn down by hand since).
        """
        ids = {"run_id": cluster_run.id, "run_status": cluster_run.status}
        if cluster_status != "ACTIVE":
            # The cluster may have become ACTIVE since our first look.
            cluster_status = self._cluster_status()
        if cluster_status == "CREATING":
            return self._outcome(ctx, "in_progress", "cluster-creating", "cluster is being created", **ids)
        if cluster_status != "ACTIVE":
            if ctx.phase == "start":
                return None
            return self._outcome(
                ctx,
                "failed",
                "cluster-missing",
                f"run {cluster_run.id} {cluster_run.status} but cluster {self.name} is"
                f" {cluster_status or 'absent'}; does workspace {self.config.tfc_workspace} manage it?",
                **ids,
            )
        said = (
            f"cluster rebuilt by run {cluster_run.id}; started edge run {{run}} in workspace {edge.ws.name}"
        )
        return self._start(ctx, tfc, edge, said, cluster_run_id=cluster_run.id)

    def _advance(self, ctx: StepContext, tfc: TerraformCloud, space: Workspace, run: TfcRun) -> Outcome:
        ws = space.ws
        ids = {"run_id": run.id, "run_status": run.status, "workspace": ws.name}
        if run.status in FAILED_STATUSES:
            return self._outcome(
                ctx, "failed", run.status, f"run {run.id} is {run.status}: a policy needs an override", **ids
            )
        if run.status in QUEUED_STATUSES and run.created_at is not None:
            waited = ctx.now - run.created_at
            if waited.total_seconds() > self.config.queue_timeout_s:
                where = f" (position {run.position_in_queue} in the queue)" if run.position_in_queue else ""
                return self._outcome(
                    ctx,
                    "failed",
                    "queued-too-long",
                    f"run {run.id} has sat {run.status} for {int(waited.total_seconds() // 60)} min{where}; "
                    "check the workspace's agents or concurrency",
                    **ids,
                )
        if run.status not in CONFIRMABLE_STATUSES:
            return self._outcome(
                ctx, "in_progress", "run-" + run.status, f"run {run.id} is {run.status}", **ids
            )
        if ws.auto_apply:
            return self._outcome(
                ctx,
                "in_progress",
                "auto-apply",
                f"run {run.id} is {run.status}; the workspace auto-applies",
                **ids,
            )
        if not run.is_confirmable:
            return self._outcome(
                ctx,
                "in_progress",
                "checks-running",
                f"run {run.id} is {run.status}; waiting for its checks",
                **ids,
            )
        plan = tfc.get_plan(run.plan_id) if run.plan_id else None
        counts = f"+{plan.additions} ~{plan.changes} -{plan.destructions}" if plan else "plan unknown"
        if not self.config.allow_foreign_changes:
            refusal = self._guard(ctx, tfc, space, run, plan, counts)
            if refusal is not None:
                return refusal
        if ctx.dry_run:
            return self._outcome(ctx, "noop", "dry-run", f"would apply run {run.id} ({counts})", **ids)
        try:
            tfc.apply_run(run.id, f"{RUN_MARKER} applied by the cost scheduler ({ctx.trigger})")
        except TfcConflict as error:
            return self._outcome(ctx, "in_progress", "not-confirmable", f"run {run.id}: {error}", **ids)
        return self._outcome(
            ctx, "in_progress", "applying", f"applying run {run.id} in {ws.name} ({counts})", **ids
        )

    def _guard(
        self,
        ctx: StepContext,
        tfc: TerraformCloud,
        space: Workspace,
        run: TfcRun,
        plan: Any,
        counts: str,
    ) -> Outcome | None:
        """A refusal when the plan changes anything outside the workspace's allowed set."""
        if plan is None or not (plan.additions or plan.changes or plan.destructions):
            return None if plan is not None else self._refuse_unreadable(ctx, space, run, counts)
        foreign = foreign_changes(tfc, plan, space.allowed)
        if foreign is None:
            return self._refuse_unreadable(ctx, space, run, counts)
        if not foreign:
            return None
        return self._outcome(
            ctx,
            "refused",
            "foreign-changes",
            f"run {run.id} in {space.ws.name} would change {len(foreign)} resources outside the"
            f" {space.allowed.workspace_role}'s ({counts}): {summary(foreign)}; not applying it."
            " Review it in Terraform Cloud, or set RESERVATIONS_ALLOW_FOREIGN_CHANGES=true",
            run_id=run.id,
            run_status=run.status,
            workspace=space.ws.name,
            foreign_changes=[c.address for c in foreign],
            foreign_actions={c.address: list(c.actions) for c in foreign},
        )

    def _refuse_unreadable(self, ctx: StepContext, space: Workspace, run: TfcRun, counts: str) -> Outcome:
        return self._outcome(
            ctx,
            "refused",
            "plan-unreadable",
            f"run {run.id} in {space.ws.name} plans changes ({counts}) but its JSON plan could not be"
            f" read to check they are only the {space.allowed.workspace_role}'s"
            f" ({space.allowed.describe()}); not applying it. Review it in Terraform Cloud",
            run_id=run.id,
            run_status=run.status,
            workspace=space.ws.name,
        )

    def _finished(
        self, ctx: StepContext, space: Workspace, run: TfcRun, cluster_status: str | None
    ) -> Outcome:
        """Our last run in ``space`` has ended: the cycle's verdict."""
        ids = {"run_id": run.id, "run_status": run.status, "workspace": space.ws.name}
        if run.status in SUCCEEDED:
            if cluster_status != "ACTIVE":
                # The run may have finished between our look at the cluster and at the runs.
                cluster_status = self._cluster_status()
            if cluster_status == "ACTIVE":
                what = "edge restored" if space.phase == PHASE_EDGE else "cluster rebuilt"
                return self._outcome(
                    ctx,
                    "done",
                    "up",
                    f"{what} by run {run.id} ({run.status}); cluster {self.name} is up",
                    **ids,
                )
            if cluster_status == "CREATING":
                return self._outcome(
                    ctx, "in_progress", "cluster-creating", "cluster is being created", **ids
                )
            return self._outcome(
                ctx,
                "failed",
                "cluster-missing",
                f"run {run.id} {run.status} but cluster {self.name} is {cluster_status or 'absent'}; "
                f"does workspace {self.config.tfc_workspace} manage it?",
                **ids,
            )
        if run.status in FAILED_STATUSES or run.status == "errored":
            return self._outcome(
                ctx, "failed", run.status, f"run {run.id} in {space.ws.name} ended {run.status}", **ids
            )
        return self._outcome(
            ctx, "failed", "run-" + run.status, f"run {run.id} in {space.ws.name} ended {run.status}", **ids
        )
