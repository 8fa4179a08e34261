"""The configuration that runs in AWS (Terraform's ``modules/edge``), rendered by Terraform's own
``templatefile()`` and served by real nginx, started unprivileged as in the pod, in front of a stand-in
API Gateway over verified TLS (``fake_api.py``).

``terraform/modules/edge/templates/nginx.conf.tftpl`` is generated from ``src/reservations/edge/``;
these tests prove that what Terraform makes of it is the renderer's configuration and behaves: the
plain-HTTP redirect server, the WAF header included from the Secret's file, JSON errors, the
host -> customer map, the page's headers.
"""

from __future__ import annotations

import dataclasses
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from reservations.edge.eks import TERRAFORM_TEMPLATE, EksValues, render_eks
from reservations.edge.runner import check_config, find_nginx
from tests.edge.fake_api import API_HOST, FakeApiGateway, TinyDns
from tests.support.processes import stop
from tests.support.server import free_port, wait_healthy
from tests.terraform.console import templatefile

pytestmark = pytest.mark.nginx

STAR_HOST = "star.hotels.example.com"
EDGE_HEADER = "x-reservations-edge"
EDGE_SECRET = "edge-secret-" + "s" * 32
# As the pod has them: tenants.map as its sync writes it (from the registry), the edge-header Secret.
TENANTS_MAP = f"{STAR_HOST} star;\nmoon.hotels.example.com moon;\n"
EDGE_HEADER_CONF = f'proxy_set_header {EDGE_HEADER} "{EDGE_SECRET}";\n'
INDEX_HTML = "<!doctype html><title>Reservations</title>\n"


def terraform_render(values: EksValues) -> str:
    """``templatefile()`` on the committed template, by the Terraform binary itself."""
    return templatefile(TERRAFORM_TEMPLATE, dataclasses.asdict(values))


@dataclass
class Pod:
    """The pod's file system, in small: the Secret's mount, the image's page, the CA that signs the stand-in."""

    base: Path
    values: EksValues  # ports, paths and the upstream; each nginx gets its own config and state dirs


@pytest.fixture(scope="module")
def pod_dir(api_gateway: FakeApiGateway, dns: TinyDns) -> Iterator[Pod]:
    # Under /tmp, readable by the unprivileged user nginx runs as (pytest's tmp_path is private to root).
    base = Path(tempfile.mkdtemp(prefix="edge-eks-"))
    try:
        base.chmod(0o755)
        for name in ("secret", "web", "pki"):
            (base / name).mkdir(mode=0o755)
        (base / "web" / "index.html").write_text(INDEX_HTML)
        (base / "secret" / "edge-header.conf").write_text(EDGE_HEADER_CONF)
        shutil.copy(api_gateway.ca_file, base / "pki" / "ca.pem")
        for path in base.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        values = EksValues(
            upstream_host=API_HOST,
            upstream_port=api_gateway.port,
            upstream_path="/prod",
            rate_limit_per_sec=1000,
            rate_limit_burst=1000,
            listen_port=free_port(),
            redirect_port=free_port(),
            resolver=dns.address,
            ca_bundle=str(base / "pki" / "ca.pem"),
            edge_header_path=str(base / "secret" / "edge-header.conf"),
            state_dir=str(base / "state"),
            web_root=str(base / "web"),
        )
        yield Pod(base, values)
    finally:
        shutil.rmtree(base, ignore_errors=True)


@dataclass
class RunningPod:
    url: str
    redirect_url: str
    stdout: Path  # the container's stdout: the access log


