"""The AWS-shaped edge for real: an upstream host name re-resolved through ``resolver``, TLS with SNI and
certificate verification, the stage prefix.  A local DNS server answers the API Gateway-like name with
127.0.0.1 and a local HTTPS server (certificate from a throw-away CA) plays API Gateway."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.conftest import free_port
from tests.edge.conftest import running_edge

pytestmark = pytest.mark.nginx

API_HOST = "abc123defg.execute-api.eu-west-1.amazonaws.com"


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_ca_and_server_cert(directory: Path) -> tuple[Path, Path, Path]:
    """A CA certificate, and a server certificate + key for API_HOST signed by it (PEM files)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("edge test CA"))
        .issuer_name(_name("edge test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(API_HOST))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(API_HOST)]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = directory / "ca.pem", directory / "server.pem", directory / "server.key"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return ca_file, cert_file, key_file


@dataclass
class FakeApiGateway:
    port: int
    ca_file: Path
    seen: list[dict[str, Any]] = field(default_factory=list)
    sni: list[str | None] = field(default_factory=list)


class TinyDns:
    """Answers every A query with 127.0.0.1 over UDP; records the names asked."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self.asked: list[str] = []
        self.running = True
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while self.running:
            try:
                query, client = self.sock.recvfrom(512)
            except TimeoutError:
                continue
            labels, offset = [], 12
            while query[offset]:
                length = query[offset]
                labels.append(query[offset + 1 : offset + 1 + length].decode())
                offset += 1 + length
            question_end = offset + 5
            self.asked.append(".".join(labels))
            (qtype,) = struct.unpack("!H", query[offset + 1 : offset + 3])
            answers = 1 if qtype == 1 else 0
            header = query[:2] + struct.pack("!HHHHH", 0x8180, 1, answers, 0, 0)
            answer = struct.pack("!HHHIH", 0xC00C, 1, 1, 30, 4) + ipaddress.ip_address("127.0.0.1").packed
            self.sock.sendto(header + query[12:question_end] + (answer if answers else b""), client)

    def close(self) -> None:
        self.running = False
        self.thread.join(timeout=2)
        self.sock.close()


@pytest.fixture(scope="module")
def dns() -> Iterator[TinyDns]:
    server = TinyDns()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="module")
def api_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeApiGateway]:
    ca_file, cert_file, key_file = make_ca_and_server_cert(tmp_path_factory.mktemp("pki"))
    fake = FakeApiGateway(free_port(), ca_file)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            fake.seen.append({"path": self.path, "headers": dict(self.headers.items())})
            payload = b'{"items": [], "next_cursor": null}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_file, key_file)

    def record_sni(_sock: ssl.SSLObject, server_name: str | None, _ctx: ssl.SSLContext) -> None:
        fake.sni.append(server_name)

    context.sni_callback = record_sni
    server = ThreadingHTTPServer(("127.0.0.1", fake.port), Handler)
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


def test_verified_tls_with_sni_through_a_resolved_name(
    api_gateway: FakeApiGateway, dns: TinyDns, tmp_path: Path
) -> None:
    upstream = f"https://{API_HOST}:{api_gateway.port}/prod"
    args = ("--resolver", dns.address, "--ca-bundle", str(api_gateway.ca_file))
    with running_edge(upstream, tmp_path, *args, via_run=False) as edge:
        response = httpx.get(
            f"{edge.url}/api/reservations?limit=5",
            headers={"Host": "star.hotels.example.com", "X-Api-Key": "k"},
        )
        assert response.status_code == 200, response.text
        assert response.json() == {"items": [], "next_cursor": None}
    seen = api_gateway.seen[-1]
    assert seen["path"] == "/prod/reservations?limit=5"
    assert seen["headers"]["Host"] == f"{API_HOST}:{api_gateway.port}"
    assert seen["headers"]["X-Customer"] == "star"
    assert api_gateway.sni[-1] == API_HOST
    assert API_HOST in dns.asked


def test_an_unverifiable_certificate_is_refused_with_json_502(
    api_gateway: FakeApiGateway, dns: TinyDns, tmp_path: Path
) -> None:
    """With the system CA bundle the throw-away CA is unknown: nginx must refuse, not proxy."""
    before = len(api_gateway.seen)
    upstream = f"https://{API_HOST}:{api_gateway.port}/prod"
    with running_edge(upstream, tmp_path, "--resolver", dns.address, via_run=False) as edge:
        response = httpx.get(f"{edge.url}/api/reservations")
        assert response.status_code == 502
        assert response.json()["error"]["code"] == "bad_gateway"
        error_log = (edge.log_dir / "error.log").read_text()
    assert len(api_gateway.seen) == before
    assert "certificate" in error_log
