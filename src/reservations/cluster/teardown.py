"""Teardown: nodegroups and Fargate profiles first, then the cluster, then what Kubernetes left behind.

Each call inspects the cluster and takes the next step, so a Lambda invocation lasts a second or two
instead of the ten minutes EKS needs. Load balancers, target groups and security groups that the
cluster created for ``LoadBalancer`` Services carry ``kubernetes.io/cluster/<name> = owned``; they are
released once the cluster is gone (earlier, the cluster's service controller would recreate them),
so no NLB keeps billing or blocks the VPC's deletion. The Terraform state is never touched.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from reservations.cluster.config import OPT_IN_TAG, OPT_IN_VALUE, SKIP_UNTIL_TAG, SchedulerConfig
from reservations.cluster.outcome import Outcome, Status
from reservations.cluster.overrides import BadSkipTag, is_holiday, skip_until
from reservations.cluster.steps import THROTTLING, StepContext, error_code, error_message

LB_CONTROLLER_TAG = "elbv2.k8s.aws/cluster"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


class Teardown:
    def __init__(self, config: SchedulerConfig, eks: Any, elbv2: Any, ec2: Any) -> None:
        self.config = config
        self.name = config.cluster_name
        self.eks = eks
        self.elbv2 = elbv2
        self.ec2 = ec2

    def _outcome(self, ctx: StepContext, status: Status, step: str, message: str, **details: Any) -> Outcome:
        return Outcome("down", status, step, message, self.name, ctx.dry_run, details)

    def step(self, ctx: StepContext) -> Outcome:
        """One step; AWS throttling is a pause (the next call retries), any other AWS error a failure."""
        if ctx.scheduled_start and is_holiday(ctx.now, self.config.zone, self.config.holidays):
            return self._outcome(ctx, "noop", "holiday", "today is a holiday: scheduled teardown skipped")
        try:
            return self._step(ctx)
        except ClientError as error:
            code = error_code(error)
            if code in THROTTLING:
                return self._outcome(
                    ctx, "in_progress", "throttled", f"AWS throttled the call ({code}); the next call retries"
                )
            return self._outcome(ctx, "failed", "aws-error", f"{code}: {error_message(error)}", code=code)

    def describe(self) -> dict[str, Any] | None:
        try:
            cluster: dict[str, Any] = self.eks.describe_cluster(name=self.name)["cluster"]
        except ClientError as error:
            if error_code(error) == "ResourceNotFoundException":
                return None
            raise
        return cluster

    def _step(self, ctx: StepContext) -> Outcome:
        cluster = self.describe()
        if cluster is None:
            return self._release_orphans(ctx)
        tags: dict[str, str] = cluster.get("tags") or {}
        if tags.get(OPT_IN_TAG) != OPT_IN_VALUE:
            return self._outcome(
                ctx,
                "refused",
                "not-opted-in",
                f"cluster {self.name} does not carry the tag {OPT_IN_TAG}={OPT_IN_VALUE}; not touching it",
            )
        if cluster.get("deletionProtection"):
            return self._outcome(
                ctx,
                "refused",
                "deletion-protection",
                f"cluster {self.name} has EKS deletion protection on;"
                " switch it off yourself to allow teardown",
            )
        if ctx.scheduled_start:
            try:
                until = skip_until(tags, SKIP_UNTIL_TAG, self.config.zone, ctx.now)
            except BadSkipTag as error:
                return self._outcome(ctx, "refused", "bad-skip-tag", f"{SKIP_UNTIL_TAG}: {error}")
            if until is not None:
                return self._outcome(
                    ctx,
                    "noop",
                    "skipped",
                    f"scheduled teardown skipped until {until.isoformat()} ({SKIP_UNTIL_TAG})",
                    skip_until=until.isoformat(),
                )
        status = cluster.get("status")
        if status == "DELETING":
            return self._outcome(ctx, "in_progress", "cluster-deleting", "cluster deletion in progress")
        if status == "CREATING":
            return self._outcome(
                ctx,
                "in_progress",
                "cluster-creating",
                "cluster is still being created; deleting it next call",
            )
        return self._delete_children_or_cluster(ctx)

    def _nodegroups(self) -> list[str]:
        names: list[str] = []
        for page in self.eks.get_paginator("list_nodegroups").paginate(clusterName=self.name):
            names.extend(page.get("nodegroups", []))
        return names

    def _fargate_profiles(self) -> list[str]:
        names: list[str] = []
        for page in self.eks.get_paginator("list_fargate_profiles").paginate(clusterName=self.name):
            names.extend(page.get("fargateProfileNames", []))
        return names

    def _delete_cluster(self, ctx: StepContext) -> Outcome:
        """The cluster itself, once it has no nodegroup or Fargate profile left."""
        if ctx.dry_run:
            return self._outcome(ctx, "noop", "dry-run", f"would delete cluster {self.name}")
        try:
            self.eks.delete_cluster(name=self.name)
        except ClientError as error:
            if error_code(error) == "ResourceInUseException":
                return self._outcome(
                    ctx, "in_progress", "cluster-busy", f"cluster busy: {error_message(error)}"
                )
            if error_code(error) == "ResourceNotFoundException":
                return self._release_orphans(ctx)
            raise
        return self._outcome(ctx, "in_progress", "cluster-deleting", "cluster deletion started")

    def _delete_children_or_cluster(self, ctx: StepContext) -> Outcome:
        nodegroups = self._nodegroups()
        profiles = self._fargate_profiles()
        if not nodegroups and not profiles:
            return self._delete_cluster(ctx)
        if ctx.dry_run:
            return self._outcome(
                ctx,
                "noop",
                "dry-run",
                f"would delete {plural(len(nodegroups), 'nodegroup')} ({', '.join(nodegroups) or '-'}) and "
                f"{plural(len(profiles), 'Fargate profile')} ({', '.join(profiles) or '-'}), "
                f"then cluster {self.name}",
                nodegroups=nodegroups,
                fargate_profiles=profiles,
            )
        started: list[str] = []
        waiting: list[str] = []
        for name in nodegroups:
            self._delete_one(
                name,
                lambda n: self.eks.describe_nodegroup(clusterName=self.name, nodegroupName=n)["nodegroup"],
                lambda n: self.eks.delete_nodegroup(clusterName=self.name, nodegroupName=n),
                started,
                waiting,
            )
        for name in profiles:
            self._delete_one(
                name,
                lambda n: self.eks.describe_fargate_profile(clusterName=self.name, fargateProfileName=n)[
                    "fargateProfile"
                ],
                lambda n: self.eks.delete_fargate_profile(clusterName=self.name, fargateProfileName=n),
                started,
                waiting,
            )
        left = len(nodegroups) + len(profiles)
        what = f"{plural(len(nodegroups), 'nodegroup')} and {plural(len(profiles), 'Fargate profile')}"
        message = f"waiting for {what} to be deleted"
        if started:
            message = f"started deleting {', '.join(started)}; {message}"
        return self._outcome(
            ctx,
            "in_progress",
            "deleting-nodegroups",
            message,
            nodegroups_left=len(nodegroups),
            fargate_profiles_left=len(profiles),
            started=started,
            resources_left=left,
        )

    def _delete_one(
        self, name: str, describe: Any, delete: Any, started: list[str], waiting: list[str]
    ) -> None:
        """DELETING means wait; ResourceInUse (EKS deletes one Fargate profile at a time) too."""
        try:
            status = describe(name).get("status")
            if status == "DELETING":
                waiting.append(name)
                return
            delete(name)
            started.append(name)
        except ClientError as error:
            if error_code(error) == "ResourceNotFoundException":
                return
            if error_code(error) == "ResourceInUseException":
                waiting.append(name)
                return
            raise

    # --- what the cluster left behind -------------------------------------------------------------

    def _owned(self, tags: list[dict[str, str]]) -> bool:
        pairs = {t.get("Key"): t.get("Value") for t in tags}
        return (
            pairs.get(f"kubernetes.io/cluster/{self.name}") == "owned"
            or pairs.get(LB_CONTROLLER_TAG) == self.name
        )

    def _owned_elbv2(self, paginator: str, key: str, arn_key: str) -> list[str]:
        arns: list[str] = []
        for page in self.elbv2.get_paginator(paginator).paginate():
            arns.extend(item[arn_key] for item in page.get(key, []))
        owned: list[str] = []
        for i in range(0, len(arns), 20):
            for description in self.elbv2.describe_tags(ResourceArns=arns[i : i + 20])["TagDescriptions"]:
                if self._owned(description.get("Tags", [])):
                    owned.append(description["ResourceArn"])
        return owned

    def orphans(self) -> dict[str, list[str]]:
        groups = self.ec2.describe_security_groups(
            Filters=[{"Name": f"tag:kubernetes.io/cluster/{self.name}", "Values": ["owned"]}]
        )["SecurityGroups"]
        return {
            "load_balancers": self._owned_elbv2(
                "describe_load_balancers", "LoadBalancers", "LoadBalancerArn"
            ),
            "target_groups": self._owned_elbv2("describe_target_groups", "TargetGroups", "TargetGroupArn"),
            "security_groups": [g["GroupId"] for g in groups],
        }

    def _release_orphans(self, ctx: StepContext) -> Outcome:
        found = self.orphans()
        total = sum(len(v) for v in found.values())
        if total == 0:
            if ctx.phase == "follow-up" and not ctx.dry_run:
                # Follow-ups run only while a teardown is under way: this call sees it finish.
                return self._outcome(ctx, "done", "gone", f"cluster {self.name} is gone; nothing left behind")
            return self._outcome(
                ctx, "noop", "gone", f"cluster {self.name} is already gone; nothing left behind"
            )
        summary = ", ".join(f"{len(v)} {k.replace('_', ' ')}" for k, v in found.items() if v)
        if ctx.dry_run:
            return self._outcome(ctx, "noop", "dry-run", f"would release {summary}", **found)
        left: list[str] = []
        for arn in found["load_balancers"]:
            self.elbv2.delete_load_balancer(LoadBalancerArn=arn)
        for arn in found["target_groups"]:
            try:
                self.elbv2.delete_target_group(TargetGroupArn=arn)
            except ClientError as error:
                if error_code(error) != "ResourceInUse":
                    raise
                left.append(arn)
        for group in found["security_groups"]:
            try:
                self.ec2.delete_security_group(GroupId=group)
            except ClientError as error:
                # A load balancer's network interfaces linger for a while after it is deleted.
                if error_code(error) not in ("DependencyViolation", "InvalidGroup.InUse"):
                    raise
                left.append(group)
        if left:
            return self._outcome(
                ctx,
                "in_progress",
                "releasing-orphans",
                f"released what {self.name} left behind;"
                f" waiting on {plural(len(left), 'resource')} still in use",
                resources_left=len(left),
                left=left,
            )
        return self._outcome(
            ctx, "done", "released", f"cluster {self.name} is gone; released {summary}", released=found
        )
