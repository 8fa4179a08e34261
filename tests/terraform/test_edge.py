"""The edge module's nginx.conf template: the variables main.tf passes match the template's, and the
rendered configuration passes `nginx -t` and answers as the edge must (real nginx, real HTTP)."""

from __future__ import annotations

import json
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from .hcl import TERRAFORM, child

TEMPLATE = TERRAFORM / "modules" / "edge" / "templates" / "nginx.conf.tftpl"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def template_variables() -> set[str]:
    text = TEMPLATE.read_text(encoding="utf-8")
    assert "%{" not in text, "the renderer below handles ${name} interpolations only"
    return set(re.findall(r"\$\{([a-z_]+)\}", text))


def render(values: dict[str, object]) -> str:
    text = TEMPLATE.read_text(encoding="utf-8")
    rendered = re.sub(r"\$\{([a-z_]+)\}", lambda m: str(values[m.group(1)]), text)
    assert "${" not in rendered
    return rendered


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_module_passes_exactly_the_template_variables() -> None:
    call = child("edge").locals["nginx_conf"]
    match = re.search(r"templatefile\(.*?, \{(.*)\}\)", call, flags=re.S)
    assert match, call
    passed = set(re.findall(r"([a-z_]+) = ", match.group(1)))
    assert passed == template_variables()


@pytest.fixture
def web_root() -> Iterator[Path]:
    """The page directory, readable by nginx's unprivileged workers (pytest's tmp_path is not)."""
    root = Path(tempfile.mkdtemp(prefix="edge-web-", dir="/tmp"))
    root.chmod(0o755)
    page = root / "index.html"
    page.write_text("<!doctype html><title>page</title>", encoding="utf-8")
    page.chmod(0o644)
    yield root
    shutil.rmtree(root)


@pytest.fixture
def edge_conf(tmp_path: Path, web_root: Path) -> tuple[Path, int, int]:
    port, redirect_port = free_port(), free_port()
    tenants = tmp_path / "tenants.map"
    tenants.write_text("star.hotels.example.com star;\n", encoding="utf-8")
    edge_header = tmp_path / "edge-header.conf"  # as the module's Secret renders it
    edge_header.write_text('proxy_set_header x-reservations-edge "' + "s" * 40 + '";\n', encoding="utf-8")
    conf = render(
        {
            "listen_port": f"127.0.0.1:{port}",
            "redirect_port": f"127.0.0.1:{redirect_port}",
            "resolver": "127.0.0.1",
            "tenants_map_path": tenants,
            "edge_header_path": edge_header,
            "upstream_host": f"127.0.0.1:{free_port()}",  # nothing listens: the API is unreachable
            "upstream_path": "/v1",
            "rate_limit_per_sec": 50,
            "rate_limit_burst": 5,
            "web_root": web_root,
        }
    )
    conf = conf.replace("pid /tmp/nginx.pid;", f"pid {tmp_path}/nginx.pid;")
    conf = re.sub(r"(\w+_temp_path) /tmp/(\w+);", rf"\1 {tmp_path}/\2;", conf)
    path = tmp_path / "nginx.conf"
    path.write_text(conf, encoding="utf-8")
    return path, port, redirect_port


def test_rendered_config_passes_nginx_t(edge_conf: tuple[Path, int, int]) -> None:
    path, _, _ = edge_conf
    result = subprocess.run(
        [NGINX, "-t", "-c", str(path), "-p", str(path.parent)], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def request(
    url: str, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, data=data, headers=headers or {}, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(req, timeout=15) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_rendered_config_answers_health_limits_and_upstream_failures_in_json(
    edge_conf: tuple[Path, int, int],
) -> None:
    path, port, redirect_port = edge_conf
    process = subprocess.Popen(
        [NGINX, "-c", str(path), "-p", str(path.parent)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 10
        while True:
            try:
                status, headers, body = request(f"{base}/healthz")
                break
            except OSError:
                assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.05)
        assert status == 200
        assert json.loads(body) == {"status": "ok"}

        # What reaches nginx over plain HTTP (the load balancer's port 80) is only redirected to https.
        redirect = urllib.request.Request(
            f"http://127.0.0.1:{redirect_port}/reservations?limit=5",
            headers={"Host": "star.hotels.example.com", "X-Api-Key": "rsv_x"},
        )
        opener = urllib.request.build_opener(NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as redirected:
            opener.open(redirect, timeout=15)  # a 2xx here means plain HTTP was served
        assert redirected.value.code == 308
        assert redirected.value.headers["Location"] == "https://star.hotels.example.com/reservations?limit=5"

        status, headers, body = request(f"{base}/")
        assert status == 200
        assert b"<title>page</title>" in body
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        status, _, body = request(f"{base}/config.json")
        assert json.loads(body) == {"api_base_url": "/api"}
        assert headers.get("X-Request-Id")

        status, _, body = request(
            f"{base}/api/reservations", data=b"x" * 20 * 1024, headers={"Content-Type": "application/json"}
        )
        assert status == 413
        assert json.loads(body)["error"]["code"] == "payload_too_large"

        status, headers, body = request(f"{base}/api/reservations", headers={"X-Request-Id": "req-1"})
        assert status == 502, body
        assert json.loads(body)["error"]["code"] == "bad_gateway"
        assert headers.get("X-Request-Id") == "req-1"

        statuses = [request(f"{base}/api/reservations")[0] for _ in range(20)]
        assert 429 in statuses, statuses
        status, _, body = next(
            (r for r in (request(f"{base}/api/reservations") for _ in range(5)) if r[0] == 429), (0, {}, b"")
        )
        assert status == 429
        assert json.loads(body)["error"]["code"] == "rate_limited"
    finally:
        process.send_signal(signal.SIGQUIT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
