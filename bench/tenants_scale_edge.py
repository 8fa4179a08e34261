"""``edge``: nginx with N custom domains from the registry against a baseline of 3 (issue #23, goal 5).

The custom domains are registered as an operator does (``Registry.add_host``, one transaction each,
in a SQLite registry), the edge's sync (``reservations.edge.sync``) turns them into ``tenants.map``,
and real nginx (the edge's configuration, customer subdomains by pattern included) serves them:

- generating the map from the registry (list, render, write), and ``nginx -t`` on the result;
- a reload: from the sync's SIGHUP until a host added just before answers for its customer;
- memory: RSS (and PSS, which counts a page shared by master and workers once, as the pod's cgroup
  does) of nginx's master and workers, N domains against 3;
- every generated host, and a customer subdomain, requested through nginx: each must reach the
  upstream with its own customer.
"""

from __future__ import annotations

import json
import os
import pwd
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from bench.common import median, percentile, table, write
from bench.servers import free_port
from reservations.domain.parsing import now_utc
from reservations.domain.tenancy import new_api_key
from reservations.edge.config import EdgeOptions, parse_upstream
from reservations.edge.render import render
from reservations.edge.render import write as write_files
from reservations.edge.runner import check_config, find_nginx
from reservations.edge.sync import HostSync
from reservations.stores.protocols import CustomerRecord
from reservations.stores.sqlite_registry import SqliteRegistry
from reservations.tenants.admin import key_record

NAME = "tenants_scale_edge"
PATTERN = "{customer}.hotels.example.com"
BASELINE_DOMAINS = 3
POD_MEMORY_LIMIT_MB = 128  # terraform/modules/edge: resources.memory_limit
WORKERS = "2"  # the pod's (reservations.edge.eks)
RELOADS = 5


def custom_domain(customer: str) -> str:
    return f"book.{customer}.example"


def customer_name(i: int) -> str:
    return f"hotel-{i:05d}"


