"""Ten thousand hotels in one deployment (issue #23): what grows with the number of customers.

``clients``: one process serving requests round-robin over N customers, tenant-scoped (AssumeRole
per customer, then the customer's reads), against moto's server over TLS as AWS answers: the RSS
growth over the process's warm baseline once every customer is cached, a new customer's first
request, and the p99 of a cached customer's read against a control store in the same process that
served only a few customers (read alternately, so both see the same moto and the same load).

``edge``: nginx with N custom domains from the registry against 3 (``bench/tenants_scale_edge.py``).
Beside it, what one customer cost with a boto3 client of its own (the design before issue #23),
measured in a fresh interpreter.

    python -m bench.tenants_scale [--customers 10000] [--quick] [--only SECTION ...]

Each section writes its own results, ``tenants_scale_<section>.json`` and ``.md``.

``--quick`` (a few hundred customers, under a minute) is what the test suite runs: it checks the
memory goal only; the full run checks the latency goal too, and exits 1 when one is missed.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from bench.common import median, percentile, table, write
from bench.servers import ROOT, free_port
from bench.tenants_scale_edge import edge_section
from bench.tenants_scale_monitoring import monitoring_section
from bench.tenants_scale_onboarding import onboarding_section
from bench.tenants_scale_plan import plan_section
from reservations.domain.reservation import ListQuery
from reservations.settings import Settings
from reservations.stores.dynamodb import DynamoDBStore

NAME = "tenants_scale"  # each section writes NAME_<section>
ROLE = "arn:aws:iam::123456789012:role/reservations-list-tenant"
MEMORY_GOAL_MB = 150  # growth over the warm baseline, whatever N (issue #23, goal 7)
P99_TOLERANCE = 1.5  # a cached customer's p99 after N customers, against the control's (moto's noise)
CACHED_PROBE = 50  # customers whose reads are timed in both stores
OLD_CLIENTS = 100  # clients made to measure the old design's cost of one


def rss_mb() -> float:
    gc.collect()
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, and a CA bundle of certifi's roots plus it.

    The bundle makes every client load as many roots as it would in AWS: the CA bundle is most of
    what a TLS context costs."""
    import ipaddress

    import certifi
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert, key_file, bundle = folder / "cert.pem", folder / "key.pem", folder / "bundle.pem"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    bundle.write_bytes(Path(certifi.where()).read_bytes() + cert.read_bytes())
    return cert, bundle


MOTO = """
import sys, time, logging
logging.getLogger("werkzeug").setLevel(logging.ERROR)
from tests.serial_moto import SerialMotoServer
SerialMotoServer("127.0.0.1", int(sys.argv[1])).start()
print("up", flush=True)
while True:
    time.sleep(3600)
"""

# nginx terminates TLS and keeps the client's connections alive, as AWS's endpoints do; moto's
# werkzeug server closes every connection, which would make each call a TLS handshake.
NGINX = """daemon off; worker_processes 1; pid {run}/nginx.pid; error_log {run}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off; client_body_temp_path {run}/body; proxy_temp_path {run}/proxy;
  fastcgi_temp_path {run}/fastcgi; uwsgi_temp_path {run}/uwsgi; scgi_temp_path {run}/scgi;
  server {{
    listen 127.0.0.1:{port} ssl; ssl_certificate {cert}; ssl_certificate_key {key};
    keepalive_requests 1000000; keepalive_timeout 300s; client_max_body_size 16m;
    location / {{ proxy_pass http://127.0.0.1:{moto}; proxy_set_header Host $host; }}
  }}
}}
"""


