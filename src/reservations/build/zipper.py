"""A byte-for-byte reproducible zip: the same files give the same archive on any machine and day.

Entries are sorted, carry one fixed timestamp and one mode, and no directory entries or extra
fields; ``__pycache__``, compiled files and console scripts (whose shebang holds a build path) are
left out.  Compression is zlib's deflate at a fixed level, so the bytes depend only on the inputs
and the zlib version (pinned by the build image: CodeBuild's Python 3.12 image).
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import Path

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


def write_zip(destination: Path, entries: dict[str, Path], app_prefix: str) -> ZipStats:
    """Writes ``entries`` (name -> file) to ``destination``; entries under ``app_prefix`` count as app."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    tmp = destination.with_name(destination.name + ".tmp")
    unzipped = 0
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as archive:
        for name in sorted(entries):
            data = _content(name, entries[name])
            unzipped += len(data)
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so external_attr is read as a mode
            info.external_attr = FILE_MODE << 16
            archive.writestr(info, data, compresslevel=COMPRESS_LEVEL)
    with zipfile.ZipFile(tmp) as archive:
        app_size = sum(i.compress_size for i in archive.infolist() if i.filename.startswith(app_prefix))
        count = len(archive.infolist())
    tmp.replace(destination)
    digest = hashlib.sha256(destination.read_bytes()).hexdigest()
    return ZipStats(
        sha256=digest,
        size=destination.stat().st_size,
        unzipped_size=unzipped,
        entries=count,
        app_size=app_size,
    )
