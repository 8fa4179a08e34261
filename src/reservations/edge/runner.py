"""Runs Debian's nginx in the foreground with a rendered configuration, until SIGTERM or SIGINT.

Everything nginx writes (pid, logs, temp bodies) lives in one state directory passed with ``-p``, so
no root and no ``/var/lib/nginx`` are needed.  The runner forwards SIGTERM/SIGINT as SIGQUIT
(graceful: in-flight requests finish), and asks the kernel to stop nginx if the runner itself dies,
so a killed test or terminal never leaves an orphan nginx holding the port.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

INSTALL_HINT = (
    "nginx not found: install it with `sudo apt-get install nginx` (Debian/Ubuntu) "
    "or `bash scripts/install-system-deps.sh`, or pass --nginx PATH"
)
_DEBIAN_NGINX = Path("/usr/sbin/nginx")
_PR_SET_PDEATHSIG = 1
GRACE_S = 20.0  # in-flight requests get this long after SIGTERM before nginx is killed


class NginxNotFoundError(RuntimeError):
    """No nginx binary: a usage problem of this machine, with the line that says how to fix it."""


def find_nginx(explicit: str | None = None) -> Path:
    """``--nginx`` (or ``RESERVATIONS_NGINX``) if given, else ``nginx`` on PATH, else Debian's path."""
    if explicit:
        path = Path(explicit)
        if path.is_file() and os.access(path, os.X_OK):
            return path
        raise NginxNotFoundError(f"{INSTALL_HINT} ({explicit} is not an executable file)")
    on_path = shutil.which("nginx")
    if on_path:
        return Path(on_path)
    if _DEBIAN_NGINX.is_file() and os.access(_DEBIAN_NGINX, os.X_OK):
        return _DEBIAN_NGINX
    raise NginxNotFoundError(INSTALL_HINT)


def port_free(bind: str, port: int) -> OSError | None:
    """Binds and releases the port: a port in use is one line now rather than nginx's five retries."""
    import socket

    family = socket.AF_INET6 if ":" in bind else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((bind, port))
        except OSError as exc:
            return exc
    return None


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    output: str


def check_config(nginx: Path, prefix: Path, conf: Path) -> CheckResult:
    """``nginx -t``: parses the configuration and opens its files without serving anything."""
    done = subprocess.run(
        [str(nginx), "-t", "-q", "-p", f"{prefix}/", "-c", str(conf)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return CheckResult(done.returncode == 0, (done.stderr + done.stdout).strip())


def die_with_parent_hook() -> Callable[[], None] | None:
    """A ``preexec_fn`` asking the kernel to SIGTERM nginx's master if the runner disappears (Linux).

    libc is loaded here, in the parent, so the child runs no import between fork and exec.
    """
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl

    def hook() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)

    return hook


def run_foreground(
    nginx: Path,
    prefix: Path,
    conf: Path,
    every: tuple[float, Callable[[], object]] | None = None,
) -> int:
    """Starts nginx and waits for it; returns 0 after a requested stop, nginx's status otherwise.

    ``every``: (seconds, work) run between waits while nginx serves (the custom-domain sync)."""
    process = subprocess.Popen(
        [str(nginx), "-p", f"{prefix}/", "-c", str(conf)],
        stdin=subprocess.DEVNULL,
        preexec_fn=die_with_parent_hook(),  # the CLI process has no other threads
    )
    stopping = False

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        # First signal: graceful (SIGQUIT lets in-flight requests finish); a second one: fast stop.
        process.send_signal(signal.SIGTERM if stopping else signal.SIGQUIT)
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    deadline: float | None = None
    next_work = time.monotonic() + (every[0] if every else 0.0)
    try:
        while True:
            try:
                status = process.wait(timeout=min(0.5, every[0]) if every else 0.5)
                break
            except subprocess.TimeoutExpired:
                if every is not None and not stopping and time.monotonic() >= next_work:
                    run_quietly(every[1])
                    next_work = time.monotonic() + every[0]
                if stopping and deadline is None:
                    deadline = time.monotonic() + GRACE_S
                if deadline is not None and time.monotonic() > deadline:
                    process.kill()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if stopping:
        return 0
    return status if status > 0 else 1


def run_quietly(work: Callable[[], object]) -> None:
    """A failed sync (the registry briefly unreachable) leaves nginx serving the map it has."""
    try:
        work()
    except Exception as exc:
        print(f"reservations edge: sync failed, retrying: {exc}", file=sys.stderr)