@contextmanager
def serving(pod: Pod, **changes: object) -> Iterator[RunningPod]:
    """nginx as the pod starts it (``-p <state>/ -c <config>/nginx.conf``), as a user that is not root.

    The conf emptyDir (nginx.conf rendered by Terraform, tenants.map beside it, as the pod's sync writes
    them) and /tmp are this instance's own.
    """
    instance = Path(tempfile.mkdtemp(prefix="pod-", dir=pod.base))
    instance.chmod(0o755)
    config, state = instance / "config", instance / "state"
    config.mkdir(mode=0o755)
    state.mkdir(mode=0o755)
    values = dataclasses.replace(pod.values, state_dir=str(state), **changes)  # type: ignore[arg-type]
    (config / "nginx.conf").write_text(terraform_render(values))
    (config / "tenants.map").write_text(TENANTS_MAP)
    for path in config.iterdir():
        path.chmod(0o644)
    stdout = state / "stdout.log"
    stdout.touch()
    user: dict[str, object] = {}
    if os.geteuid() == 0:
        # As runc does for a pod's non-root user: the emptyDir and the stdio belong to that user.
        nobody = pwd.getpwnam("nobody")
        for path in (state, stdout):
            os.chown(path, nobody.pw_uid, nobody.pw_gid)
        user = {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}
    command = [str(find_nginx()), "-p", f"{state}/", "-c", str(config / "nginx.conf")]
    with stdout.open("ab") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, **user)  # type: ignore[call-overload]
    running = RunningPod(
        f"http://127.0.0.1:{values.listen_port}", f"http://127.0.0.1:{values.redirect_port}", stdout
    )
    try:
        wait_healthy(running.url, process, stdout, timeout_s=20)
        yield running
    finally:
        status = stop(process, sig=signal.SIGQUIT)
    assert status == 0, stdout.read_text(errors="replace")


@pytest.fixture(scope="module")
def eks_edge(pod_dir: Pod) -> Iterator[RunningPod]:
    with serving(pod_dir) as running:
        yield running


def test_terraform_renders_the_renderers_configuration() -> None:
    """What Terraform makes of the committed template, with the values main.tf passes, is byte for byte
    what ``reservations.edge`` renders for them: the tests of tests/edge hold for AWS too."""
    values = EksValues(upstream_host="abc123defg.execute-api.eu-west-1.amazonaws.com", upstream_path="/prod")
    by_terraform = terraform_render(values)
    assert by_terraform == render_eks(values)
    assert "listen 0.0.0.0:8081;" in by_terraform
    assert 'include "/etc/nginx/edge-secret/edge-header.conf";' in by_terraform
    assert 'pid "/tmp/nginx.pid";' in by_terraform
    other = dataclasses.replace(values, rate_limit_per_sec=7, upstream_path="")
    assert terraform_render(other) == render_eks(other)
    assert "rate=7r/s;" in render_eks(other)
    assert "rewrite ^/api/(.*)$ /$1 break;" in render_eks(other)


def test_the_eks_configuration_passes_nginx_t(pod_dir: Pod, tmp_path: Path) -> None:
    conf = tmp_path / "nginx.conf"
    conf.write_text(terraform_render(dataclasses.replace(pod_dir.values, state_dir=str(tmp_path))))
    (tmp_path / "tenants.map").write_text(TENANTS_MAP)
    result = check_config(find_nginx(), tmp_path, conf)
    assert result.ok, result.output
    # The check can fail: the header include names a file that must exist.
    missing = dataclasses.replace(
        pod_dir.values, state_dir=str(tmp_path), edge_header_path=str(tmp_path / "no-secret.conf")
    )
    conf.write_text(terraform_render(missing))
    refused = check_config(find_nginx(), tmp_path, conf)
    assert not refused.ok
    assert "no-secret.conf" in refused.output


def test_plain_http_only_redirects_to_https(eks_edge: RunningPod, api_gateway: FakeApiGateway) -> None:
    before = len(api_gateway.seen)
    for method in ("GET", "POST"):
        response = httpx.request(
            method,
            f"{eks_edge.redirect_url}/api/reservations?limit=5",
            headers={"Host": STAR_HOST, "X-Api-Key": "rsv_x"},
        )
        assert response.status_code == 308, response.text
        assert response.headers["location"] == f"https://{STAR_HOST}/api/reservations?limit=5"
        assert response.headers["x-request-id"]
    health = httpx.get(f"{eks_edge.redirect_url}/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok"}
    bad = httpx.get(f"{eks_edge.redirect_url}/", headers={"Host": "a/b"})
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "validation_error"
    assert len(api_gateway.seen) == before  # nothing went to the API in clear


