"""Running the local gateway: first-start bootstrap, binding the port, and a graceful uvicorn server."""

from __future__ import annotations

import os
import signal
import socket
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from reservations import wiring
from reservations.gateway import lifeline
from reservations.settings import Settings
from reservations.tenants.admin import CreatedCustomer, Tenants

if TYPE_CHECKING:
    import uvicorn

DEMO_CUSTOMER = "demo"
# Each worker is a process with its own copy of the app (~50 MB); past a few, a laptop's one user
# gains nothing, and bench/gateway.py measures 2 on 2 cores as what doubles Chalice's local server.
MAX_DEFAULT_WORKERS = 4


def default_workers() -> int:
    """One worker per CPU this process may run on (its affinity, not the machine's count)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_DEFAULT_WORKERS))


def default_web_dir() -> Path | None:
    """The repository's ``web/`` folder when running from a checkout (``make run``)."""
    candidate = Path(__file__).resolve().parents[3] / "web"
    return candidate if candidate.is_dir() else None


def bootstrap(settings: Settings) -> CreatedCustomer | None:
    """On first start (no customer yet), creates the demo customer so the clients work at once."""
    registry = wiring.registry()
    ensure = getattr(registry, "ensure_table", None)
    if ensure is not None:
        ensure()
    if registry.list_customers():
        return None
    return Tenants(registry, wiring.store(), settings).create(DEMO_CUSTOMER)


def has_customer(name: str) -> bool:
    return wiring.registry().get_customer(name) is not None


def bind(host: str, port: int) -> socket.socket:
    """Binds before starting, so an occupied port is one clear line, not a server stack trace."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def run(
    settings: Settings,
    sock: socket.socket,
    *,
    cors_origins: list[str],
    web_dir: Path | None,
    workers: int = 1,
    log_level: str = "warning",
) -> None:
    """Serves until SIGTERM/SIGINT, letting in-flight requests finish.

    Each worker process builds the app from the environment (``create_app``), so several workers
    can share the socket; SQLite in WAL mode takes writers from several processes safely.
    """
    import uvicorn

    os.environ.update(settings.to_env())
    # The functions' Powertools logger says INFO for every request; the server's --log-level
    # (warning by default) is the one a person at the terminal chose.
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "DEBUG" if log_level == "trace" else log_level.upper())
    os.environ["RESERVATIONS_CORS_ORIGINS"] = ",".join(cors_origins)
    os.environ["RESERVATIONS_WEB_DIR"] = str(web_dir) if web_dir else ""
    # SQLite reads take a fraction of a millisecond and never wait on the network.
    os.environ["RESERVATIONS_GATEWAY_INLINE_READS"] = "1" if settings.store == "sqlite" else "0"
    if workers > 1:  # each worker stops when this process dies, even of SIGKILL (lifeline)
        os.environ[lifeline.SUPERVISOR_ENV] = str(os.getpid())
    else:
        os.environ.pop(lifeline.SUPERVISOR_ENV, None)
    config = uvicorn.Config(
        "reservations.gateway.app:create_app",
        factory=True,
        workers=workers,
        lifespan="off",
        access_log=False,
        log_level=log_level,
        timeout_graceful_shutdown=10,
        server_header=False,
    )
    # uvicorn finishes in-flight requests on SIGTERM/SIGINT, then re-raises the signal; a handler of
    # ours absorbs that re-raise so a requested stop exits 0 instead of "killed by signal".
    stopped: list[int] = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda received, _frame: stopped.append(received))
    from reservations.channels import schedule

    stop_sync = threading.Event()
    schedule.start(settings, stop_sync)  # the channel calendars, as AWS's scheduled function does
    if workers > 1:
        _supervise(config, sock)
    else:
        uvicorn.Server(config).run(sockets=[sock])
    stop_sync.set()
    wiring.store().close()
    sys.stdout.flush()


def _supervise(config: uvicorn.Config, sock: socket.socket) -> None:
    """Runs uvicorn's worker supervisor with its loop paced by ``time.sleep``, not ``Event.wait``.

    uvicorn's loop is ``while not should_exit.wait(0.5)``: a semaphore wait on an absolute monotonic
    deadline. Under libfaketime (``make test-later`` runs the suites 400 days ahead) that deadline
    lies 400 days in the kernel's future, so the loop never turns and a SIGTERM, which uvicorn only
    queues, is never handled: ``serve`` hung until SIGKILL. ``time.sleep`` is a relative sleep, which
    libfaketime shifts correctly, so the same supervisor stops on SIGTERM on any clock.
    """
    from uvicorn.supervisors.multiprocess import Multiprocess

    supervisor = Multiprocess(config, sockets=[sock])
    supervisor.init_processes()
    while not supervisor.should_exit.is_set():
        supervisor.handle_signals()
        supervisor.keep_subprocess_alive()
        if not supervisor.should_exit.is_set():
            time.sleep(0.5)
    supervisor.terminate_all()
    supervisor.join_all()
