"""Default locations the edge commands fall back on (the repository's web page and manifests)."""

from __future__ import annotations

from pathlib import Path

# src/reservations/edge/paths.py -> the repository root, in a checkout or an editable install.
REPO_ROOT = Path(__file__).resolve().parents[3]


def default_web_dir() -> Path:
    """The checkout's ``web/`` (as ``reservations serve`` uses); the image bakes it in at /srv/web."""
    return REPO_ROOT / "web"


def default_manifests_dir() -> Path:
    return REPO_ROOT / "deploy" / "k8s"


def system_resolver(resolv_conf: Path = Path("/etc/resolv.conf")) -> str:
    """The first IPv4 name server of this machine; nginx's ``resolver`` needs an address, not a file."""
    import ipaddress

    try:
        lines = resolv_conf.read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    for line in lines:
        fields = line.split()
        if len(fields) >= 2 and fields[0] == "nameserver":
            try:
                if ipaddress.ip_address(fields[1]).version == 4:
                    return fields[1]
            except ValueError:
                continue
    from reservations.edge.config import AWS_VPC_RESOLVER

    return AWS_VPC_RESOLVER
