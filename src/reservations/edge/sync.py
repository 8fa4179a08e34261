"""Custom domains from the registry into nginx's ``tenants.map``, and a graceful reload when they change.

Issue #23, goal 5: a host onboarded with ``reservations tenants hosts add`` must answer without a
Terraform run, and 10,000 of them must fit (they never did in a 4 KB SSM parameter).  The registry
holds them; this polls its change counter (one small read) and, only when it moved, lists the
hosts, writes the map beside ``nginx.conf`` (atomically: nginx never reads half a file) and sends
nginx's master SIGHUP.  A reload is graceful: the old workers finish the requests they hold while
new ones take new connections, so nothing in flight is dropped.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Protocol

from reservations.domain.tenancy import CUSTOMER_NAME_RE, is_host_name


class HostSource(Protocol):
    """What the sync reads from the registry (``stores.Registry`` has both)."""

    def list_hosts(self) -> dict[str, str]: ...

    def hosts_version(self) -> int: ...


def render_custom_domains(hosts: dict[str, str]) -> str:
    """The map's lines; an entry that is not a host name and a customer name is left out (the
    registry checks both on write; this keeps a damaged item from ever reaching nginx's syntax)."""
    lines = ["# Custom domain -> customer, from the registry by `reservations edge sync`."]
    for host, customer in sorted(hosts.items()):
        if is_host_name(host) and "." in host and CUSTOMER_NAME_RE.fullmatch(customer):
            lines.append(f"{host} {customer};")
        else:
            print(
                f"reservations edge sync: skipped {host!r} -> {customer!r}: not a host name", file=sys.stderr
            )
    return "\n".join(lines) + "\n"


def write_if_changed(path: Path, text: str) -> bool:
    """Writes ``text`` to ``path`` through a rename (nginx sees the old file or the new one, whole);
    False if it already held exactly that."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except FileNotFoundError:
        pass
    temporary = path.with_name(f".{path.name}.new")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
    return True


def reload_nginx(pid_file: Path) -> bool:
    """SIGHUP to the master named in ``pid_file``; False when nginx is not running (it reads the map
    when it starts)."""
    try:
        pid = int(pid_file.read_text(encoding="utf-8").strip())
    except (FileNotFoundError, ValueError):
        return False
    try:
        os.kill(pid, signal.SIGHUP)
    except ProcessLookupError:
        return False
    return True


class HostSync:
    """One edge's copy of the registry's custom domains; ``poll`` brings it up to date."""

    def __init__(self, source: HostSource, map_path: Path, pid_file: Path) -> None:
        self._source = source
        self._map_path = map_path
        self._pid_file = pid_file
        self._version: int | None = None

    def poll(self) -> bool:
        """True when the map changed (and nginx was asked to reload).  The version is read before
        the hosts, so a change landing in between is listed now and read again next time."""
        version = self._source.hosts_version()
        if version == self._version:
            return False
        changed = write_if_changed(self._map_path, render_custom_domains(self._source.list_hosts()))
        self._version = version
        if changed:
            reload_nginx(self._pid_file)
        return changed
