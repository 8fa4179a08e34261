"""Builds EKS clusters and what Kubernetes leaves behind, in moto's server, for the teardown tests."""

from __future__ import annotations

from typing import Any

from reservations.cluster.config import OPT_IN_TAG, OPT_IN_VALUE
from reservations.cluster.runner import Clients

ROLE = "arn:aws:iam::123456789012:role/eks"
MUTATING_PREFIXES = ("Create", "Delete", "Tag", "Untag", "Update", "Put", "Modify", "Publish", "Register")


def network(aws: Clients) -> tuple[str, list[str]]:
    ec2 = aws.get("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{z}")["Subnet"][
            "SubnetId"
        ]
        for i, z in ((1, "a"), (2, "b"))
    ]
    return vpc, subnets


def make_cluster(
    aws: Clients,
    name: str = "study",
    *,
    opted_in: bool = True,
    tags: dict[str, str] | None = None,
    nodegroups: tuple[str, ...] = ("general", "spot"),
    fargate: tuple[str, ...] = ("coredns",),
) -> dict[str, Any]:
    _, subnets = network(aws)
    eks = aws.get("eks")
    all_tags = {OPT_IN_TAG: OPT_IN_VALUE} if opted_in else {}
    all_tags |= tags or {}
    cluster: dict[str, Any] = eks.create_cluster(
        name=name, roleArn=ROLE, resourcesVpcConfig={"subnetIds": subnets}, tags=all_tags
    )["cluster"]
    for group in nodegroups:
        eks.create_nodegroup(clusterName=name, nodegroupName=group, nodeRole=ROLE, subnets=subnets)
    for profile in fargate:
        eks.create_fargate_profile(
            clusterName=name,
            fargateProfileName=profile,
            podExecutionRoleArn=ROLE,
            selectors=[{"namespace": "kube-system"}],
        )
    return cluster


def make_service_load_balancer(aws: Clients, cluster: str, *, owner: str = "owned") -> dict[str, str]:
    """What the in-tree service controller creates for a LoadBalancer Service: NLB, target group, SG."""
    vpc, subnets = network(aws)
    tag = {"Key": f"kubernetes.io/cluster/{cluster}", "Value": owner}
    elbv2 = aws.get("elbv2")
    lb = elbv2.create_load_balancer(
        Name=f"k8s-edge-{cluster}"[:32], Subnets=subnets, Type="network", Tags=[tag]
    )["LoadBalancers"][0]["LoadBalancerArn"]
    tg = elbv2.create_target_group(
        Name=f"k8s-edge-tg-{cluster}"[:32], Protocol="TCP", Port=80, VpcId=vpc, Tags=[tag]
    )["TargetGroups"][0]["TargetGroupArn"]
    elbv2.create_listener(
        LoadBalancerArn=lb,
        Protocol="TCP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}],
    )
    sg = aws.get("ec2").create_security_group(
        GroupName=f"k8s-elb-{cluster}",
        Description="k8s service",
        VpcId=vpc,
        TagSpecifications=[{"ResourceType": "security-group", "Tags": [tag]}],
    )["GroupId"]
    return {"load_balancer": lb, "target_group": tg, "security_group": sg}


def record_calls(*clients: Any) -> list[str]:
    """Every API operation the clients send, in order (botocore's before-call event)."""
    seen: list[str] = []

    def record(model: Any, **_: Any) -> None:
        seen.append(model.name)

    for client in clients:
        client.meta.events.register("before-call.*.*", record)
    return seen


def mutating(operations: list[str]) -> list[str]:
    return [op for op in operations if op.startswith(MUTATING_PREFIXES)]
