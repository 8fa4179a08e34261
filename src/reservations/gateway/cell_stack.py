"""``reservations serve --cells N``: N cells behind one URL on this machine.

Each cell is a DynamoDB endpoint standing for the cell's account (moto's server, ``cell_moto``) and
the API over it (``cell_api``), each a process of its own; the directory is a SQLite file in the
data folder; the edge is the real nginx (``cell_nginx``, a child of this process) when nginx is
installed, else this process (``cell_router``), both routing by the directory.  moto keeps its tables
in memory, so every start begins with empty cells and an empty directory.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from reservations.cells.config import Cell, Cells, cells_file, open_directory, save_cells, sign_for_loopback
from reservations.cells.routing import MapCache
from reservations.domain.errors import ReservationsError, UnavailableError, ValidationError
from reservations.settings import Settings

LOCAL_CAPACITY = 100  # a local cell's customers: small, so placement spreads a demo's few
_START_S = 60


@dataclass(frozen=True)
class Stack:
    cells: Cells
    processes: tuple[subprocess.Popen[bytes], ...]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _wait(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + _START_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=1):  # noqa: S310 (loopback, ours)
            return
        time.sleep(0.1)
    raise UnavailableError(f"{url} did not start (its log: {log})")


def _answers_moto(url: str) -> str:
    return f"{url}/moto-api/data.json"


@contextlib.contextmanager
def running_cells(count: int, data_dir: Path) -> Iterator[Stack]:
    """Starts the cells, writes the cells file and an empty directory; stops them all on exit."""
    if importlib.util.find_spec("moto") is None:
        raise ValidationError("serve --cells needs moto's server: pip install 'moto[server]'", field="cells")
    data_dir.mkdir(parents=True, exist_ok=True)
    logs = data_dir / "cells-logs"
    logs.mkdir(exist_ok=True)
    started: list[subprocess.Popen[bytes]] = []
    sign_for_loopback(Cells((Cell("local", "http://127.0.0.1:0", ""),)))
    try:
        cells = tuple(_start_cell(f"c{n}", logs, started) for n in range(1, count + 1))
        stack = Stack(Cells(cells), tuple(started))
        with contextlib.suppress(FileNotFoundError):
            (data_dir / "directory.sqlite3").unlink()
        directory = open_directory(Settings(store="sqlite", data_dir=data_dir))
        directory.ensure_table()
        directory.close()
        save_cells(data_dir, stack.cells)
        yield stack
    finally:
        with contextlib.suppress(FileNotFoundError):
            cells_file(data_dir).unlink()
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _start_cell(name: str, logs: Path, started: list[subprocess.Popen[bytes]]) -> Cell:
    moto_port, api_port = _free_port(), _free_port()
    endpoint = f"http://127.0.0.1:{moto_port}"
    env = {**os.environ}
    moto_log = logs / f"{name}-dynamodb.log"
    moto = _spawn(["reservations.gateway.cell_moto", str(moto_port)], env, moto_log)
    started.append(moto)
    _wait(_answers_moto(endpoint), moto, moto_log)
    cell = Cell(name, endpoint, f"http://127.0.0.1:{api_port}", capacity=LOCAL_CAPACITY)
    api_env = {**env, **cell.settings().to_env()}
    api_log = logs / f"{name}-api.log"
    api = _spawn(["reservations.gateway.cell_api", str(api_port)], api_env, api_log)
    started.append(api)
    _wait(f"{cell.api_url}/healthz", api, api_log)
    return cell


def serve_edge(stack: Stack, data_dir: Path, sock: socket.socket, log_level: str = "warning") -> None:
    """The edge on ``sock`` until SIGTERM/SIGINT."""
    import uvicorn

    from reservations.gateway.cell_router import CellRouter

    directory = open_directory(Settings(store="sqlite", data_dir=data_dir))
    router = CellRouter(stack.cells, MapCache(directory, stack.cells.poll_s))
    config = uvicorn.Config(
        router, lifespan="off", access_log=False, log_level=log_level, server_header=False
    )
    stopped: list[int] = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda received, _frame: stopped.append(received))
    uvicorn.Server(config).run(sockets=[sock])
    directory.close()


def choose_edge(host: str) -> tuple[Path | None, str]:
    """nginx when it is installed (``RESERVATIONS_NGINX`` names another binary), else the Python
    router; and the words that say which, and why."""
    from reservations.edge.config import is_loopback_or_ip
    from reservations.edge.runner import NginxNotFoundError, find_nginx

    try:
        nginx = find_nginx(os.environ.get("RESERVATIONS_NGINX"))
    except NginxNotFoundError:
        hint = "sudo apt-get install nginx, or set RESERVATIONS_NGINX to its path"
        return None, f"the Python cell router (nginx not found: {hint})"
    if not is_loopback_or_ip(host) or host == "localhost":
        return None, f"the Python cell router (nginx listens on an IP address, not {host!r})"
    return nginx, f"nginx ({nginx})"


def serve_cells(
    count: int,
    data_dir: Path,
    host: str,
    port: int,
    log_level: str,
    on_demo: Callable[[str, str, str], None] = lambda url, customer, api_key: None,
) -> None:
    """The whole of ``serve --cells``: port first (a start that cannot listen changes nothing), the
    cells, a demo customer placed through the directory (``on_demo`` gets the URL, it and its key:
    ``serve`` writes its client profile), then the edge until stopped."""
    import typer

    from reservations.cells.placement import CellTenants
    from reservations.exit_status import ExitStatus
    from reservations.gateway import server

    try:
        sock = server.bind(host, port)
    except OSError as exc:
        typer.echo(f"reservations serve: cannot listen on {host}:{port}: {exc.strerror or exc}", err=True)
        raise typer.Exit(ExitStatus.USAGE) from None
    url = f"http://{host if ':' not in host else f'[{host}]'}:{sock.getsockname()[1]}"
    try:
        with running_cells(count, data_dir) as stack:
            directory = open_directory(Settings(store="sqlite", data_dir=data_dir))
            try:
                created, cell = CellTenants(stack.cells, directory).create(server.DEMO_CUSTOMER)
            finally:
                directory.close()
            typer.echo(f"Reservations API on {url}  ({count} cells behind one URL: {cells_file(data_dir)})")
            for each in stack.cells.cells:
                typer.echo(f"  cell {each.name}: API {each.api_url}, DynamoDB {each.dynamodb_endpoint}")
            typer.echo(
                f"Created customer {created.customer.name!r} in cell {cell.name}. Its API key, shown only this once:"
            )
            typer.echo(f"  {created.api_key}")
            on_demo(url, created.customer.name, created.api_key)
            typer.echo(
                "Place more: `reservations tenants create NAME [--cell c2]`; move: `reservations tenants move NAME --to c1`."
            )
            nginx, which = choose_edge(host)
            typer.echo(f"Edge: {which}, routing by the directory, polled every {stack.cells.poll_s} s.")
            typer.echo("Press Ctrl-C to stop.", err=True)
            if nginx is None:
                serve_edge(stack, data_dir, sock, log_level)
            else:
                from reservations.gateway.cell_nginx import serve_nginx

                listening = int(sock.getsockname()[1])
                sock.close()  # nginx listens on the port itself
                serve_nginx(nginx, stack.cells, data_dir, host, listening)
    except ReservationsError as exc:
        typer.echo(f"reservations serve: {exc.message}", err=True)
        raise typer.Exit(ExitStatus.ERROR) from None
