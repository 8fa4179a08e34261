"""Rebuild: Terraform Cloud runs planned, checked and applied across several short calls.

The cluster's configuration lives in the workspace's state, so applying the workspace recreates
the cluster, its nodegroups and the nginx edge that the same configuration deploys. While the
cluster is gone the kubernetes provider cannot refresh the edge's objects, so a full plan fails:
the rebuild is a run targeted at the cluster (``tfc_targets``) and, once applied, a full run that
restores the edge. No state is kept between calls: our runs carry ``RUN_MARKER`` and their phase
in the message, which is how a follow-up call "remembers" where the rebuild is.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from botocore.exceptions import ClientError

from reservations.cluster.config import SchedulerConfig
from reservations.cluster.outcome import Outcome, Status
from reservations.cluster.overrides import is_holiday
from reservations.cluster.steps import THROTTLING, StepContext, error_code, error_message
from reservations.cluster.tfc import (
    CONFIRMABLE_STATUSES,
    FAILED_STATUSES,
    QUEUED_STATUSES,
    TerraformCloud,
    TfcConflict,
    TfcError,
    TfcRateLimited,
    TfcRun,
    TfcUnreachable,
    TfcWorkspace,
)

RUN_MARKER = "[reservations-scheduler]"
# Resource types that live and die with the cluster; a plan may replace these without a review.
CLUSTER_RESOURCE_PREFIXES = ("aws_eks_", "kubernetes_", "helm_", "kubectl_")
# A follow-up reports on our last run rather than starting another if it is this recent.
RUN_MEMORY = timedelta(hours=12)
PHASE_CLUSTER = "phase=cluster"
PHASE_FULL = "phase=full"
# A targeted run that ended like this leaves a cluster for the full run to complete.
CLUSTER_PHASE_DONE = ("applied", "planned_and_finished")


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

    def _step(self, ctx: StepContext, tfc: TerraformCloud, cluster_status: str | None) -> Outcome:
        workspace_ref = self.config.tfc_workspace or ""
        ws = tfc.find_workspace(workspace_ref)
        if ws.locked and ws.locked_by != "runs":
            return self._outcome(
                ctx,
                "refused",
                "workspace-locked",
                f"workspace {ws.name} is locked by {ws.locked_by or 'someone'}; unlock it to rebuild",
            )
        runs = tfc.recent_runs(ws.id)
        active = [run for run in runs if run.active]
        if active:
            ours = next((run for run in active if RUN_MARKER in run.message), None)
            if ours is None:
                current = active[-1]
                return self._outcome(
                    ctx,
                    "noop",
                    "run-active",
                    f"run {current.id} ({current.status}) is already in progress in {ws.name};"
                    " not starting another",
                    run_id=current.id,
                    run_status=current.status,
                )
            return self._advance(ctx, tfc, ws, ours)
        last = next((run for run in runs if RUN_MARKER in run.message), None)
        recent = last is not None and last.created_at is not None and ctx.now - last.created_at < RUN_MEMORY
        if (
            last is not None
            and recent
            and PHASE_CLUSTER in last.message
            and last.status in CLUSTER_PHASE_DONE
        ):
            return self._second_run(ctx, tfc, ws, last, cluster_status)
        if ctx.phase == "follow-up" and last is not None and recent:
            return self._finished(ctx, last, cluster_status)
        if cluster_status == "ACTIVE":
            return self._outcome(ctx, "noop", "up", f"cluster {self.name} is already up")
        if cluster_status == "CREATING":
            return self._outcome(ctx, "in_progress", "cluster-creating", "cluster is being created")
        if ctx.dry_run:
            return self._outcome(ctx, "noop", "dry-run", f"would start a run in workspace {ws.name}")
        targets = self.config.tfc_targets
        phase = PHASE_CLUSTER if targets else PHASE_FULL
        run = tfc.create_run(ws.id, self._message(ctx, phase), targets)
        scope = f" targeting {', '.join(targets)}" if targets else ""
        return self._outcome(
            ctx,
            "in_progress",
            "run-created",
            f"started run {run.id}{scope} in workspace {ws.name}",
            run_id=run.id,
            run_status=run.status,
            phase=phase.removeprefix("phase="),
        )

    def _message(self, ctx: StepContext, phase: str) -> str:
        when = ctx.now.strftime("%Y-%m-%d %H:%M UTC")
        return f"{RUN_MARKER} {phase} rebuild {self.name} ({ctx.trigger}, {when})"

    def _second_run(
        self,
        ctx: StepContext,
        tfc: TerraformCloud,
        ws: TfcWorkspace,
        first: TfcRun,
        cluster_status: str | None,
    ) -> Outcome:
        """The targeted run is done: start the full run only once the cluster it built is there."""
        ids = {"run_id": first.id, "run_status": first.status}
        if cluster_status != "ACTIVE":
            cluster_status = self._cluster_status()
        if cluster_status == "CREATING":
            return self._outcome(ctx, "in_progress", "cluster-creating", "cluster is being created", **ids)
        if cluster_status != "ACTIVE":
            return self._outcome(
                ctx,
                "failed",
                "cluster-missing",
                f"run {first.id} {first.status} but cluster {self.name} is {cluster_status or 'absent'}; "
                "do RESERVATIONS_TFC_TARGETS name the cluster's module?",
                **ids,
            )
        if ctx.dry_run:
            return self._outcome(
                ctx, "noop", "dry-run", f"would start the full run in workspace {ws.name}", **ids
            )
        run = tfc.create_run(ws.id, self._message(ctx, PHASE_FULL))
        return self._outcome(
            ctx,
            "in_progress",
            "run-created",
            f"cluster built by run {first.id}; started full run {run.id} in workspace {ws.name}",
            run_id=run.id,
            run_status=run.status,
            phase="full",
        )

    def _advance(self, ctx: StepContext, tfc: TerraformCloud, ws: TfcWorkspace, run: TfcRun) -> Outcome:
        ids = {"run_id": run.id, "run_status": run.status}
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
        if plan is not None and plan.destructions and not self.config.allow_foreign_destroy:
            foreign = self._foreign_destroys(tfc, plan.id)
            if foreign is None or foreign:
                named = f": {', '.join(foreign[:5])}{' ...' if len(foreign) > 5 else ''}" if foreign else ""
                count = len(foreign) if foreign else plan.destructions
                return self._outcome(
                    ctx,
                    "refused",
                    "destroys-resources",
                    f"run {run.id} would destroy {count} resources besides the cluster's ({counts}){named};"
                    " not applying it. Review it in Terraform Cloud, or set RESERVATIONS_ALLOW_FOREIGN_DESTROY=true",
                    destructions=count,
                    foreign_destroys=foreign or [],
                    **ids,
                )
        if ctx.dry_run:
            return self._outcome(ctx, "noop", "dry-run", f"would apply run {run.id} ({counts})", **ids)
        try:
            tfc.apply_run(run.id, f"{RUN_MARKER} applied by the cost scheduler ({ctx.trigger})")
        except TfcConflict as error:
            return self._outcome(ctx, "in_progress", "not-confirmable", f"run {run.id}: {error}", **ids)
        return self._outcome(ctx, "in_progress", "applying", f"applying run {run.id} ({counts})", **ids)

    @staticmethod
    def _foreign_destroys(tfc: TerraformCloud, plan_id: str) -> list[str] | None:
        """Addresses the plan destroys that are not the cluster's; ``None`` if the plan JSON is unreadable.

        Rebuilding after a teardown may replace what lived in the cluster (Kubernetes objects, add-ons):
        those are expected. Anything else being destroyed means the plan is not the rebuild we expect.
        """
        try:
            changes = tfc.plan_resource_changes(plan_id)
        except (TfcRateLimited, TfcUnreachable):
            raise  # a pause, not a verdict on the plan
        except TfcError:
            return None
        if changes is None:
            return None
        return [c.address for c in changes if c.destroys and not c.type.startswith(CLUSTER_RESOURCE_PREFIXES)]

    def _finished(self, ctx: StepContext, run: TfcRun, cluster_status: str | None) -> Outcome:
        ids = {"run_id": run.id, "run_status": run.status}
        if run.status == "applied":
            if cluster_status != "ACTIVE":
                # The run may have finished between our look at the cluster and at the runs.
                cluster_status = self._cluster_status()
            if cluster_status == "ACTIVE":
                return self._outcome(ctx, "done", "up", f"cluster {self.name} rebuilt by run {run.id}", **ids)
            if cluster_status == "CREATING":
                return self._outcome(
                    ctx, "in_progress", "cluster-creating", "cluster is being created", **ids
                )
            return self._outcome(
                ctx,
                "failed",
                "cluster-missing",
                f"run {run.id} applied but cluster {self.name} is {cluster_status or 'absent'}; "
                "does the workspace manage it?",
                **ids,
            )
        if run.status == "planned_and_finished":
            return self._outcome(
                ctx, "done", "no-changes", f"run {run.id} planned no changes (planned_and_finished)", **ids
            )
        if run.status in FAILED_STATUSES or run.status == "errored":
            return self._outcome(ctx, "failed", run.status, f"run {run.id} ended {run.status}", **ids)
        return self._outcome(ctx, "failed", "run-" + run.status, f"run {run.id} ended {run.status}", **ids)