class EchoUpstream:
    """The API stand-in: answers every request with the customer nginx named (``X-Customer``)."""

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                body = json.dumps({"customer": self.headers.get("X-Customer", "")}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def registered(folder: Path, domains: int) -> tuple[SqliteRegistry, list[float]]:
    """A registry with ``domains`` customers, one custom domain each; the time of each ``add_host``."""
    registry = SqliteRegistry(folder)
    registry.ensure_table()
    add_ms = []
    for i in range(domains):
        name = customer_name(i)
        record = CustomerRecord(
            name=name, table=f"{name}-reservations", status="active", created_at=now_utc()
        )
        registry.create_customer(record, key_record(name, new_api_key()))
        start = time.perf_counter()
        registry.add_host(custom_domain(name), name)
        add_ms.append((time.perf_counter() - start) * 1000)
    return registry, add_ms


def memory_mb(master: int) -> dict[str, float]:
    """RSS and PSS of the master and its workers, from /proc."""
    pids = [master] + [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    totals = {"rss_mb": 0.0, "pss_mb": 0.0, "processes": float(len(pids))}
    for pid in pids:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            field, _, value = line.partition(":")
            if field in ("Rss", "Pss"):
                totals[f"{field.lower()}_mb"] += int(value.split()[0]) / 1024
    return {key: round(value, 2) for key, value in totals.items()}


@contextmanager
def nginx_serving(state: Path, upstream: str) -> Iterator[tuple[str, int]]:
    """The edge's configuration for ``upstream``, served by real nginx from ``state``."""
    port = free_port()
    options = EdgeOptions(
        upstream=parse_upstream(upstream),
        port=port,
        web_dir=str(state),
        state_dir=str(state),
        log_dir=str(state),
        rate="10000r/s",
        burst=10000,
        workers=WORKERS,
        customer_host_pattern=PATTERN,
        # Started as root, nginx would switch its workers to "nobody", who cannot read this folder.
        user=pwd.getpwuid(os.geteuid()).pw_name if os.geteuid() == 0 else None,
    )
    conf = state / "nginx.conf"
    files = render(options)
    del files["tenants.map"]  # the sync's
    write_files(files, state)
    process = subprocess.Popen(
        [str(find_nginx()), "-p", f"{state}/", "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"nginx did not start: {(state / 'error.log').read_text()}") from None
            time.sleep(0.05)
        yield url, process.pid
    finally:
        process.send_signal(signal.SIGQUIT)
        process.wait(timeout=30)


def customer_on(client: httpx.Client, url: str, host: str) -> str:
    answer = client.get(f"{url}/api/whoami", headers={"Host": host})
    return str(answer.json()["customer"]) if answer.status_code == 200 else f"status {answer.status_code}"


def reload_ms(client: httpx.Client, url: str, registry: SqliteRegistry, sync: HostSync, round_: int) -> float:
    """One more customer's domain registered, then the sync: the time from its poll (which writes the
    map and sends SIGHUP) until nginx answers the new host for that customer."""
    name = f"reload-{round_}"
    record = CustomerRecord(name=name, table=f"{name}-reservations", status="active", created_at=now_utc())
    registry.create_customer(record, key_record(name, new_api_key()))
    registry.add_host(custom_domain(name), name)
    start = time.perf_counter()
    sync.poll()
    while customer_on(client, url, custom_domain(name)) != name:
        time.sleep(0.002)
    return (time.perf_counter() - start) * 1000


def measure(domains: int, upstream: str, check_all: bool) -> dict[str, Any]:
    """One nginx with ``domains`` custom domains, from a fresh registry to every host requested."""
    with tempfile.TemporaryDirectory(prefix="edge-scale-") as folder:
        state = Path(folder)
        registry, add_ms = registered(state / "registry", domains)
        sync = HostSync(registry, state / "tenants.map", state / "nginx.pid")
        start = time.perf_counter()
        sync.poll()
        generation_ms = (time.perf_counter() - start) * 1000
        with nginx_serving(state, upstream) as (url, master):
            check_ms = []
            for _ in range(3):
                start = time.perf_counter()
                checked = check_config(find_nginx(), state, state / "nginx.conf")
                check_ms.append((time.perf_counter() - start) * 1000)
                assert checked.ok, checked.output
            with httpx.Client(timeout=10) as client:
                hosts = registry.list_hosts() if check_all else {}
                unmapped = [h for h, c in hosts.items() if customer_on(client, url, h) != c]
                subdomain = customer_on(client, url, PATTERN.replace("{customer}", customer_name(0)))
                memory = memory_mb(master)
                reloads = [reload_ms(client, url, registry, sync, i) for i in range(RELOADS)]
        registry.close()
        return {
            "domains": domains,
            "map_bytes": (state / "tenants.map").stat().st_size if (state / "tenants.map").exists() else 0,
            "add_host_ms": {"p50": round(median(add_ms), 2), "p99": round(percentile(add_ms, 0.99), 2)},
            "generation_ms": round(generation_ms, 1),
            "nginx_t_ms": round(median(check_ms), 1),
            "reload_ms": {"median": round(median(reloads), 1), "max": round(max(reloads), 1)},
            "memory": memory,
            "hosts_checked": len(hosts),
            "hosts_unmapped": unmapped[:10],
            "subdomain_maps": subdomain == customer_name(0),
        }


def edge_table(result: dict[str, Any]) -> str:
    base, scale = result["baseline"], result["scaled"]
    rows = [
        ["custom domains", base["domains"], scale["domains"]],
        ["map generated from the registry (list, render, write), ms", base["generation_ms"], scale["generation_ms"]],
        ["nginx -t, ms (median of 3)", base["nginx_t_ms"], scale["nginx_t_ms"]],
        [f"reload until a new host answers, ms (median of {RELOADS})", base["reload_ms"]["median"], scale["reload_ms"]["median"]],
        ["nginx master + workers RSS, MB", base["memory"]["rss_mb"], scale["memory"]["rss_mb"]],
        ["nginx master + workers PSS, MB", base["memory"]["pss_mb"], scale["memory"]["pss_mb"]],
        ["add_host (registry transaction) p50 ms", base["add_host_ms"]["p50"], scale["add_host_ms"]["p50"]],
        ["hosts requested through nginx / unmapped", f"{base['hosts_checked']} / {len(base['hosts_unmapped'])}", f"{scale['hosts_checked']} / {len(scale['hosts_unmapped'])}"],
        ["a customer subdomain ({customer}.hotels.example.com) maps", base["subdomain_maps"], scale["subdomain_maps"]],
    ]  # fmt: skip
    return table(
        f"nginx with {scale['domains']:,} custom domains vs {base['domains']}",
        ["measured", "baseline", "scaled"],
        rows,
    )


def edge_section(customers: int, quick: bool) -> dict[str, bool]:
    upstream = EchoUpstream()
    try:
        baseline = measure(BASELINE_DOMAINS, upstream.url, check_all=True)
        scaled = measure(customers, upstream.url, check_all=True)
    finally:
        upstream.close()
    goals = {
        "every_host_maps": not scaled["hosts_unmapped"] and scaled["hosts_checked"] == customers,
        "subdomains_map": baseline["subdomain_maps"] and scaled["subdomain_maps"],
        "fits_the_pod": scaled["memory"]["pss_mb"] < POD_MEMORY_LIMIT_MB / 2,
    }
    result = {"baseline": baseline, "scaled": scaled}
    write(NAME, {"quick": quick, "edge": result, "goals": goals}, edge_table(result))
    return goals
