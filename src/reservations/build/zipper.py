"""A byte-for-byte reproducible zip: the same files give the same archive on any machine and day.

Entries are sorted (the dependencies, then the package's own code), carry one fixed timestamp and one mode, and no directory entries or extra
fields; ``__pycache__``, compiled files and console scripts (whose shebang holds a build path) are
left out.  Compression is zlib's deflate at a fixed level, so the bytes depend only on the inputs
and the zlib version (pinned by the build image: CodeBuild's Python 3.12 image).
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

FORMAT = 1  # bump on any change to what a zip holds: cached dependency zips are keyed by it
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can hold
FILE_MODE = 0o100644  # regular file, rw-r--r--: Lambda needs read, never write or exec
COMPRESS_LEVEL = 6


@dataclass(frozen=True)
class ZipStats:
    sha256: str
    size: int
    unzipped_size: int
    entries: int
    app_size: int  # compressed bytes of the package's own entries

    @property
    def source_code_hash(self) -> str:
        """Terraform's ``source_code_hash``: base64 of the raw sha256."""
        return base64.b64encode(bytes.fromhex(self.sha256)).decode("ascii")


def site_entries(site: Path) -> dict[str, Path]:
    """Zip entry name -> file for an installed ``--target`` directory, minus what must not ship."""
    entries: dict[str, Path] = {}
    for path in site.rglob("*"):
        if not path.is_file():
            continue
        rel = path.relative_to(site)
        parts = rel.parts
        if parts[0] == "bin" or "__pycache__" in parts or rel.suffix in (".pyc", ".pyo"):
            continue
        if rel.name == "direct_url.json" and parts[0].endswith(".dist-info"):
            continue  # names the wheel's path in the build cache
        entries[rel.as_posix()] = path
    return entries


def _content(name: str, path: Path) -> bytes:
    data = path.read_bytes()
    if name.endswith(".dist-info/RECORD"):
        # Drop the lines of files that are not shipped (console scripts: their hash covers a shebang
        # naming the build's interpreter, and the compiled files).
        kept = [
            line
            for line in data.decode("utf-8").splitlines()
            if not line.startswith("../") and "__pycache__" not in line and "direct_url.json" not in line
        ]
        data = ("\n".join(kept) + "\n").encode("utf-8")
    return data


def _info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, so external_attr is read as a mode
    info.external_attr = FILE_MODE << 16
    return info


def _write_entries(archive: zipfile.ZipFile, entries: dict[str, Path]) -> None:
    for name in sorted(entries):
        archive.writestr(_info(name), _content(name, entries[name]), compresslevel=COMPRESS_LEVEL)


def write_dependencies_zip(destination: Path, entries: dict[str, Path]) -> None:
    """The dependencies' part of every zip built from one installed tree, compressed once.

    Written to a temporary name and renamed, so two builds making the same file cannot leave a
    half-written one behind.
    """
    destination.parent.mkdir(parents=True, exist_ok=True)
    tmp = destination.with_name(f"{destination.name}.{os.getpid()}.tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as archive:
        _write_entries(archive, entries)
    tmp.replace(destination)


def write_zip(destination: Path, base: Path | None, entries: dict[str, Path], app_prefix: str) -> ZipStats:
    """Writes ``base``'s entries (the dependencies, as is) then ``entries``, each group sorted.

    Entries under ``app_prefix`` count as the package's own code in the returned sizes.
    """
    destination.parent.mkdir(parents=True, exist_ok=True)
    tmp = destination.with_name(destination.name + ".tmp")
    if base is not None:
        shutil.copyfile(base, tmp)
        mode: Literal["a", "w"] = "a"
    else:
        mode = "w"
    with zipfile.ZipFile(tmp, mode, zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as archive:
        clash = sorted(set(archive.namelist()) & set(entries))
        if clash:
            raise ValueError(f"{clash[0]} is both a dependency's file and the package's")
        _write_entries(archive, entries)
    with zipfile.ZipFile(tmp) as archive:
        infos = archive.infolist()
    tmp.replace(destination)
    return ZipStats(
        sha256=hashlib.sha256(destination.read_bytes()).hexdigest(),
        size=destination.stat().st_size,
        unzipped_size=sum(i.file_size for i in infos),
        entries=len(infos),
        app_size=sum(i.compress_size for i in infos if i.filename.startswith(app_prefix)),
    )
