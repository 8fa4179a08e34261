"""Uploads to moto's S3 over HTTP: key naming, metadata beside the zip, encryption, no silent overwrite."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from typer.testing import CliRunner

from reservations.build.builder import BuildMetadata, BuildResult
from reservations.build.upload import Destination, Encryption, UploadError, UploadUsageError, upload
from reservations.build.zipper import write_zip
from reservations.cli import app
from tests.support.builds import Builds


def _result(tmp_path: Path, function: str, build_id: str, content: str) -> BuildResult:
    source = tmp_path / f"src-{content}"
    source.mkdir(exist_ok=True)
    (source / "handler.py").write_text(content)
    zip_path = tmp_path / f"{function}-{build_id}.zip"
    stats = write_zip(
        zip_path, None, {"reservations/handler.py": source / "handler.py"}, app_prefix="reservations/"
    )
    meta = BuildMetadata(
        function=function,
        build_id=build_id,
        handler="reservations.functions.add.handler",
        arch="x86_64",
        python_version="3.12",
        zip=zip_path.name,
        sha256=stats.sha256,
        source_code_hash=stats.source_code_hash,
        size=stats.size,
        unzipped_size=stats.unzipped_size,
        app_size=stats.app_size,
        source_revision="0" * 40,
        source_dirty=False,
    )
    metadata_path = tmp_path / f"{function}-{build_id}.json"
    metadata_path.write_text(meta.to_json())
    return BuildResult(zip_path, metadata_path, meta, stats)


@pytest.fixture
def s3(moto_endpoint: str) -> Any:
    client = boto3.client("s3", endpoint_url=moto_endpoint)
    client.create_bucket(Bucket="artifacts")
    return client


def _keys(s3: Any) -> list[str]:
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket="artifacts").get("Contents", []))


@pytest.mark.parametrize(
    ("url", "zip_key"),
    [
        ("s3://artifacts/lambda/builds", "lambda/builds/add/add-7.zip"),
        ("s3://artifacts/lambda/", "lambda/add/add-7.zip"),
        ("s3://artifacts", "add/add-7.zip"),
        ("s3://artifacts/", "add/add-7.zip"),
    ],
)
def test_zip_and_metadata_land_under_the_build_id(s3: Any, tmp_path: Path, url: str, zip_key: str) -> None:
    result = _result(tmp_path, "add", "7", "v1")
    stored_zip, stored_meta = upload(s3, Destination.parse(url), result)
    meta_key = zip_key.removesuffix(".zip") + ".json"
    assert (stored_zip.key, stored_meta.key) == (zip_key, meta_key)
    assert stored_zip.created
    assert _keys(s3) == sorted([zip_key, meta_key])
    head = s3.head_object(Bucket="artifacts", Key=zip_key)
    assert head["ServerSideEncryption"] == "AES256"
    assert head["Metadata"]["sha256"] == result.metadata.sha256
    body = s3.get_object(Bucket="artifacts", Key=zip_key)["Body"].read()
    assert hashlib.sha256(body).hexdigest() == result.metadata.sha256
    meta = json.loads(s3.get_object(Bucket="artifacts", Key=meta_key)["Body"].read())
    assert meta["s3_bucket"] == "artifacts"
    assert meta["s3_key"] == zip_key
    assert meta["sha256"] == result.metadata.sha256
    assert meta["build_id"] == "7"
    assert json.loads(result.metadata_path.read_text()) == meta  # the local copy says the same


def test_a_kms_key_encrypts_both_objects_with_it(s3: Any, moto_endpoint: str, tmp_path: Path) -> None:
    key_arn = boto3.client("kms", endpoint_url=moto_endpoint).create_key()["KeyMetadata"]["Arn"]
    upload(
        s3, Destination.parse("s3://artifacts/p"), _result(tmp_path, "add", "7", "v1"), Encryption(key_arn)
    )
    for key in ("p/add/add-7.zip", "p/add/add-7.json"):
        head = s3.head_object(Bucket="artifacts", Key=key)
        assert head["ServerSideEncryption"] == "aws:kms"
        assert head["SSEKMSKeyId"].endswith(key_arn.rsplit("/", 1)[-1])


def test_the_same_bytes_again_are_accepted_without_rewriting(s3: Any, tmp_path: Path) -> None:
    s3.put_bucket_versioning(Bucket="artifacts", VersioningConfiguration={"Status": "Enabled"})
    destination = Destination.parse("s3://artifacts/p")
    upload(s3, destination, _result(tmp_path, "add", "7", "v1"))
    (tmp_path / "again").mkdir()
    again, meta_again = upload(s3, destination, _result(tmp_path / "again", "add", "7", "v1"))
    assert not again.created
    assert not meta_again.created
    versions = s3.list_object_versions(Bucket="artifacts")["Versions"]
    assert sorted(v["Key"] for v in versions) == ["p/add/add-7.json", "p/add/add-7.zip"]  # one version each


def test_other_bytes_under_a_used_build_id_are_refused(s3: Any, tmp_path: Path) -> None:
    destination = Destination.parse("s3://artifacts/p")
    first = _result(tmp_path, "add", "7", "v1")
    upload(s3, destination, first)
    (tmp_path / "other").mkdir()
    with pytest.raises(UploadError, match="already holds a different build"):
        upload(s3, destination, _result(tmp_path / "other", "add", "7", "v2"))
    body = s3.get_object(Bucket="artifacts", Key="p/add/add-7.zip")["Body"].read()
    assert hashlib.sha256(body).hexdigest() == first.metadata.sha256


def test_an_object_stored_by_someone_else_is_compared_by_its_bytes(s3: Any, tmp_path: Path) -> None:
    result = _result(tmp_path, "add", "8", "v1")
    s3.put_object(
        Bucket="artifacts", Key="add/add-8.zip", Body=result.zip_path.read_bytes()
    )  # no sha metadata
    stored, _ = upload(s3, Destination.parse("s3://artifacts"), result)
    assert not stored.created
    s3.put_object(Bucket="artifacts", Key="add/add-9.zip", Body=b"not a zip")
    with pytest.raises(UploadError):
        upload(s3, Destination.parse("s3://artifacts"), _result(tmp_path, "add", "9", "v1"))


@pytest.mark.parametrize(
    "url", ["artifacts/p", "s3://", "s3://Bad_Bucket/p", "s3://ab", "s3://artifacts/a//b"]
)
def test_malformed_destinations_are_usage_errors(url: str) -> None:
    with pytest.raises(UploadUsageError):
        Destination.parse(url)


def test_cli_uploads_a_real_build_and_refuses_to_reuse_its_id(
    builds: Builds, s3: Any, moto_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("CODEBUILD_BUILD_NUMBER", "41")
    python = builds.get("authorizer").metadata.python_version  # reuses the session's cached install
    args = ["build", "authorizer", "--out", str(tmp_path), "--python-version", python]
    runner = CliRunner()
    first = runner.invoke(app, [*args, "--upload", "s3://artifacts/lambda"])
    assert first.exit_code == 0, first.output
    assert "uploaded s3://artifacts/lambda/authorizer/authorizer-41.zip" in first.output
    assert _keys(s3) == ["lambda/authorizer/authorizer-41.json", "lambda/authorizer/authorizer-41.zip"]
    meta = json.loads((tmp_path / "authorizer-41.json").read_text())
    assert meta["sha256"] == builds.get("authorizer").metadata.sha256
    assert f"sha256 {meta['sha256']}" in first.output
    assert f"source_code_hash {meta['source_code_hash']}" in first.output

    # Someone stored other bytes under build 42: the builder says so in one line and exits 1.
    s3.put_object(Bucket="artifacts", Key="lambda/authorizer/authorizer-42.zip", Body=b"other")
    clash = runner.invoke(app, [*args, "--build-id", "42", "--upload", "s3://artifacts/lambda"])
    assert clash.exit_code == 1
    assert "already holds a different build" in clash.stderr
    assert len(clash.stderr.strip().splitlines()) == 1


def test_cli_checks_the_bucket_before_spending_a_build(
    moto_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["build", "authorizer", "--out", str(tmp_path), "--build-id", "1"]
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    missing = CliRunner().invoke(app, [*args, "--upload", "s3://no-such-bucket"])
    assert missing.exit_code == 1
    assert missing.stderr.strip() == "reservations build: bucket s3://no-such-bucket does not exist"
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens on the discard port
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    unreachable = CliRunner().invoke(app, [*args, "--upload", "s3://artifacts"])
    assert unreachable.exit_code == 3, unreachable.output
    assert len(unreachable.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []  # nothing was built
