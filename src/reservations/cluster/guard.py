"""The rebuild's plan guard: a run is applied only if it changes nothing but what the teardown removed.

A rebuild after a teardown should recreate the cluster (in the cluster workspace) and the edge's
objects (in the edge workspace), nothing else. A plan that also creates, updates, replaces or
destroys anything outside those sets means the configuration or the state moved on since the last
reviewed apply (someone's unapplied change, drift, a module upgrade): applying it unattended at
07:00 would ship that change without review. So the guard reads the plan's JSON resource changes
and refuses such a plan, naming the foreign addresses, unless ``RESERVATIONS_ALLOW_FOREIGN_CHANGES``
says otherwise. Without the JSON (Terraform Cloud did not offer it), a plan with any change is
refused: the guard never guesses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reservations.cluster.tfc import (
    TerraformCloud,
    TfcError,
    TfcPlan,
    TfcRateLimited,
    TfcResourceChange,
    TfcUnreachable,
)

# Actions that leave the real resource as it is.
_UNCHANGED = frozenset({"no-op", "read"})


@dataclass(frozen=True)
class Allowed:
    """What a workspace's rebuild run may change: resource types (by prefix or exactly), or resources
    by address (every instance of it: ``address`` and ``address[...]``)."""

    workspace_role: str  # "cluster" or "edge", for messages
    type_prefixes: tuple[str, ...] = ()
    types: frozenset[str] = frozenset()
    addresses: tuple[str, ...] = ()

    def admits(self, change: TfcResourceChange) -> bool:
        if change.type in self.types or change.type.startswith(self.type_prefixes):
            return True
        instance = change.address.split("[", 1)[0]
        return instance in self.addresses

    def describe(self) -> str:
        return ", ".join([f"{p}*" for p in self.type_prefixes] + sorted(self.types) + list(self.addresses))


# Everything the teardown deletes is an aws_eks_* resource (cluster, nodegroups, Fargate profiles,
# add-ons, access entries and policy associations all go with the cluster), plus what lives on the
# cluster's own security group (EKS creates and deletes that group with the cluster): the eks
# module's 443 rules for the Terraform runs. An OIDC provider carries the cluster's issuer URL, so a
# new cluster replaces it. The eks module's IAM roles and log group outlive the teardown and must
# come back unchanged. Keep this in step with terraform/modules/eks.
CLUSTER_ALLOWED = Allowed(
    "cluster",
    ("aws_eks_",),
    frozenset({"aws_iam_openid_connect_provider"}),
    ("module.eks.aws_vpc_security_group_ingress_rule.endpoint",),
)
# The edge workspace holds the nginx objects (gone with the cluster) and the DNS record that points
# at the new load balancer.
EDGE_ALLOWED = Allowed("edge", ("kubernetes_",), frozenset({"aws_route53_record"}))


def changes(change: TfcResourceChange) -> bool:
    return bool(set(change.actions) - _UNCHANGED)


def foreign_changes(tfc: TerraformCloud, plan: TfcPlan, allowed: Allowed) -> list[TfcResourceChange] | None:
    """The plan's changes outside ``allowed``; ``None`` when the plan's JSON cannot be read."""
    try:
        planned = tfc.plan_resource_changes(plan.id)
    except (TfcRateLimited, TfcUnreachable):
        raise  # a pause, not a verdict on the plan
    except TfcError:
        return None
    if planned is None:
        return None
    return [c for c in planned if changes(c) and not allowed.admits(c)]


def summary(foreign: Sequence[TfcResourceChange], shown: int = 5) -> str:
    """``aws_s3_bucket.logs (delete), aws_iam_role.x (update) ...``: what an on-call reads first."""
    named = [f"{c.address} ({'/'.join(a for a in c.actions if a not in _UNCHANGED)})" for c in foreign]
    more = f" and {len(named) - shown} more" if len(named) > shown else ""
    return ", ".join(named[:shown]) + more
