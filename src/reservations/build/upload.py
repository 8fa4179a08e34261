"""Stores a build in S3 under a key that names its build ID, and never replaces a stored build.

A build ID is a promise that one key always means one zip: Terraform deploys by key, so an upload
that found different bytes under the key would silently change what an old plan deploys.  The
check is a conditional write (``If-None-Match: *``), so two builds racing for a key cannot both win.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from reservations.build.builder import BuildResult, artifact_stem

_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


class UploadError(Exception):
    """S3 refused the upload, or the key already holds other bytes."""


class UploadUsageError(ValueError):
    """The ``s3://`` destination is malformed."""


@dataclass(frozen=True)
class Destination:
    bucket: str
    prefix: str  # without leading or trailing "/"; may be empty

    @classmethod
    def parse(cls, url: str) -> Destination:
        if not url.startswith("s3://"):
            raise UploadUsageError(f"--upload wants s3://BUCKET[/PREFIX], not {url!r}")
        bucket, _, prefix = url[len("s3://") :].partition("/")
        if not _BUCKET.fullmatch(bucket):
            raise UploadUsageError(f"{bucket!r} is not an S3 bucket name")
        prefix = prefix.strip("/")
        if "//" in prefix:
            raise UploadUsageError(f"prefix {prefix!r} has an empty path segment")
        return cls(bucket, prefix)

    def key(self, function: str, build_id: str, suffix: str) -> str:
        """``<PREFIX>/<FUNCTION>/<FUNCTION>-<BUILD_ID><suffix>`` (no leading ``/`` without a prefix)."""
        name = f"{function}/{artifact_stem(function, build_id)}{suffix}"
        return f"{self.prefix}/{name}" if self.prefix else name

    def function_prefix(self, function: str | None = None) -> str:
        parts = [p for p in (self.prefix, function) if p]
        return "/".join(parts) + "/" if parts else ""


@dataclass(frozen=True)
class Encryption:
    """The server-side encryption every put requests: SSE-S3, or SSE-KMS with the given key.

    Requested explicitly rather than left to the bucket's default, so an artifact is never stored
    unencrypted; a bucket whose default is a customer key must be given that key (``--kms-key-id``),
    since a bare ``aws:kms`` request would use the account's AWS-managed key instead.
    """

    kms_key_id: str | None = None

    def put_args(self) -> dict[str, Any]:
        if self.kms_key_id:
            return {
                "ServerSideEncryption": "aws:kms",
                "SSEKMSKeyId": self.kms_key_id,
                "BucketKeyEnabled": True,
            }
        return {"ServerSideEncryption": "AES256"}


@dataclass(frozen=True)
class Stored:
    key: str
    created: bool  # False: the key already held these exact bytes


def _error_code(error: Exception) -> str:
    response: Any = getattr(error, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


def _existing_sha256(s3: Any, bucket: str, key: str) -> str | None:
    """The sha256 hex of the object at ``key``, or ``None`` if there is none."""
    from botocore.exceptions import ClientError

    try:
        head = s3.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if _error_code(error) in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    recorded = head.get("Metadata", {}).get("sha256")
    if recorded:
        return str(recorded)
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()  # stored by someone else: compare bytes
    return hashlib.sha256(body).hexdigest()


def put_once(
    s3: Any,
    bucket: str,
    key: str,
    body: bytes,
    content_type: str,
    metadata: dict[str, str],
    encryption: Encryption,
) -> Stored:
    """Puts ``body`` at ``key`` unless the key exists; identical bytes there are fine, others refused."""
    from botocore.exceptions import ClientError

    digest = hashlib.sha256(body)
    sha_hex = digest.hexdigest()

    def verify_existing() -> Stored | None:
        existing = _existing_sha256(s3, bucket, key)
        if existing is None:
            return None
        if existing != sha_hex:
            raise UploadError(
                f"s3://{bucket}/{key} already holds a different build (sha256 {existing[:12]}...); "
                "a build ID is never reused: give a new --build-id"
            )
        return Stored(key, created=False)

    stored = verify_existing()
    if stored:
        return stored
    try:
        s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=body,
            ContentType=content_type,
            **encryption.put_args(),
            ChecksumSHA256=base64.b64encode(digest.digest()).decode("ascii"),
            Metadata={**metadata, "sha256": sha_hex},
            IfNoneMatch="*",
        )
    except ClientError as error:
        if _error_code(error) in ("PreconditionFailed", "ConditionalRequestConflict", "412"):
            stored = verify_existing()  # lost a race: fine only if the winner stored the same bytes
            if stored:
                return stored
        raise
    return Stored(key, created=True)


def upload(
    s3: Any, destination: Destination, result: BuildResult, encryption: Encryption | None = None
) -> tuple[Stored, Stored]:
    """Uploads the zip, then its metadata (which records where the zip is); returns both outcomes.

    The metadata goes last, so a metadata object in S3 always names a zip that is there.
    """
    encryption = encryption or Encryption()
    meta = result.metadata
    zip_key = destination.key(meta.function, meta.build_id, ".zip")
    tags = {"function": meta.function, "build-id": meta.build_id}
    zip_bytes = result.zip_path.read_bytes()
    zip_stored = put_once(s3, destination.bucket, zip_key, zip_bytes, "application/zip", tags, encryption)
    meta.s3_bucket = destination.bucket
    meta.s3_key = zip_key
    text = meta.to_json()
    result.metadata_path.write_text(text, encoding="utf-8")
    meta_key = destination.key(meta.function, meta.build_id, ".json")
    meta_stored = put_once(
        s3, destination.bucket, meta_key, text.encode("utf-8"), "application/json", tags, encryption
    )
    return zip_stored, meta_stored
