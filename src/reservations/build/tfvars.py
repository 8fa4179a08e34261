"""Writes ``lambda_builds.auto.tfvars.json``: which build of each function Terraform deploys.

Read from the builds' metadata (in S3, or a local ``dist/``), never recomputed, so the hash Terraform
checks is the one the builder measured.  By default each function's newest uploaded build is taken;
``pins`` choose a build by ID.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reservations.build.builder import BuildMetadata, valid_build_id
from reservations.build.upload import Destination
from reservations.catalogue import FUNCTION_NAMES


class TfvarsError(Exception):
    """A function has no uploaded build to deploy, or a pinned build is missing."""


@dataclass(frozen=True)
class Candidate:
    metadata: BuildMetadata
    order: float  # larger is newer


def from_directory(directory: Path) -> list[Candidate]:
    """Every uploaded build's metadata in ``directory`` (builds never uploaded have no S3 key)."""
    found: list[Candidate] = []
    if not directory.is_dir():
        raise TfvarsError(f"{directory} is not a directory")
    for path in sorted(directory.glob("*.json")):
        try:
            meta = BuildMetadata.from_json(path.read_text(encoding="utf-8"))
        except (ValueError, TypeError, OSError):
            continue  # not a build's metadata
        found.append(Candidate(meta, path.stat().st_mtime))
    return found


def from_s3(s3: Any, destination: Destination, pins: dict[str, str] | None = None) -> list[Candidate]:
    """Each function's newest (or pinned) build's metadata under ``s3://BUCKET/PREFIX/<function>/``.

    The keys are listed and ranked first, so only the metadata objects that can be chosen are read,
    however many builds the bucket has kept.
    """
    pins = pins or {}
    prefix = destination.function_prefix()
    ranked: dict[str, list[tuple[float, tuple[int, str], str, str]]] = {}
    paginator = s3.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=destination.bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            key = str(item["Key"])
            parsed = _parse_metadata_key(key[len(prefix) :])
            if parsed is None:
                continue
            function, build_id = parsed
            if function in pins and pins[function] != build_id:
                continue
            entry = (item["LastModified"].timestamp(), _natural(build_id), build_id, key)
            ranked.setdefault(function, []).append(entry)
    found: list[Candidate] = []
    for entries in ranked.values():
        for modified, _, _, key in sorted(entries, reverse=True):
            body = s3.get_object(Bucket=destination.bucket, Key=key)["Body"].read()
            try:
                meta = BuildMetadata.from_json(body.decode("utf-8"))
            except (ValueError, TypeError, UnicodeDecodeError):
                continue  # not a build's metadata: try the next newest
            meta.s3_key = meta.s3_key or key.removesuffix(".json") + ".zip"
            meta.s3_bucket = meta.s3_bucket or destination.bucket
            found.append(Candidate(meta, modified))
            break
    return found


def _parse_metadata_key(name: str) -> tuple[str, str] | None:
    """``<function>/<function>-<build_id>.json`` -> (function, build_id); anything else -> None."""
    function, _, file = name.partition("/")
    stem = f"{function}-"
    if function not in FUNCTION_NAMES or not file.startswith(stem) or not file.endswith(".json"):
        return None
    build_id = file[len(stem) : -len(".json")]
    return (function, build_id) if valid_build_id(build_id) else None


def select(
    candidates: list[Candidate], pins: dict[str, str], allow_missing: bool = False
) -> dict[str, BuildMetadata]:
    """One build per catalogue function: the pinned one, else the newest uploaded one."""
    unknown = sorted(set(pins) - set(FUNCTION_NAMES))
    if unknown:
        raise TfvarsError(f"unknown function {unknown[0]!r}; valid names: {', '.join(FUNCTION_NAMES)}")
    chosen: dict[str, BuildMetadata] = {}
    missing: list[str] = []
    for name in FUNCTION_NAMES:
        mine = [c for c in candidates if c.metadata.function == name and c.metadata.s3_key]
        if name in pins:
            mine = [c for c in mine if c.metadata.build_id == pins[name]]
            if not mine:
                raise TfvarsError(f"no uploaded build {pins[name]!r} of {name}")
        if not mine:
            missing.append(name)
            continue
        best = max(mine, key=lambda c: (c.order, _natural(c.metadata.build_id)))
        chosen[name] = best.metadata
    if missing and not allow_missing:
        local = [n for n in missing if any(c.metadata.function == n for c in candidates)]
        hint = f"; only local builds of {', '.join(local)}, which Terraform cannot fetch" if local else ""
        raise TfvarsError(
            f"no uploaded build of {', '.join(missing)}{hint} (build with --upload s3://BUCKET first)"
        )
    return chosen


def never_uploaded(candidates: list[Candidate], chosen: dict[str, BuildMetadata]) -> list[str]:
    """Notes on local builds newer than the chosen ones: left out because no S3 key holds them."""
    notes = []
    for name, meta in chosen.items():
        newest = max(
            (c for c in candidates if c.metadata.function == name and not c.metadata.s3_key),
            key=lambda c: c.order,
            default=None,
        )
        if newest is not None and newest.metadata.build_id != meta.build_id:
            picked = next((c.order for c in candidates if c.metadata is meta), None)
            if picked is None or newest.order > picked:
                notes.append(
                    f"{name}: build {newest.metadata.build_id} is newer but was never uploaded; "
                    f"using {meta.build_id}"
                )
    return notes


def _natural(build_id: str) -> tuple[int, str]:
    return (int(build_id), "") if build_id.isdigit() else (-1, build_id)


def render(chosen: dict[str, BuildMetadata]) -> str:
    builds = {
        name: {"build_id": m.build_id, "source_code_hash": m.source_code_hash, "s3_key": m.s3_key}
        for name, m in sorted(chosen.items())
    }
    return json.dumps({"lambda_builds": builds}, indent=2, sort_keys=True) + "\n"


def write(out: Path, chosen: dict[str, BuildMetadata]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(render(chosen), encoding="utf-8")
    tmp.replace(out)
