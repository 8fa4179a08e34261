"""Same sources and lock -> the same bytes; and nothing in a zip that depends on where it was built."""

from __future__ import annotations

import importlib.util
import sys
import zipfile
from pathlib import Path

import pytest

from reservations.build.builder import BuildRequest, build
from reservations.build.deps import locked
from reservations.build.zipper import FILE_MODE, FIXED_TIME
from reservations.catalogue import FUNCTION_NAMES, get_function
from tests.support.builds import LOCAL_PYTHON, ROOT, Builds


@pytest.mark.slow
@pytest.mark.parametrize("name", FUNCTION_NAMES)
def test_building_twice_gives_identical_bytes(
    name: str, builds: Builds, shared_dir: Path, tmp_path: Path
) -> None:
    first = builds.get(name)
    with locked(shared_dir):
        # Another build ID and output directory: neither may leak into the zip.
        second = build(
            builds.project,
            BuildRequest(function=name, build_id="again-2", python_version=LOCAL_PYTHON, out_dir=tmp_path),
        )
    assert second.zip_path.name == f"{name}-again-2.zip"
    assert second.metadata.sha256 == first.metadata.sha256
    assert second.zip_path.read_bytes() == first.zip_path.read_bytes()


@pytest.mark.parametrize("name", FUNCTION_NAMES)
def test_zip_entries_are_normalized_and_hold_no_build_paths(name: str, builds: Builds) -> None:
    result = builds.get(name)
    with zipfile.ZipFile(result.zip_path) as archive:
        infos = archive.infolist()
        names = [i.filename for i in infos]
        own = [n for n in names if n.startswith("reservations/")]
        assert names == sorted(set(names) - set(own)) + sorted(own)  # dependencies, then the package
        for info in infos:
            assert info.date_time == FIXED_TIME, info.filename
            assert info.external_attr >> 16 == FILE_MODE, info.filename
            assert not info.is_dir()
            assert not info.filename.endswith(".pyo")
            assert not info.filename.startswith(("bin/", "/", "../"))
            data = archive.read(info)
            assert str(ROOT).encode() not in data, info.filename
            assert b"reservations-build-" not in data, info.filename  # the builder's temporary directory
        handler_file = get_function(name).module.replace(".", "/") + ".py"
        assert handler_file in names
        # The SDK is the runtime's (compiled there); a bundled copy would shadow it, uncompiled.
        assert not any(n.startswith(("boto3/", "botocore/")) for n in names)
        assert "aws_lambda_powertools/__init__.py" in names


@pytest.mark.parametrize("name", ["list", "authorizer"])
def test_every_module_ships_bytecode_this_python_loads_without_its_source(name: str, builds: Builds) -> None:
    """Built on the target's Python, each ``.py`` has an unchecked hash-based pyc of exactly its source.

    The right magic number makes the interpreter use it; the source hash proves it is this source's
    (a stale pyc would run old code, as nothing re-checks it on a read-only /var/task).
    """
    meta = builds.get(name).metadata
    tag = sys.implementation.cache_tag
    assert meta.bytecode == tag
    with zipfile.ZipFile(builds.get(name).zip_path) as archive:
        names = set(archive.namelist())
        pycs = {n for n in names if n.endswith(".pyc")}
        sources = {n for n in names if n.endswith(".py")}
        for pyc in pycs:
            directory, _, file = pyc.partition("__pycache__/")
            source = f"{directory}{file.removesuffix(f'.{tag}.pyc')}.py"
            assert source in sources, pyc
        for source in sources:
            directory, _, file = source.rpartition("/")
            pyc = (
                f"{directory}/__pycache__/{file[:-3]}.{tag}.pyc"
                if directory
                else f"__pycache__/{file[:-3]}.{tag}.pyc"
            )
            assert pyc in pycs, source
            data, code = archive.read(pyc), archive.read(source)
            assert data[:4] == importlib.util.MAGIC_NUMBER, pyc
            assert int.from_bytes(data[4:8], "little") == 0b01, pyc  # hash-based, unchecked
            assert data[8:16] == importlib.util.source_hash(code), pyc


@pytest.mark.parametrize("name", FUNCTION_NAMES)
def test_zip_carries_no_cli_or_local_only_code(name: str, builds: Builds) -> None:
    with zipfile.ZipFile(builds.get(name).zip_path) as archive:
        own = [n for n in archive.namelist() if n.startswith("reservations/")]
    for local_only in (
        "reservations/cli.py",
        "reservations/build/",
        "reservations/gateway/",
        "reservations/web/",
    ):
        assert not any(n.startswith(local_only) for n in own), local_only


def test_metadata_records_what_terraform_and_people_need(builds: Builds) -> None:
    result = builds.get("add")
    meta = result.metadata
    assert meta.function == "add"
    assert meta.build_id == "session"
    assert meta.handler == "reservations.functions.add.handler"
    assert meta.size == result.zip_path.stat().st_size
    assert meta.dependencies["aws-lambda-powertools"] == builds.project.pins()["aws-lambda-powertools"]
    assert "boto3" not in meta.dependencies  # the runtime's
    assert meta.source_revision is not None
    assert len(meta.source_revision) == 40
    assert (meta.s3_bucket, meta.s3_key) == (None, None)


@pytest.mark.slow
def test_a_fresh_pip_install_gives_the_same_zip_as_the_cached_install(
    builds: Builds, shared_dir: Path, tmp_path: Path
) -> None:
    """The cached dependency tree is only a shortcut: pip itself must install byte-identical files."""
    cached = builds.get("list")
    with locked(shared_dir):
        fresh = build(
            builds.project,
            BuildRequest(
                function="list", build_id="fresh", python_version=LOCAL_PYTHON, out_dir=tmp_path, fresh=True
            ),
        )
    assert fresh.metadata.sha256 == cached.metadata.sha256


def test_a_zip_over_its_budget_is_refused_and_not_written(
    builds: Builds, shared_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reservations.build import builder

    own_code = builds.get("add").metadata.app_size
    monkeypatch.setattr(builder, "APP_BUDGET", own_code - 1)
    with locked(shared_dir), pytest.raises(builder.BuildError, match=r"own code is .* over its"):
        build(
            builds.project,
            BuildRequest(
                function="add", build_id="big", python_version=LOCAL_PYTHON, out_dir=tmp_path / "out"
            ),
        )
    assert not (tmp_path / "out").exists()


def test_every_function_extra_names_a_catalogue_function() -> None:
    from reservations.build.project import check_extras_map

    assert check_extras_map() == []
