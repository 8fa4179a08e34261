"""A byte-for-byte reproducible zip: the same files give the same archive on any machine and day.

Entries are sorted (the dependencies, then the package's own code), carry one fixed timestamp and one mode, and no directory entries or extra
fields; the installed ``__pycache__`` and console scripts (whose shebang holds a build path) are
left out.

With ``bytecode`` every module also gets its ``__pycache__/<name>.<tag>.pyc`` compiled here, as an
unchecked hash-based pyc (PEP 552): its bytes depend on the source alone (no timestamp), and the
interpreter loads it without reading or hashing the source.  Lambda's ``/var/task`` is read-only, so a
zip without them compiles every module from source on every cold start.  Bytecode is only valid for
the compiling interpreter's minor version; the builder compiles only when that is the target's.  Compression is zlib's deflate at a fixed level, so the bytes depend only on the inputs
and the zlib version (pinned by the build image: CodeBuild's Python 3.12 image).
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import marshal
import os
import shutil
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

FORMAT = 2  # bump on any change to what a zip holds: cached dependency zips are keyed by it
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can hold
FILE_MODE = 0o100644  # regular file, rw-r--r--: Lambda needs read, never write or exec
COMPRESS_LEVEL = 6
_UNCHECKED_HASH_FLAGS = (0b01).to_bytes(4, "little")  # PEP 552: hash-based, source not checked


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


def bytecode_tag() -> str | None:
    """The ``__pycache__`` tag this interpreter compiles for (``cpython-312``), if it has one."""
    return sys.implementation.cache_tag


def compiled(name: str, source: bytes) -> bytes | None:
    """The unchecked hash-based pyc of one module, or ``None`` if it does not compile here.

    Some wheels ship files that are not this Python's syntax (templates, Python 2 examples); they
    were never importable, so they get no bytecode, as ``compileall`` would skip them.
    """
    try:
        code = compile(source, name, "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return None
    header = importlib.util.MAGIC_NUMBER + _UNCHECKED_HASH_FLAGS + importlib.util.source_hash(source)
    return header + marshal.dumps(code)


def _pyc_name(name: str, tag: str) -> str:
    directory, _, module = name.rpartition("/")
    return f"{directory + '/' if directory else ''}__pycache__/{module[:-3]}.{tag}.pyc"


def _with_bytecode(entries: dict[str, Path], tag: str | None) -> dict[str, bytes]:
    contents = {name: _content(name, path) for name, path in entries.items()}
    if tag is None:
        return contents
    for name in [n for n in contents if n.endswith(".py")]:
        pyc = compiled(name, contents[name])
        if pyc is not None:
            contents[_pyc_name(name, tag)] = pyc
    return contents


def _write_entries(archive: zipfile.ZipFile, contents: dict[str, bytes]) -> None:
    for name in sorted(contents):
        archive.writestr(_info(name), contents[name], compresslevel=COMPRESS_LEVEL)


def write_dependencies_zip(destination: Path, entries: dict[str, Path], bytecode: str | None = None) -> None:
    """The dependencies' part of every zip built from one installed tree, compressed once.

    Written to a temporary name and renamed, so two builds making the same file cannot leave a
    half-written one behind.
    """
    destination.parent.mkdir(parents=True, exist_ok=True)
    tmp = destination.with_name(f"{destination.name}.{os.getpid()}.tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as archive:
        _write_entries(archive, _with_bytecode(entries, bytecode))
    tmp.replace(destination)


def write_zip(
    destination: Path,
    base: Path | None,
    entries: dict[str, Path],
    app_prefix: str,
    bytecode: str | None = None,
) -> ZipStats:
    """Writes ``base``'s entries (the dependencies, as is) then ``entries``, each group sorted.

    ``bytecode`` is the tag to compile ``entries`` for (``None``: none); ``base`` already holds
    its own.  Entries under ``app_prefix`` count as the package's own code in the returned sizes.
    """
    destination.parent.mkdir(parents=True, exist_ok=True)
    tmp = destination.with_name(destination.name + ".tmp")
    if base is not None:
        shutil.copyfile(base, tmp)
        mode: Literal["a", "w"] = "a"
    else:
        mode = "w"
    with zipfile.ZipFile(tmp, mode, zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as archive:
        contents = _with_bytecode(entries, bytecode)
        clash = sorted(set(archive.namelist()) & set(contents))
        if clash:
            raise ValueError(f"{clash[0]} is both a dependency's file and the package's")
        _write_entries(archive, contents)
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
