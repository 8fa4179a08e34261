"""``reservations build tfvars``: which build of each function Terraform deploys, from dist/ or S3."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import boto3
import pytest
from typer.testing import CliRunner

from reservations.build.builder import BuildMetadata
from reservations.catalogue import FUNCTION_NAMES
from reservations.cli import app


def _meta(function: str, build_id: str, key: str | None) -> BuildMetadata:
    digest = f"{FUNCTION_NAMES.index(function):02d}{build_id:0>6}".ljust(64, "0")
    return BuildMetadata(
        function=function,
        build_id=build_id,
        handler=f"reservations.functions.{function}.handler",
        arch="x86_64",
        python_version="3.12",
        zip=f"{function}-{build_id}.zip",
        sha256=digest,
        source_code_hash=f"hash-{function}-{build_id}",
        size=1,
        unzipped_size=1,
        app_size=1,
        source_revision=None,
        source_dirty=None,
        s3_bucket="artifacts" if key else None,
        s3_key=key,
    )


def _write(directory: Path, meta: BuildMetadata, mtime: float) -> None:
    path = directory / f"{meta.function}-{meta.build_id}.json"
    path.write_text(meta.to_json())
    os.utime(path, (mtime, mtime))


def _dist(tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    dist.mkdir()
    for i, name in enumerate(FUNCTION_NAMES):
        _write(dist, _meta(name, str(10 + i), f"lambda/{name}/{name}-{10 + i}.zip"), 1_000 + i)
    # a newer build of add, and one that was never uploaded (no key: cannot be deployed)
    _write(dist, _meta("add", "30", "lambda/add/add-30.zip"), 5_000)
    _write(dist, _meta("add", "31", None), 6_000)
    (dist / "notes.json").write_text('{"not": "metadata"}')
    return dist


def test_from_dist_takes_each_functions_newest_uploaded_build(tmp_path: Path) -> None:
    out = tmp_path / "terraform" / "lambda_builds.auto.tfvars.json"
    result = CliRunner().invoke(app, ["build", "tfvars", "--from", str(_dist(tmp_path)), "--out", str(out)])
    assert result.exit_code == 0, result.output
    builds = json.loads(out.read_text())["lambda_builds"]
    assert sorted(builds) == sorted(FUNCTION_NAMES)
    assert builds["add"] == {
        "build_id": "30",
        "source_code_hash": "hash-add-30",
        "s3_key": "lambda/add/add-30.zip",
    }
    assert builds["list"]["s3_key"] == "lambda/list/list-10.zip"


def test_a_pin_selects_an_older_build_and_a_missing_pin_is_refused(tmp_path: Path) -> None:
    dist = _dist(tmp_path)
    out = tmp_path / "pinned.json"
    pinned = CliRunner().invoke(
        app, ["build", "tfvars", "--from", str(dist), "--out", str(out), "--pin", "add=11"]
    )
    assert pinned.exit_code == 0, pinned.output
    assert json.loads(out.read_text())["lambda_builds"]["add"]["build_id"] == "11"
    missing = CliRunner().invoke(app, ["build", "tfvars", "--from", str(dist), "--pin", "add=99"])
    assert missing.exit_code == 1
    assert "no uploaded build '99' of add" in missing.stderr
    bad = CliRunner().invoke(app, ["build", "tfvars", "--from", str(dist), "--pin", "add"])
    assert bad.exit_code == 2


def test_a_function_without_an_uploaded_build_is_an_error_unless_allowed(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    _write(dist, _meta("add", "1", "add/add-1.zip"), 1_000)
    out = tmp_path / "out.json"
    refused = CliRunner().invoke(app, ["build", "tfvars", "--from", str(dist), "--out", str(out)])
    assert refused.exit_code == 1
    assert "no uploaded build of list" in refused.stderr
    assert not out.exists()
    allowed = CliRunner().invoke(
        app, ["build", "tfvars", "--from", str(dist), "--out", str(out), "--allow-missing"]
    )
    assert allowed.exit_code == 0
    assert list(json.loads(out.read_text())["lambda_builds"]) == ["add"]


def test_from_s3_reads_the_metadata_beside_the_zips(
    moto_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s3: Any = boto3.client("s3", endpoint_url=moto_endpoint)
    s3.create_bucket(Bucket="artifacts")
    for i, name in enumerate(FUNCTION_NAMES):
        for build_id in (str(i), str(100 + i)):  # uploaded in order: the second is newer
            key = f"lambda/{name}/{name}-{build_id}"
            s3.put_object(Bucket="artifacts", Key=key + ".zip", Body=b"zip")
            s3.put_object(
                Bucket="artifacts", Key=key + ".json", Body=_meta(name, build_id, key + ".zip").to_json()
            )
    s3.put_object(Bucket="artifacts", Key="other/readme.json", Body=b"[]")
    # A build ID may hold dashes (a sanitized CODEBUILD_BUILD_ID): still add's, and pinned below.
    key = "lambda/add/add-reservations-lambda-5f0c"
    s3.put_object(
        Bucket="artifacts",
        Key=key + ".json",
        Body=_meta("add", "reservations-lambda-5f0c", key + ".zip").to_json(),
    )
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    out = tmp_path / "tfvars.json"
    result = CliRunner().invoke(
        app,
        [
            "build",
            "tfvars",
            "--from",
            "s3://artifacts/lambda",
            "--out",
            str(out),
            "--pin",
            "list=0",
            "--pin",
            "add=reservations-lambda-5f0c",
        ],
    )
    assert result.exit_code == 0, result.output
    builds = json.loads(out.read_text())["lambda_builds"]
    assert builds["list"]["build_id"] == "0"
    assert builds["add"]["s3_key"] == "lambda/add/add-reservations-lambda-5f0c.zip"
    assert builds["cluster-up"] == {
        "build_id": str(100 + FUNCTION_NAMES.index("cluster-up")),
        "source_code_hash": f"hash-cluster-up-{100 + FUNCTION_NAMES.index('cluster-up')}",
        "s3_key": f"lambda/cluster-up/cluster-up-{100 + FUNCTION_NAMES.index('cluster-up')}.zip",
    }


def test_unreadable_bucket_is_one_line_and_unreachable_is_exit_3(
    moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    missing = CliRunner().invoke(app, ["build", "tfvars", "--from", "s3://no-such-bucket"])
    assert missing.exit_code == 1
    assert len(missing.stderr.strip().splitlines()) == 1
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    unreachable = CliRunner().invoke(app, ["build", "tfvars", "--from", "s3://artifacts"])
    assert unreachable.exit_code == 3


def test_local_builds_are_named_not_silently_ignored(tmp_path: Path) -> None:
    dist = _dist(tmp_path)  # add-31 is newer than add-30 but was never uploaded
    out = tmp_path / "out.json"
    result = CliRunner().invoke(app, ["build", "tfvars", "--from", str(dist), "--out", str(out)])
    assert result.exit_code == 0
    assert "note: add: build 31 is newer but was never uploaded; using 30" in result.stderr

    only_local = tmp_path / "only-local"
    only_local.mkdir()
    _write(only_local, _meta("add", "1", None), 1_000)
    refused = CliRunner().invoke(app, ["build", "tfvars", "--from", str(only_local), "--out", str(out)])
    assert refused.exit_code == 1
    assert "only local builds of add, which Terraform cannot fetch" in refused.stderr