def _started(command: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def _wait_for_port(port: int, process: subprocess.Popen[str]) -> None:
    import socket

    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError(f"the server for port {port} exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


@contextmanager
def moto_over_tls() -> Iterator[str]:
    """moto's server in a process of its own (its memory is not the measured process's) behind
    nginx on HTTPS; AWS_CA_BUNDLE names the bundle so every client verifies it."""
    from reservations.edge.runner import find_nginx

    with TemporaryDirectory() as folder:
        run = Path(folder)
        cert, bundle = _certificate(run)
        moto_port, port = free_port(), free_port()
        moto = _started([sys.executable, "-c", MOTO, str(moto_port)], {**os.environ, "PYTHONPATH": str(ROOT)})
        (run / "nginx.conf").write_text(
            NGINX.format(run=run, port=port, cert=cert, key=run / "key.pem", moto=moto_port)
        )
        nginx = _started([str(find_nginx()), "-p", f"{run}/", "-c", str(run / "nginx.conf")])
        try:
            assert moto.stdout is not None
            assert moto.stdout.readline().strip() == "up"
            _wait_for_port(port, nginx)
            for name, value in {
                "AWS_ACCESS_KEY_ID": "bench",
                "AWS_SECRET_ACCESS_KEY": "bench",
                "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_CA_BUNDLE": str(bundle),
            }.items():
                os.environ[name] = value
            yield f"https://127.0.0.1:{port}"
        finally:
            for process in (nginx, moto):
                process.terminate()
                process.wait(timeout=15)


def timed_ms(store: DynamoDBStore, table: str) -> float:
    started = time.perf_counter()
    store.list(table, ListQuery(limit=1))
    return (time.perf_counter() - started) * 1000


def serve_round_robin(endpoint: str, customers: int) -> dict[str, Any]:
    base = Settings(store="dynamodb", dynamodb_endpoint=endpoint, table_prefix="scale_")
    names = [f"hotel-{i:05d}" for i in range(customers)]
    admin = DynamoDBStore.from_settings(base)
    for name in names:
        admin.create_table(base.table_for(name))
    admin.close()
    tenant_settings = replace(base, tenant_role_arn=ROLE)
    store = DynamoDBStore.from_settings(tenant_settings)
    # The control: a second process-like store that only ever serves the probe's customers. Read
    # alternately with the store that served every customer, against the same moto under the same
    # load, it isolates what holding N customers costs a cached customer's request.
    control = DynamoDBStore.from_settings(tenant_settings)
    probe = [base.table_for(name) for name in names[:CACHED_PROBE]]
    for name in probe * 3:  # warm: the probe's sessions, the shared clients, the loaders
        timed_ms(store, name)
        timed_ms(control, name)
    baseline = rss_mb()
    first_calls = [timed_ms(store, base.table_for(name)) for name in names[CACHED_PROBE:]]
    second_round = [timed_ms(store, base.table_for(name)) for name in names]
    after = rss_mb()
    cached_after, cached_control = [], []
    for name in probe * 10:
        cached_after.append(timed_ms(store, name))
        cached_control.append(timed_ms(control, name))
    store.close()
    control.close()
    return {
        "customers": customers,
        "baseline_rss_mb": round(baseline, 1),
        "rss_after_mb": round(after, 1),
        "growth_mb": round(after - baseline, 1),
        "first_call_ms": {"p50": median(first_calls), "p99": percentile(first_calls, 0.99)},
        "every_customer_again_ms": {"p50": median(second_round), "p99": percentile(second_round, 0.99)},
        "cached_control_ms": {"p50": median(cached_control), "p99": percentile(cached_control, 0.99)},
        "cached_after_ms": {"p50": median(cached_after), "p99": percentile(cached_after, 0.99)},
    }


OLD_DESIGN = """
import gc, json, sys, boto3
from botocore.config import Config
def rss():
    gc.collect()
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS:")) / 1024
config = Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=2, read_timeout=5)
def client(i):
    return boto3.client("dynamodb", endpoint_url=sys.argv[1], region_name="us-east-1", config=config,
                        aws_access_key_id=f"AK{i}", aws_secret_access_key="s", aws_session_token="t")
kept = [client(i) for i in range(3)]
for c in kept: c.list_tables()
before = rss()
kept += [client(i) for i in range(int(sys.argv[2]))]
for c in kept[3:]: c.list_tables()  # each opens its connection: its TLS context is loaded then
print(json.dumps((rss() - before) / int(sys.argv[2])))
"""


def old_design_mb_per_customer(endpoint: str) -> float:
    """A boto3 client per customer (before issue #23), each having made one call over TLS."""
    done = subprocess.run(
        [sys.executable, "-c", OLD_DESIGN, endpoint, str(OLD_CLIENTS)],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return float(json.loads(done.stdout))


def clients_table(result: dict[str, Any], old_mb: float) -> str:
    n = result["customers"]
    rows = [
        ["RSS growth over the warm baseline", f"{result['growth_mb']:.1f} MB", f"<= {MEMORY_GOAL_MB} MB"],
        [
            "a new customer's first request (AssumeRole + read), p50",
            f"{result['first_call_ms']['p50']:.1f} ms",
            "",
        ],
        ["a new customer's first request, p99", f"{result['first_call_ms']['p99']:.1f} ms", ""],
        ["every customer again (all cached), p99", f"{result['every_customer_again_ms']['p99']:.1f} ms", ""],
        [
            "a cached customer's read, process serving only 50 customers, p50 / p99",
            f"{result['cached_control_ms']['p50']:.1f} / {result['cached_control_ms']['p99']:.1f} ms",
            "",
        ],
        [
            f"the same reads, process that served all {n:,} customers, p50 / p99",
            f"{result['cached_after_ms']['p50']:.1f} / {result['cached_after_ms']['p99']:.1f} ms",
            f"p99 <= {P99_TOLERANCE}x the other's",
        ],
        [
            "before issue #23: a client per customer",
            f"{old_mb:.2f} MB a customer",
            f"{old_mb * n:,.0f} MB at N",
        ],
    ]
    return table(
        f"One process serving {n:,} customers round-robin (moto over TLS, tenant-scoped)",
        ["measured", "value", "goal"],
        rows,
    )


def clients_section(customers: int, quick: bool) -> dict[str, bool]:
    with moto_over_tls() as endpoint:
        old_mb = old_design_mb_per_customer(endpoint)
        clients = serve_round_robin(endpoint, customers)
    goals = {"memory": clients["growth_mb"] <= MEMORY_GOAL_MB}
    if not quick:  # the suite's run checks no time (speed is judged here, not in tests)
        control = max(clients["cached_control_ms"]["p99"], 1.0)
        goals["cached_p99"] = clients["cached_after_ms"]["p99"] <= P99_TOLERANCE * control
    data = {"quick": quick, "clients": clients, "old_design_mb_per_customer": old_mb, "goals": goals}
    write(f"{NAME}_clients", data, clients_table(clients, old_mb))
    return goals


SECTIONS = {
    "clients": clients_section,
    "edge": edge_section,
    "plan": plan_section,
    "monitoring": monitoring_section,
    "onboarding": onboarding_section,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="a few hundred customers (the test suite's run)")
    parser.add_argument("--only", nargs="+", choices=sorted(SECTIONS), default=sorted(SECTIONS))
    args = parser.parse_args()
    customers = 300 if args.quick else args.customers
    missed = []
    for section in args.only:
        goals = SECTIONS[section](customers, args.quick)
        missed += [f"{section}: {goal}" for goal, held in goals.items() if not held]
    if missed:
        print(f"goals missed: {', '.join(missed)}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
