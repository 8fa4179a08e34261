"""The renderer: what it accepts, what it refuses, and that nginx itself accepts what it writes."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from reservations.cli import app
from reservations.edge.config import EdgeConfigError, EdgeOptions, parse_tenants, parse_upstream
from reservations.edge.render import customer_host_suffix_regex, render, render_cells_map, render_conf
from reservations.edge.runner import check_config, find_nginx

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "deploy" / "nginx"
API_GATEWAY = "https://abc123defg.execute-api.eu-west-1.amazonaws.com/prod"


def options(tmp_path: Path, upstream: str = "http://127.0.0.1:8080", **changes: Any) -> EdgeOptions:
    values: dict[str, object] = {
        "upstream": parse_upstream(upstream),
        "port": 8081,
        "web_dir": str(tmp_path / "web"),
        "state_dir": str(tmp_path),
        "log_dir": str(tmp_path),
        "tenants": {"star.hotels.example.com": "star"},
    }
    values.update(changes)
    return EdgeOptions(**values)  # type: ignore[arg-type]


def test_upstream_forms() -> None:
    aws = parse_upstream(API_GATEWAY + "/")
    assert (aws.scheme, aws.host, aws.port, aws.base_path) == (
        "https",
        "abc123defg.execute-api.eu-west-1.amazonaws.com",
        443,
        "/prod",
    )
    assert not aws.is_static
    local = parse_upstream("http://127.0.0.1:8080")
    assert (local.base_path, local.is_static, local.host_header) == ("", True, "127.0.0.1:8080")
    assert parse_upstream("http://localhost:9000").is_static


@pytest.mark.parametrize(
    "url",
    [
        "http://abc.execute-api.eu-west-1.amazonaws.com/prod",  # API key in clear over the internet
        "http://10.0.0.5:8080",
        "ftp://127.0.0.1",
        "https://user:pw@example.com/prod",
        "https://example.com/prod?x=1",
        "https://example.com/pr;od",
        "https://exa mple.com",
        "https:///prod",
    ],
)
def test_upstream_refused(url: str) -> None:
    with pytest.raises(EdgeConfigError):
        parse_upstream(url)


@pytest.mark.parametrize(
    "raw",
    [
        ["star.hotels.example.com"],
        {"star.hotels.example.com": "star; evil"},  # would inject a directive into the map
        {"star.hotels.example.com": "st ar"},
        {"star.hotels.example.com": ""},
        {"star.hotels.example.com": 7},
        {"localhost": "star"},
        {"star_hotels.example.com": "star"},
        {"Star.Hotels.Example.com": "star", "star.hotels.example.com.": "moon"},
    ],
)
def test_tenants_refused(raw: object) -> None:
    with pytest.raises(EdgeConfigError):
        parse_tenants(raw, "tenants.json")


def test_tenants_lower_cased() -> None:
    assert parse_tenants({"Star.Hotels.Example.COM.": "star"}, "x") == {"star.hotels.example.com": "star"}


@pytest.mark.parametrize(
    "change",
    [
        {"web_dir": "/srv/web; evil"},
        {"web_dir": 'srv/"web'},
        {"state_dir": "relative/dir"},
        {"log_dir": "/var/log/$host"},
        {"rate": "10"},
        {"burst": -1},
        {"port": 0},
        {"bind": "localhost"},
        {"workers": "many"},
        {"resolver": "dns.example.com"},
        {"customer_host_pattern": "hotels.example.com"},
        {"customer_host_pattern": "{customer}.com"},
        {"customer_host_pattern": "book-{customer}.hotels.example.com"},
        {"customer_host_pattern": "{customer}.hotels.example.com; evil"},
        {"customer_host_pattern": "{customer}.$host.example.com"},
    ],
)
def test_options_refused(tmp_path: Path, change: dict[str, object]) -> None:
    with pytest.raises(EdgeConfigError):
        options(tmp_path, "http://127.0.0.1:8080", **change)


def test_customer_subdomains_are_one_regex_of_the_customer_name_rule(tmp_path: Path) -> None:
    """The capture is the registry's customer-name rule, the domain's dots escaped: one line maps every
    customer, and nginx (``map``'s PCRE) cannot match more than what the registry could hold."""
    from reservations.domain.tenancy import CUSTOMER_NAME_RE

    conf = render(options(tmp_path, customer_host_pattern="{customer}.Hotels.example.com."))["nginx.conf"]
    line = next(line for line in conf.splitlines() if "edge_subdomain_customer>" in line)
    regex = re.search(r'"~(.*)"', line)
    assert regex
    assert f"(?<edge_subdomain_customer>{CUSTOMER_NAME_RE.pattern})" in regex.group(1)
    pcre_as_python = re.compile(regex.group(1).replace("(?<", "(?P<"))
    for host, customer in {"star.hotels.example.com": "star", "a1-b.hotels.example.com": "a1-b"}.items():
        found = pcre_as_python.fullmatch(host)
        assert found
        assert found.group("edge_subdomain_customer") == customer
    for host in (
        "s.hotels.example.com",
        "star.hotelsXexample.com",
        "a.star.hotels.example.com",
        "-star.hotels.example.com",
    ):
        assert not pcre_as_python.fullmatch(host), host
    assert customer_host_suffix_regex(None) == "(?!)"
    without = render(options(tmp_path))["nginx.conf"]
    assert '(?!)$" $edge_subdomain_customer;' in without  # the line is there, matching nothing


def test_no_placeholder_survives_rendering(tmp_path: Path) -> None:
    for upstream in ("http://127.0.0.1:8080", API_GATEWAY):
        files = render(options(tmp_path, upstream))
        for text in files.values():
            assert not re.search(r"\{\{\s*[a-z_]+\s*\}\}", text)
        assert files["tenants.map"].splitlines()[1:] == ["star.hotels.example.com star;"]


def test_tls_settings_only_for_https(tmp_path: Path) -> None:
    aws = render(options(tmp_path, API_GATEWAY))["nginx.conf"]
    assert "proxy_ssl_verify on;" in aws
    assert "proxy_ssl_server_name on;" in aws
    assert re.search(r"proxy_ssl_protocols TLSv1\.2 TLSv1\.3;", aws)
    assert not re.search(r"TLSv1(\.1)?[ ;]", aws)
    assert "resolver 169.254.169.253" in aws
    assert "rewrite ^/api/(.*)$ /prod/$1 break;" in aws
    assert "Strict-Transport-Security" not in aws  # nginx itself speaks plain http here
    behind_tls = render(options(tmp_path, API_GATEWAY, public_scheme="https"))["nginx.conf"]
    assert 'add_header Strict-Transport-Security "max-age=31536000" always;' in behind_tls
    local = render(options(tmp_path))["nginx.conf"]
    assert "proxy_ssl" not in local
    assert "resolver" not in local


def _nginx_t(conf_dir: Path, prefix: Path) -> None:
    result = check_config(find_nginx(), prefix, conf_dir / "nginx.conf")
    assert result.ok, result.output


@pytest.mark.nginx
def test_rendered_configs_pass_nginx_t(tmp_path: Path) -> None:
    runner = CliRunner()
    for name, extra in {
        "local": ["--upstream", "http://127.0.0.1:8080"],
        "aws": ["--upstream", API_GATEWAY, "--bind", "0.0.0.0", "--log-dir", "-", "--workers", "2"],
    }.items():
        out = tmp_path / name
        tenants = EXAMPLES / "tenants.example.json"
        args = ["edge", "render", "--out", str(out), "--tenants-map", str(tenants), "--port", "18081", *extra]
        result = runner.invoke(app, [*args, "--log-dir", str(out)] if name == "local" else args)
        assert result.exit_code == 0, result.output
        assert result.stdout.strip() == str(out / "nginx.conf")
        _nginx_t(out, out)


@pytest.mark.nginx
def test_render_flags_for_a_load_balancer_in_front(tmp_path: Path) -> None:
    """--redirect-port and --upstream-headers-file: the EKS pod's shape, from the command line."""
    headers = tmp_path / "edge-header.conf"
    headers.write_text('proxy_set_header x-reservations-edge "secret";\n')
    base = ["edge", "render", "--upstream", API_GATEWAY, "--out", str(tmp_path), "--port", "18081"]
    result = CliRunner().invoke(
        app, [*base, "--redirect-port", "18082", "--upstream-headers-file", str(headers)]
    )
    assert result.exit_code == 0, result.output
    conf = (tmp_path / "nginx.conf").read_text()
    assert "listen 127.0.0.1:18082;" in conf
    assert "return 308 https://$host$request_uri;" in conf
    assert f'include "{headers}";' in conf
    _nginx_t(tmp_path, tmp_path)
    assert "308" not in render(options(tmp_path, API_GATEWAY))["nginx.conf"]  # neither by default
    runner = CliRunner()
    _one_line_error(runner.invoke(app, [*base, "--redirect-port", "18081"]), 2, "--redirect-port")
    relative = runner.invoke(app, [*base, "--upstream-headers-file", "edge-header.conf"])
    _one_line_error(relative, 2, "--upstream-headers-file", "absolute")


@pytest.mark.nginx
def test_nginx_t_can_fail(tmp_path: Path) -> None:
    files = render(options(tmp_path))
    (tmp_path / "nginx.conf").write_text(
        files["nginx.conf"].replace("limit_req_status 429;", "limit_req_status;")
    )
    (tmp_path / "tenants.map").write_text(files["tenants.map"])
    assert not check_config(find_nginx(), tmp_path, tmp_path / "nginx.conf").ok


@pytest.mark.parametrize("name", ["local", "aws"])
def test_committed_examples_match_the_template(tmp_path: Path, name: str) -> None:
    readme = (EXAMPLES / "README.md").read_text()
    command = next(line for line in readme.splitlines() if f"--out deploy/nginx/{name}`" in line)
    found = re.search(r"`reservations (edge render [^`]+)`", command)
    assert found, command
    args = shlex.split(found.group(1))
    out_index = args.index("--out") + 1
    args[out_index] = str(tmp_path)
    args[args.index("--tenants-map") + 1] = str(EXAMPLES / "tenants.example.json")
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    for file in ("nginx.conf", "tenants.map"):
        assert (tmp_path / file).read_text() == (EXAMPLES / name / file).read_text(), (
            f"deploy/nginx/{name}/{file} is stale: re-run the command in deploy/nginx/README.md"
        )


def _one_line_error(result: object, status: int, *needles: str) -> None:
    assert getattr(result, "exit_code", None) == status
    stderr: str = getattr(result, "stderr", "")
    assert len(stderr.strip().splitlines()) == 1, stderr
    assert "Traceback" not in stderr
    for needle in needles:
        assert needle in stderr


def test_render_refuses_bad_input_in_one_line(tmp_path: Path) -> None:
    runner = CliRunner()
    bad_upstream = runner.invoke(
        app, ["edge", "render", "--upstream", "http://10.1.2.3", "--out", str(tmp_path)]
    )
    _one_line_error(bad_upstream, 2, "--upstream", "https")
    (tmp_path / "t.json").write_text("{not json")
    bad_map = ["edge", "render", "--upstream", API_GATEWAY, "--tenants-map", str(tmp_path / "t.json")]
    _one_line_error(runner.invoke(app, [*bad_map, "--out", str(tmp_path)]), 2, "--tenants-map", "JSON")
    missing = ["edge", "render", "--upstream", API_GATEWAY, "--tenants-map", str(tmp_path / "none.json")]
    _one_line_error(runner.invoke(app, [*missing, "--out", str(tmp_path)]), 2, "none.json")
    assert not (tmp_path / "nginx.conf").exists()


def test_run_without_nginx_says_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    args = ["edge", "run", "--upstream", "http://127.0.0.1:8080", "--state-dir", str(tmp_path / "s")]
    result = runner.invoke(app, [*args, "--nginx", str(tmp_path / "no-nginx")])
    _one_line_error(result, 2, "apt-get install nginx")
    monkeypatch.setenv("RESERVATIONS_NGINX", str(tmp_path / "still-none"))
    _one_line_error(runner.invoke(app, args), 2, "apt-get install nginx")
    assert not (tmp_path / "s").exists()


def test_run_finds_no_nginx_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither on PATH nor at Debian's path: the same one line, exit 2."""
    from reservations.edge import runner

    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("RESERVATIONS_NGINX", raising=False)
    monkeypatch.setattr(runner, "_DEBIAN_NGINX", tmp_path / "sbin" / "nginx")
    result = CliRunner().invoke(app, ["edge", "run", "--upstream", "http://127.0.0.1:8080"])
    _one_line_error(result, 2, "apt-get install nginx")


@pytest.mark.nginx
def test_nginx_runs_unprivileged(tmp_path: Path) -> None:
    """The AWS-shaped config starts as a non-root user that owns nothing but its state directory."""
    import dataclasses
    import os
    import shutil
    import subprocess
    import tempfile
    import time

    import httpx

    from tests.support.server import free_port

    # Somewhere an unprivileged user can reach (pytest's tmp_path is private to root).
    base = Path(tempfile.mkdtemp(prefix="edge-unprivileged-"))
    try:
        base.chmod(0o755)
        (base / "web").mkdir()
        (base / "web" / "index.html").write_text("<p>hi</p>")
        state = base / "state"
        state.mkdir()
        port = free_port()
        opts = options(base, API_GATEWAY, port=port, web_dir=str(base / "web"), state_dir=str(state))
        opts = dataclasses.replace(opts, log_dir=str(state), public_scheme="https")
        for name, text in render(opts).items():
            (base / name).write_text(text)
        for path in [base, *base.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        command = [str(find_nginx()), "-p", f"{state}/", "-c", str(base / "nginx.conf")]
        if os.geteuid() == 0:
            shutil.chown(state, user="nobody")
            command = ["runuser", "-u", "nobody", "--", *command]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            health: httpx.Response | None = None
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and process.poll() is None:
                try:
                    health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.05)
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            assert health is not None
            assert health.status_code == 200
            assert httpx.get(f"http://127.0.0.1:{port}/").text == "<p>hi</p>"
            assert httpx.get(f"http://127.0.0.1:{port}/config.json").json() == {
                "api_base_url": f"https://127.0.0.1:{port}/api"
            }
            owner = (state / "nginx.pid").stat().st_uid
            assert owner != 0 or os.geteuid() != 0
        finally:
            process.terminate()
            process.wait(timeout=15)
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.nginx
def test_run_on_a_busy_port_says_so_in_one_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        args = ["edge", "run", "--upstream", "http://127.0.0.1:8080", "--port", str(port)]
        result = CliRunner().invoke(
            app, [*args, "--state-dir", str(tmp_path / "s"), "--web-dir", str(tmp_path)]
        )
    _one_line_error(result, 2, f"cannot listen on 127.0.0.1:{port}")


def _cells(*urls: str) -> tuple[tuple[str, Any], ...]:
    return tuple((f"c{n}", parse_upstream(url)) for n, url in enumerate(urls, start=1))


@pytest.mark.parametrize(
    "cells",
    [
        (("C1", parse_upstream("http://127.0.0.1:1")),),  # not a cell name nginx's upstream can carry
        (("c1", parse_upstream("http://127.0.0.1:1")), ("c1", parse_upstream("http://127.0.0.1:2"))),
        (("c1", parse_upstream("https://api.example.com/prod")),),  # not the edge's scheme and stage
    ],
)
def test_cells_refused(tmp_path: Path, cells: tuple[tuple[str, Any], ...]) -> None:
    with pytest.raises(EdgeConfigError, match="cell"):
        options(tmp_path, cells=cells)


def test_in_front_of_cells_every_path_goes_to_the_customers_cell(tmp_path: Path) -> None:
    files = render(options(tmp_path, cells=_cells("http://127.0.0.1:8101", "http://127.0.0.1:8102")))
    conf = files["nginx.conf"]
    assert "upstream cell_c1 {\n        server 127.0.0.1:8101;" in conf
    assert "upstream cell_c2 {\n        server 127.0.0.1:8102;" in conf
    assert "include cells.map;" in conf
    assert conf.count("proxy_pass http://$edge_cell_address;") == 2  # /api/ and /
    assert "proxy_ssl" not in conf
    assert "resolver " not in conf
    assert "{{" not in conf
    # The first cell answers the page, its config.json and /healthz, as the API at the root does.
    assert "location = /config.json" not in conf
    assert "location = /healthz" not in conf
    assert files["cells.map"].splitlines()[1:] == []  # no customer until the directory's sync


def test_cells_at_https_urls_are_resolved_and_verified_by_their_own_names(tmp_path: Path) -> None:
    """AWS: each cell's API Gateway stage; tests/edge/test_edge_cells_tls.py runs it under nginx."""
    urls = ("https://a1.execute-api.eu-west-1.amazonaws.com/prod", "https://a2.example.com/prod")
    headers = "/etc/nginx/edge-secret/edge-header.conf"
    conf = render_conf(options(tmp_path, urls[0], cells=_cells(*urls), upstream_headers_file=headers))
    assert conf.count(f'include "{headers}";') == 2  # each cell's WAF header, under /api/ and at the root
    assert "upstream cell_" not in conf  # host names are re-resolved, not pinned at start
    assert "resolver 169.254.169.253 valid=30s" in conf
    assert 'cell_c2 "a2.example.com:443";' in conf
    assert 'cell_c2 "a2.example.com";' in conf
    assert conf.count("proxy_pass https://$edge_cell_address;") == 2
    assert conf.count("proxy_ssl_name $edge_cell_ssl_name;") == 2
    assert conf.count("proxy_ssl_verify on;") == 2
    assert "rewrite ^(.*)$ /prod$1 break;" in conf


def test_the_cells_map_holds_only_cells_this_edge_reaches() -> None:
    text = render_cells_map({"star": "c1", "moon": "c2", "lost": "c9"}, frozenset({"moon"}), ("c1", "c2"))
    assert text.splitlines()[1:] == ["moon moving:cell_c2;", "star cell_c1;"]
