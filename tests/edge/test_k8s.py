"""The Kubernetes manifests and the image: structure, and checkov's kubernetes/dockerfile checks offline."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from reservations.cli import app

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "deploy" / "k8s"
IMAGE = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/reservations-edge@sha256:" + "0123456789abcdef" * 4
CERT = "arn:aws:acm:eu-west-1:111122223333:certificate/12345678-1234-1234-1234-123456789012"
UPSTREAM = "https://abc123defg.execute-api.eu-west-1.amazonaws.com/prod"
TENANTS = REPO / "deploy" / "nginx" / "tenants.example.json"


def render_with_script(*extra: str) -> subprocess.CompletedProcess[str]:
    args = [
        "--image",
        IMAGE,
        "--upstream",
        UPSTREAM,
        "--certificate-arn",
        CERT,
        "--tenants-map",
        str(TENANTS),
    ]
    return subprocess.run(
        ["bash", str(REPO / "scripts" / "k8s-render"), *args, *extra],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def rendered() -> str:
    done = render_with_script("--namespace", "edge-test")
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def docs(rendered: str) -> dict[str, dict[str, Any]]:
    by_kind: dict[str, dict[str, Any]] = {}
    for doc in yaml.safe_load_all(rendered):
        assert doc["kind"] not in by_kind, f"two {doc['kind']}s"
        by_kind[doc["kind"]] = doc
    return by_kind


def test_every_object_is_there_in_the_namespace(docs: dict[str, dict[str, Any]]) -> None:
    assert set(docs) == {
        "Namespace",
        "ServiceAccount",
        "ConfigMap",
        "Deployment",
        "Service",
        "PodDisruptionBudget",
        "HorizontalPodAutoscaler",
        "NetworkPolicy",
    }
    assert docs["Namespace"]["metadata"]["name"] == "edge-test"
    assert docs["Namespace"]["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    for kind, doc in docs.items():
        if kind != "Namespace":
            assert doc["metadata"]["namespace"] == "edge-test", kind


def test_deployment_is_hardened(docs: dict[str, dict[str, Any]]) -> None:
    deployment = docs["Deployment"]
    assert deployment["spec"]["replicas"] == 2
    pod = deployment["spec"]["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] >= 10000
    assert {c["topologyKey"] for c in pod["topologySpreadConstraints"]} == {
        "topology.kubernetes.io/zone",
        "kubernetes.io/hostname",
    }
    (container,) = pod["containers"]
    assert container["image"] == IMAGE
    security = container["securityContext"]
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"]
    for kind in ("requests", "limits"):
        assert set(container["resources"][kind]) == {"cpu", "memory"}
    port = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert port == {"http": 8080}
    for probe in ("livenessProbe", "readinessProbe"):
        assert container[probe]["httpGet"] == {"path": "/healthz", "port": "http"}
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    assert mounts == {"/etc/nginx/edge": "config", "/tmp": "tmp"}
    assert container["args"] == ["-p", "/tmp/", "-c", "/etc/nginx/edge/nginx.conf"]


def test_configmap_carries_the_rendered_config(docs: dict[str, dict[str, Any]]) -> None:
    data = docs["ConfigMap"]["data"]
    assert set(data) == {"nginx.conf", "tenants.map", "tenants.json"}
    # The pod runs exactly the committed AWS example (itself checked against the template).
    assert data["nginx.conf"] == (REPO / "deploy" / "nginx" / "aws" / "nginx.conf").read_text()
    assert "star.hotels.example.com star;" in data["tenants.map"]
    assert "Strict-Transport-Security" in data["nginx.conf"]  # browsers come in over the NLB's TLS
    assert json.loads(data["tenants.json"]) == json.loads(TENANTS.read_text())
    annotations = docs["Deployment"]["spec"]["template"]["metadata"]["annotations"]
    expected = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
    assert annotations["reservations/config-sha256"] == expected


def test_service_is_an_nlb_with_tls(docs: dict[str, dict[str, Any]]) -> None:
    service = docs["Service"]
    annotations = service["metadata"]["annotations"]
    assert service["spec"]["type"] == "LoadBalancer"
    assert annotations["service.beta.kubernetes.io/aws-load-balancer-nlb-target-type"] == "ip"
    assert annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"] == CERT
    assert annotations["service.beta.kubernetes.io/aws-load-balancer-healthcheck-path"] == "/healthz"
    assert (
        "preserve_client_ip.enabled=true"
        in annotations["service.beta.kubernetes.io/aws-load-balancer-target-group-attributes"]
    )
    assert service["spec"]["ports"] == [
        {"name": "https", "port": 443, "targetPort": "http", "protocol": "TCP"}
    ]
    labels = docs["Deployment"]["spec"]["template"]["metadata"]["labels"]
    for kind in ("Service", "PodDisruptionBudget"):
        selector = docs[kind]["spec"]["selector"]
        selector = selector.get("matchLabels", selector)
        assert selector.items() <= labels.items(), kind


def test_disruption_budget_and_autoscaler(docs: dict[str, dict[str, Any]]) -> None:
    assert docs["PodDisruptionBudget"]["spec"]["minAvailable"] == 1
    hpa = docs["HorizontalPodAutoscaler"]["spec"]
    assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "edge"}
    assert hpa["minReplicas"] == 2
    assert hpa["maxReplicas"] > hpa["minReplicas"]


def test_no_account_id_or_registry_in_the_committed_manifests() -> None:
    for path in K8S.iterdir():
        text = path.read_text()
        assert not re.search(r"(?<![0-9])[0-9]{12}(?![0-9])", text), path
        assert "amazonaws.com" not in text, path


@pytest.mark.parametrize(
    ("flag", "value", "needle"),
    [
        ("--image", "reservations-edge:latest", "pinned"),
        ("--image", "111122223333.dkr.ecr.eu-west-1.amazonaws.com/reservations-edge", "pinned"),
        ("--certificate-arn", "arn:aws:iam::111122223333:role/x", "ACM"),
        ("--upstream", "http://127.0.0.1:8080", "https"),
        ("--namespace", "Edge_NS", "namespace"),
    ],
)
def test_bad_parameters_are_refused(flag: str, value: str, needle: str) -> None:
    params = {"--image": IMAGE, "--upstream": UPSTREAM, "--certificate-arn": CERT, flag: value}
    args = ["edge", "k8s", "--manifests", str(K8S)] + [item for pair in params.items() for item in pair]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert needle in result.stderr
    assert result.stdout == ""


def test_dockerfile_matches_the_deployment(docs: dict[str, dict[str, Any]]) -> None:
    lines = [line.strip() for line in (K8S / "Dockerfile").read_text().splitlines()]
    instructions = [line for line in lines if line and not line.startswith("#")]
    base = next(line for line in instructions if line.startswith("FROM "))
    assert re.fullmatch(r"FROM debian:[0-9.]+-slim(@sha256:[0-9a-f]{64})?", base)
    assert not any(line.startswith("ADD ") for line in instructions)
    user = next(line for line in instructions if line.startswith("USER "))
    pod = docs["Deployment"]["spec"]["template"]["spec"]
    assert user == f"USER {pod['securityContext']['runAsUser']}:{pod['securityContext']['runAsGroup']}"
    assert "EXPOSE 8080" in instructions
    assert any(line.startswith("HEALTHCHECK ") for line in instructions)
    cmd = [line for line in instructions if line.startswith("CMD ")][-1]  # not HEALTHCHECK's CMD
    assert json.loads(cmd.removeprefix("CMD ")) == pod["containers"][0]["args"]


def _checkov() -> str:
    for candidate in (os.environ.get("CHECKOV_BIN"), str(REPO / ".venv-checkov" / "bin" / "checkov")):
        if candidate and Path(candidate).is_file():
            return candidate
    found = shutil.which("checkov")
    assert found, "checkov is missing: `make checkov-venv` installs it into .venv-checkov"
    return found


@pytest.mark.slow
def test_checkov_kubernetes_and_dockerfile(rendered: str, tmp_path: Path) -> None:
    (tmp_path / "edge.yaml").write_text(rendered)
    shutil.copy(K8S / "Dockerfile", tmp_path / "Dockerfile")
    env = dict(os.environ, BC_SKIP_MAPPING="TRUE", CHECKOV_RUN_SCA_PACKAGE_SCAN_V2="false")
    done = subprocess.run(
        [
            _checkov(),
            "-d",
            str(tmp_path),
            "--framework",
            "kubernetes",
            "dockerfile",
            "-o",
            "json",
            "--skip-download",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        check=False,
    )
    reports = json.loads(done.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    by_type = {report["check_type"]: report for report in reports}
    assert set(by_type) == {"kubernetes", "dockerfile"}, done.stderr[-2000:]
    for check_type, report in by_type.items():
        failed = [(c["check_id"], c["check_name"]) for c in report["results"]["failed_checks"]]
        assert failed == [], check_type
        assert report["summary"]["passed"] > 10, check_type
        assert report["summary"]["parsing_errors"] == 0, check_type
        for skipped in report["results"]["skipped_checks"]:
            assert skipped.get("suppress_comment", "").strip(), (
                f"{skipped['check_id']} skipped without a reason"
            )