def test_api_calls_carry_the_edge_header_and_the_mapped_customer(
    eks_edge: RunningPod, api_gateway: FakeApiGateway, dns: TinyDns
) -> None:
    response = httpx.get(
        f"{eks_edge.url}/api/reservations?limit=5",
        headers={
            "Host": STAR_HOST,
            "X-Customer": "moon",
            "customer": "moon",
            "X-Api-Key": "rsv_star",
            "X-Request-Id": "client-7",
        },
    )
    assert response.status_code == 200, response.text
    assert response.headers["x-request-id"] == "client-7"
    seen = api_gateway.seen[-1]
    headers = {name.lower(): value for name, value in seen["headers"].items()}
    assert seen["path"] == "/prod/reservations?limit=5"
    assert headers[EDGE_HEADER] == EDGE_SECRET
    assert headers["x-customer"] == "star"
    assert "customer" not in headers  # the legacy header cannot claim another customer on a mapped host
    assert headers["x-api-key"] == "rsv_star"
    assert headers["x-request-id"] == "client-7"
    assert api_gateway.sni[-1] == API_HOST
    assert API_HOST in dns.asked

    elsewhere = httpx.get(
        f"{eks_edge.url}/api/reservations",
        headers={"Host": "other.example.org", "X-Customer": "moon", "X-Request-Id": "a b;c"},
    )
    assert elsewhere.status_code == 200
    headers = {name.lower(): value for name, value in api_gateway.seen[-1]["headers"].items()}
    assert headers["x-customer"] == "moon"
    assert headers[EDGE_HEADER] == EDGE_SECRET
    assert headers["x-request-id"] == elsewhere.headers["x-request-id"] != "a b;c"
    assert EDGE_SECRET not in eks_edge.stdout.read_text()


def assert_json_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"]["code"] == code
    assert response.headers["x-request-id"]


def test_nginx_errors_are_json(eks_edge: RunningPod, api_gateway: FakeApiGateway) -> None:
    before = len(api_gateway.seen)
    assert_json_error(httpx.get(f"{eks_edge.url}/no/such/page.html"), 404, "not_found")
    assert_json_error(httpx.post(f"{eks_edge.url}/index.html", content=b"{}"), 405, "method_not_allowed")
    big = httpx.post(f"{eks_edge.url}/api/reservations", content=b"x" * 20 * 1024)
    assert_json_error(big, 413, "payload_too_large")
    assert_json_error(httpx.get(f"{eks_edge.url}/", headers={"Host": "a/b"}), 400, "validation_error")
    assert len(api_gateway.seen) == before


def test_page_behind_the_load_balancers_tls(eks_edge: RunningPod) -> None:
    page = httpx.get(f"{eks_edge.url}/", headers={"Host": STAR_HOST})
    assert page.status_code == 200
    assert page.text == INDEX_HTML
    assert page.headers["strict-transport-security"] == "max-age=31536000"
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    config = httpx.get(f"{eks_edge.url}/config.json", headers={"Host": STAR_HOST})
    assert config.json() == {"api_base_url": f"https://{STAR_HOST}/api"}


def test_the_rate_limit_answers_429_json(pod_dir: Pod) -> None:
    limits = {"rate_limit_per_sec": 1, "rate_limit_burst": 2}
    ports = {"listen_port": free_port(), "redirect_port": free_port()}
    with serving(pod_dir, **limits, **ports) as edge, httpx.Client() as client:
        statuses = [client.get(f"{edge.url}/no-such-route").status_code for _ in range(6)]
        limited = [client.get(f"{edge.url}/api/reservations") for _ in range(4)]
        assert set(statuses) == {404}  # the page is not limited
        assert [r.status_code for r in limited][:3] == [200, 200, 200]
        assert_json_error(limited[3], 429, "rate_limited")
        assert limited[3].headers["retry-after"] == "1"
