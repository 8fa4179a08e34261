"""The directory into a running nginx edge: ``cells.map`` (customer -> cell) and ``tenants.map``
(custom domain -> customer), and a graceful reload only when they changed.

The edge in front of cells learns the directory by polling it (issue #24): one small read of its
``version`` every ``poll_s``, the placements and hosts only when it moved.  A poll that cannot read
the directory changes no file and signals nothing, so nginx keeps serving the last map it loaded:
customers placed before the outage are routed as before; only those placed or moved during it wait.
"""

from __future__ import annotations

from pathlib import Path

from reservations.cells.routing import DirectoryMap
from reservations.edge.render import CELLS_NAME, TENANTS_NAME, render_cells_map
from reservations.edge.sync import reload_nginx, render_custom_domains, write_if_changed
from reservations.stores.directory import Directory


class DirectorySync:
    """One edge's copy of the directory; ``poll`` brings it up to date (``cells.routing.MapCache``
    is the same polling for the Python router)."""

    def __init__(self, directory: Directory, conf_dir: Path, pid_file: Path, cells: tuple[str, ...]) -> None:
        self._directory = directory
        self._conf_dir = conf_dir
        self._pid_file = pid_file
        self._cells = cells
        self._version: int | None = None
        self.reloads = 0  # maps written and nginx signalled

    def poll(self) -> bool:
        """True when a map changed (and nginx was asked to reload); raises when the directory cannot
        be read, leaving both files (and nginx) as they were."""
        if self._directory.version() == self._version:
            return False
        known = DirectoryMap.read(self._directory)  # its version first: a later change is read next time
        cells = render_cells_map(known.cells, known.moving, self._cells)
        changed = write_if_changed(self._conf_dir / CELLS_NAME, cells)
        changed |= write_if_changed(self._conf_dir / TENANTS_NAME, render_custom_domains(known.hosts))
        self._version = known.version
        if changed:
            self.reloads += 1
            reload_nginx(self._pid_file)
        return changed
