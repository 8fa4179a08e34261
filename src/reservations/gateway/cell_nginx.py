"""The real nginx edge of ``serve --cells``: each request to its customer's cell, by the directory.

nginx is rendered by the edge's own renderer with one upstream per cell (``EdgeOptions.cells``) and
started in the foreground by the edge's runner; between its waits the runner polls the directory
(``cells.edge_sync``), which rewrites ``cells.map`` and ``tenants.map`` and reloads nginx gracefully
only when the directory's version moved.  Without nginx, ``cell_stack`` runs the Python
``cell_router`` instead, which routes the same way.
"""

from __future__ import annotations

import math
import os
import pwd
from pathlib import Path

from reservations.cells.config import Cells, open_directory
from reservations.cells.edge_sync import DirectorySync
from reservations.domain.errors import UnavailableError, ValidationError
from reservations.edge import runner
from reservations.edge.config import EdgeConfigError, EdgeOptions, is_loopback_or_ip, parse_upstream
from reservations.edge.paths import default_web_dir
from reservations.edge.render import render, write
from reservations.settings import Settings

# The local stack's edge limits no client: one machine's tests and demos are its only traffic.
_RATE, _BURST = "100000r/s", 100_000


def edge_options(cells: Cells, data_dir: Path, host: str, port: int) -> EdgeOptions:
    """nginx in front of the cells; a forwarded request is given the cells' write timeout, the one
    a move's settle waits for."""
    if not is_loopback_or_ip(host) or host == "localhost":
        raise ValidationError(f"nginx listens on an IP address, not {host!r}", field="host")
    try:
        upstreams = tuple((cell.name, parse_upstream(cell.api_url)) for cell in cells.cells)
        return EdgeOptions(
            upstream=upstreams[0][1],
            port=port,
            bind=host,
            web_dir=str(default_web_dir()),
            state_dir=str((data_dir / "cells-edge").absolute()),
            log_dir=str((data_dir / "cells-logs" / "edge").absolute()),
            rate=_RATE,
            burst=_BURST,
            upstream_timeout_s=max(1, math.ceil(cells.write_timeout_s)),
            workers="2",
            user=pwd.getpwuid(os.geteuid()).pw_name if os.geteuid() == 0 else None,
            cells=upstreams,
        )
    except EdgeConfigError as exc:
        raise ValidationError(str(exc), field="cells") from None


def serve_nginx(nginx: Path, cells: Cells, data_dir: Path, host: str, port: int) -> None:
    """nginx until SIGTERM/SIGINT (the runner stops it gracefully), the directory polled meanwhile."""
    options = edge_options(cells, data_dir, host, port)
    state = Path(options.state_dir)
    for folder in (state, Path(str(options.log_dir))):
        folder.mkdir(parents=True, exist_ok=True)
    conf = write(render(options), state)
    directory = open_directory(Settings(store="sqlite", data_dir=data_dir))
    try:
        sync = DirectorySync(directory, state, state / "nginx.pid", tuple(c.name for c in cells.cells))
        sync.poll()  # before nginx starts: the customers placed so far (the demo customer)
        check = runner.check_config(nginx, state, conf)
        if not check.ok:
            last = (check.output.splitlines() or ["no reason given"])[-1]
            raise UnavailableError(f"nginx refused the configuration: {last}")
        status = runner.run_foreground(nginx, state, conf, (cells.poll_s, sync.poll))
    finally:
        directory.close()
    if status != 0:
        raise UnavailableError(f"nginx exited with status {status} (see {options.log_dir}/error.log)")
