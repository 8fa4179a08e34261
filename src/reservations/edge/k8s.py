"""Renders ``deploy/k8s/`` into the manifests for one image, upstream and certificate.

The base manifests are plain YAML with a few ``set-by-k8s-render`` values and the image name
``reservations-edge``; this fills them the way ``kustomize edit set image`` plus a config-map
generator would, without needing kubectl on the machine.  The ConfigMap carries the nginx.conf
rendered by the same template as ``reservations edge render``, so the cluster runs exactly the
configuration the tests exercise against real nginx.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reservations.edge.config import (
    AWS_VPC_RESOLVER,
    EdgeConfigError,
    EdgeOptions,
    load_tenants,
    parse_upstream,
)
from reservations.edge.render import render

PLACEHOLDER = "set-by-k8s-render"
IMAGE_NAME = "reservations-edge"
CONFIG_MAP = "edge-config"
CONTAINER_PORT = 8080
# Paths inside the image (deploy/k8s/Dockerfile) and the pod (the emptyDir at /tmp).
IMAGE_WEB_DIR = "/srv/web"
POD_STATE_DIR = "/tmp"
POD_WORKERS = "2"  # "auto" would count the node's CPUs, not the pod's limit

_IMAGE = re.compile(
    r"(?:[a-z0-9.-]+(?::[0-9]+)?/)?[a-z0-9._/-]+(?:@sha256:[0-9a-f]{64}|:[A-Za-z0-9_.-]{1,128})"
)
_CERT_ARN = re.compile(r"arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]{36}")
_NAMESPACE = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
_SSL_CERT = "service.beta.kubernetes.io/aws-load-balancer-ssl-cert"
_CONFIG_HASH = "reservations/config-sha256"


@dataclass(frozen=True)
class K8sParams:
    image: str
    upstream: str
    certificate_arn: str
    tenants_map: Path | None = None
    namespace: str = "reservations-edge"
    rate: str = "10r/s"
    burst: int = 20


def check_params(params: K8sParams) -> None:
    if not _IMAGE.fullmatch(params.image) or params.image.endswith(":latest"):
        raise EdgeConfigError(
            f"--image {params.image!r} must be pinned: <repository>@sha256:<digest> or <repository>:<version>"
        )
    if not _CERT_ARN.fullmatch(params.certificate_arn):
        raise EdgeConfigError(f"--certificate-arn {params.certificate_arn!r} is not an ACM certificate ARN")
    if not _NAMESPACE.fullmatch(params.namespace):
        raise EdgeConfigError(f"--namespace {params.namespace!r} is not a Kubernetes namespace name")


def pod_options(params: K8sParams) -> EdgeOptions:
    """The edge as it runs in the pod: all interfaces, port 8080, logs to the container's stdout."""
    upstream = parse_upstream(params.upstream)
    if upstream.scheme != "https":
        raise EdgeConfigError(
            f"--upstream {params.upstream!r}: the cluster reaches API Gateway over https only"
        )
    return EdgeOptions(
        upstream=upstream,
        tenants=load_tenants(params.tenants_map),
        port=CONTAINER_PORT,
        bind="0.0.0.0",
        web_dir=IMAGE_WEB_DIR,
        state_dir=POD_STATE_DIR,
        log_dir=None,
        rate=params.rate,
        burst=params.burst,
        resolver=AWS_VPC_RESOLVER,
        workers=POD_WORKERS,
        public_scheme="https",  # the NLB terminates TLS
    )


def load_documents(manifests_dir: Path) -> list[dict[str, Any]]:
    import yaml

    files = sorted(manifests_dir.glob("*.yaml"))
    if not files:
        raise EdgeConfigError(f"--manifests {manifests_dir}: no *.yaml manifests there")
    documents: list[dict[str, Any]] = []
    for path in files:
        documents += [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]
    return documents


def _containers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    spec = doc.get("spec", {}).get("template", {}).get("spec", {})
    return list(spec.get("containers", [])) + list(spec.get("initContainers", []))


def fill_documents(documents: list[dict[str, Any]], params: K8sParams) -> list[dict[str, Any]]:
    check_params(params)
    options = pod_options(params)
    files = render(options)
    data = {**files, "tenants.json": json.dumps(options.tenants, indent=2, sort_keys=True) + "\n"}
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
    for doc in documents:
        meta = doc.setdefault("metadata", {})
        if doc.get("kind") == "Namespace":
            meta["name"] = params.namespace
        else:
            meta["namespace"] = params.namespace
        if doc.get("kind") == "ConfigMap" and meta.get("name") == CONFIG_MAP:
            doc["data"] = data
        if doc.get("kind") == "Service" and _SSL_CERT in meta.get("annotations", {}):
            meta["annotations"][_SSL_CERT] = params.certificate_arn
        for container in _containers(doc):
            if container.get("image") == IMAGE_NAME:
                container["image"] = params.image
        template_meta = doc.get("spec", {}).get("template", {}).get("metadata", {})
        if _CONFIG_HASH in template_meta.get("annotations", {}):
            template_meta["annotations"][_CONFIG_HASH] = digest
    return documents


def dump(documents: list[dict[str, Any]]) -> str:
    """Multi-document YAML; multi-line strings (nginx.conf) as literal blocks, readable in a diff."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, represent_str)
    return yaml.dump_all(documents, Dumper=Dumper, sort_keys=False, default_flow_style=False, width=4096)


def render_manifests(manifests_dir: Path, params: K8sParams) -> str:
    text = dump(fill_documents(load_documents(manifests_dir), params))
    if PLACEHOLDER in text or f"image: {IMAGE_NAME}\n" in text:
        raise EdgeConfigError(f"--manifests {manifests_dir}: a {PLACEHOLDER!r} value was left unfilled")
    return text
