"""``reservations edge sync``: the registry's custom domains into a running nginx (``edge.sync``).

``reservations edge run --sync-hosts`` does the same inside the runner; this command is for an
nginx started otherwise (the EKS pod's, whose configuration Terraform renders): it writes
``tenants.map`` beside ``nginx.conf`` and signals the master whose pid is in the state directory.
In the pod the ConfigMap's mount is read-only, so ``--conf-from`` first copies its nginx.conf into
the writable directory nginx reads both files from (an init container, before nginx starts).

In front of cells (``--cells``, the cells the pod's nginx.conf has upstreams for) it keeps the maps
from the cells' directory instead (``cells.edge_sync.DirectorySync``): ``cells.map`` and the
directory's custom domains as ``tenants.map``, read as ``RESERVATIONS_DIRECTORY_ROLE_ARN`` when set.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from reservations.exit_status import ExitStatus
from reservations.store_options import DataDirOption, EndpointOption, StoreOption

if TYPE_CHECKING:
    from reservations.cells.edge_sync import DirectorySync
    from reservations.edge.sync import HostSync

SyncInterval = Annotated[
    float, typer.Option("--sync-interval", help="Seconds between two reads of the registry's change counter.")
]


def _fail(message: str, status: int) -> NoReturn:
    typer.echo(f"reservations edge: {message}", err=True)
    raise typer.Exit(status)


def open_host_sync(
    data_dir: Path | None, store: StoreOption, endpoint: str | None, conf_dir: Path, state_dir: Path
) -> HostSync:
    """A ``HostSync`` on the registry the options name; one line and exit 1 if it cannot be read."""
    from reservations import wiring
    from reservations.domain.errors import ReservationsError
    from reservations.edge.render import TENANTS_NAME
    from reservations.edge.sync import HostSync
    from reservations.settings import Settings

    try:
        settings = Settings.from_options(
            data_dir=data_dir, store=store.value if store else None, dynamodb_endpoint=endpoint
        )
        wiring.configure(settings)
        sync = HostSync(wiring.registry(), conf_dir / TENANTS_NAME, state_dir / "nginx.pid")
        sync.poll()
    except ReservationsError as exc:
        _fail(f"cannot read the custom domains: {exc.message}", ExitStatus.ERROR)
    except OSError as exc:
        _fail(f"cannot write {conf_dir / TENANTS_NAME}: {exc.strerror or exc}", ExitStatus.ERROR)
    return sync


def open_directory_sync(
    data_dir: Path | None,
    store: StoreOption,
    endpoint: str | None,
    dirs: tuple[Path, Path],
    cells: tuple[str, ...],
) -> DirectorySync:
    """A ``DirectorySync`` (``dirs``: nginx.conf's and nginx.pid's) on the directory the options name,
    polled once; one line and exit 1 if it cannot be read."""
    from reservations.cells.config import open_directory
    from reservations.cells.edge_sync import DirectorySync
    from reservations.domain.errors import ReservationsError
    from reservations.settings import Settings

    conf_dir, state_dir = dirs
    try:
        settings = Settings.from_options(
            data_dir=data_dir, store=store.value if store else None, dynamodb_endpoint=endpoint
        )
        directory_sync = DirectorySync(open_directory(settings), conf_dir, state_dir / "nginx.pid", cells)
        directory_sync.poll()
    except ReservationsError as exc:
        _fail(f"cannot read the directory: {exc.message}", ExitStatus.ERROR)
    except OSError as exc:
        _fail(f"cannot write the maps into {conf_dir}: {exc.strerror or exc}", ExitStatus.ERROR)
    return directory_sync


def cell_names(cells: str) -> tuple[str, ...]:
    """``--cells c1,c2`` as names; a name nginx's upstreams could not carry is a usage error."""
    from reservations.edge.config import CELL_NAME_RE

    names = tuple(name.strip() for name in cells.split(","))
    if not all(CELL_NAME_RE.fullmatch(name) for name in names) or len(set(names)) != len(names):
        _fail(
            f"--cells {cells!r} must be distinct cell names (1-31 of a-z, 0-9 and '-'), comma-separated",
            ExitStatus.USAGE,
        )
    return names


def sync(
    state_dir: Annotated[Path, typer.Option(help="nginx's -p prefix: where its nginx.pid is.")],
    conf_dir: Annotated[
        Path | None,
        typer.Option(help="The directory of nginx.conf, where tenants.map goes (default: --state-dir)."),
    ] = None,
    conf_from: Annotated[
        Path | None,
        typer.Option(help="Copy this nginx.conf into --conf-dir first (the pod's read-only ConfigMap)."),
    ] = None,
    once: Annotated[bool, typer.Option("--once", help="Write the map (and reload) once, then exit.")] = False,
    sync_interval: SyncInterval = 5.0,
    cells: Annotated[
        str | None,
        typer.Option(
            help="In front of cells: the cells nginx.conf routes to (c1,c2): keep cells.map and "
            "tenants.map from the cells' directory instead of the registry."
        ),
    ] = None,
    data_dir: DataDirOption = None,
    store: StoreOption = None,
    dynamodb_endpoint: EndpointOption = None,
) -> None:
    """Keep nginx's custom domains (tenants.map) as the registry has them, or with --cells both maps as
    the cells' directory has them; reload nginx on a change."""
    from reservations.edge.render import CONF_NAME
    from reservations.edge.runner import run_quietly
    from reservations.edge.sync import write_if_changed

    if not 0.1 <= sync_interval <= 3600:
        _fail(f"--sync-interval {sync_interval} must be between 0.1 and 3600 seconds", ExitStatus.USAGE)
    names = cell_names(cells) if cells is not None else None
    target = conf_dir or state_dir
    if conf_from is not None:
        try:
            write_if_changed(target / CONF_NAME, conf_from.read_text(encoding="utf-8"))
        except OSError as exc:
            _fail(f"cannot copy {conf_from} into {target}: {exc.strerror or exc}", ExitStatus.ERROR)
    if names is not None:
        poll = open_directory_sync(data_dir, store, dynamodb_endpoint, (target, state_dir), names).poll
    else:
        poll = open_host_sync(data_dir, store, dynamodb_endpoint, target, state_dir).poll
    while not once:
        time.sleep(sync_interval)
        run_quietly(poll)
