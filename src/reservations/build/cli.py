"""Commands of the ``reservations build`` group.

``reservations build FUNCTION_NAME ...`` is the documented form (CodeBuild runs it with
``$FUNCTION_NAME``); it is shorthand for ``reservations build function FUNCTION_NAME ...``, routed by
``_FunctionFirstGroup`` so that ``build add`` builds the ``add`` function while ``build tfvars``
stays a command of its own.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from reservations.build.project import LAMBDA_PYTHON_VERSION
from reservations.exit_status import ExitStatus


class _FunctionFirstGroup(TyperGroup):
    """Reads a first argument that is not a command name as the function to build."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # a click Context (typer vendors click)
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["function", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_FunctionFirstGroup,
    help=(
        "Build Lambda zips and the Terraform variables that deploy them.\n\n"
        "reservations build FUNCTION_NAME \\[--out dist/] \\[--upload s3://BUCKET\\[/PREFIX]] \\[--build-id ID] "
        "\\[--arch x86_64|arm64] builds one function (same as `build function FUNCTION_NAME`)."
    ),
    no_args_is_help=True,
)


def _fail(message: str, status: ExitStatus = ExitStatus.ERROR) -> NoReturn:
    typer.echo(f"reservations build: {message}", err=True)
    raise typer.Exit(int(status))


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MiB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KiB"


def _s3_client() -> Any:
    import boto3

    return boto3.client("s3")


def _unreachable(error: Exception) -> bool:
    from botocore.exceptions import ConnectionClosedError, EndpointConnectionError

    return isinstance(error, EndpointConnectionError | ConnectionClosedError)


def _check_bucket(s3: Any, bucket: str) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        reason = (
            "does not exist" if code in ("404", "NoSuchBucket", "NotFound") else f"is not usable ({code})"
        )
        _fail(f"bucket s3://{bucket} {reason}")
    except BotoCoreError as error:
        status = ExitStatus.UNREACHABLE if _unreachable(error) else ExitStatus.ERROR
        _fail(f"cannot reach S3 for s3://{bucket}: {error}", status)


@app.command("function")
def build_function(
    function_name: Annotated[
        str, typer.Argument(metavar="FUNCTION_NAME", help="A function of the catalogue.")
    ],
    out: Annotated[Path, typer.Option("--out", help="Directory for the zip and its metadata.")] = Path(
        "dist"
    ),
    upload: Annotated[
        str | None,
        typer.Option("--upload", metavar="s3://BUCKET/PREFIX", help="Also store the build in S3."),
    ] = None,
    build_id: Annotated[
        str | None,
        typer.Option(
            "--build-id",
            help="Names the build; default $CODEBUILD_BUILD_NUMBER, else $CODEBUILD_BUILD_ID, else 'local'.",
        ),
    ] = None,
    arch: Annotated[str, typer.Option("--arch", help="Lambda architecture: x86_64 or arm64.")] = "x86_64",
    python_version: Annotated[
        str, typer.Option("--python-version", help="CPython of the Lambda runtime the wheels are for.")
    ] = LAMBDA_PYTHON_VERSION,
    project_dir: Annotated[
        Path, typer.Option("--project-dir", help="The checkout to build from (default: found from the cwd).")
    ] = Path("."),
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            "--cache-dir", help="Wheels and installed dependencies (default: <checkout>/build-cache)."
        ),
    ] = None,
    kms_key_id: Annotated[
        str | None,
        typer.Option(
            "--kms-key-id",
            help="Encrypt the upload with this KMS key (SSE-KMS); default SSE-S3. Use the bucket's key.",
        ),
    ] = None,
    fresh: Annotated[
        bool,
        typer.Option("--fresh", help="Install the dependencies anew instead of reusing the cached install."),
    ] = False,
    bytecode: Annotated[
        bool | None,
        typer.Option(
            "--bytecode/--no-bytecode",
            help="Ship compiled .pyc files (default: when this Python is the runtime's, as on CodeBuild).",
        ),
    ] = None,
    env_file: Annotated[
        Path | None,
        typer.Option(
            "--env-file", help="Also write BUILD_ID, SOURCE_CODE_HASH ... as shell exports (CodeBuild)."
        ),
    ] = None,
) -> None:
    """Build FUNCTION_NAME's zip for the Lambda platform: <out>/<FUNCTION_NAME>-<BUILD_ID>.zip."""
    from reservations.build import builder, project
    from reservations.build import upload as uploading
    from reservations.build.deps import DependencyError
    from reservations.build.sources import SourceError
    from reservations.catalogue import FUNCTION_NAMES

    if function_name not in FUNCTION_NAMES:
        _fail(
            f"unknown function {function_name!r}; valid names: {', '.join(FUNCTION_NAMES)}", ExitStatus.USAGE
        )
    if arch != "x86_64" and arch != "arm64":
        _fail(f"--arch must be one of {', '.join(project.ARCHES)}, not {arch!r}", ExitStatus.USAGE)
    if not python_version.replace(".", "").isdigit() or python_version.count(".") != 1:
        _fail(f"--python-version wants MAJOR.MINOR, not {python_version!r}", ExitStatus.USAGE)
    resolved_id = build_id if build_id is not None else builder.default_build_id()
    if not builder.valid_build_id(resolved_id):
        _fail(f"build id {resolved_id!r} may hold only letters, digits, '.', '_' and '-'", ExitStatus.USAGE)
    if kms_key_id is not None and upload is None:
        _fail("--kms-key-id encrypts an upload: give --upload too", ExitStatus.USAGE)
    destination = None
    if upload is not None:
        try:
            destination = uploading.Destination.parse(upload)
        except uploading.UploadUsageError as error:
            _fail(str(error), ExitStatus.USAGE)
    s3 = None
    if destination is not None:
        # Before spending a build: the bucket must be there and reachable.
        s3 = _s3_client()
        _check_bucket(s3, destination.bucket)
    try:
        root = project.find_project_root(project_dir)
        result = builder.build(
            project.Project(root),
            builder.BuildRequest(
                function=function_name,
                build_id=resolved_id,
                arch="arm64" if arch == "arm64" else "x86_64",
                python_version=python_version,
                out_dir=out,
                cache_dir=cache_dir,
                fresh=fresh,
                bytecode=bytecode,
            ),
        )
    except (project.ProjectError, builder.BuildError, DependencyError, SourceError) as error:
        _fail(str(error))
    except OSError as error:  # an unwritable --out or cache directory, a full disk
        _fail(f"{error.strerror or error}: {error.filename or ''}".rstrip(": "))
    stats = result.stats
    typer.echo(f"built {result.zip_path}")
    typer.echo(f"sha256 {stats.sha256}")
    typer.echo(f"source_code_hash {stats.source_code_hash}")
    typer.echo(
        f"size {_size(stats.size)} zipped, {_size(stats.unzipped_size)} unzipped "
        f"(budget {_size(builder.ZIP_BUDGET)} / {_size(builder.UNZIPPED_BUDGET)}); "
        f"own code {_size(stats.app_size)} (budget {_size(builder.APP_BUDGET)})"
    )
    if result.metadata.bytecode:
        typer.echo(f"bytecode {result.metadata.bytecode}")
    else:
        typer.echo(
            f"bytecode none: this Python is not the runtime's {python_version}, so every cold start "
            "compiles the zip's modules (build on that Python for a faster start)",
            err=True,
        )
    if destination is not None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            encryption = uploading.Encryption(kms_key_id=kms_key_id)
            stored_zip, _ = uploading.upload(s3, destination, result, encryption)
        except uploading.UploadError as error:
            _fail(str(error))
        except (BotoCoreError, ClientError) as error:
            status = ExitStatus.UNREACHABLE if _unreachable(error) else ExitStatus.ERROR
            _fail(f"upload to s3://{destination.bucket} failed: {error}", status)
        verb = "uploaded" if stored_zip.created else "already stored (identical)"
        typer.echo(f"{verb} s3://{destination.bucket}/{stored_zip.key}")
    typer.echo(f"metadata {result.metadata_path}")
    if env_file is not None:
        meta = result.metadata
        exports = {
            "FUNCTION_NAME": meta.function,
            "BUILD_ID": meta.build_id,
            "SOURCE_CODE_HASH": meta.source_code_hash,
            "ZIP_SHA256": meta.sha256,
            "S3_BUCKET": meta.s3_bucket or "",
            "S3_KEY": meta.s3_key or "",
        }
        env_file.parent.mkdir(parents=True, exist_ok=True)
        env_file.write_text(
            "".join(f"export {k}={shlex.quote(v)}\n" for k, v in exports.items()), encoding="utf-8"
        )


@app.command("tfvars")
def build_tfvars(
    source: Annotated[
        str, typer.Option("--from", metavar="DIR|s3://BUCKET/PREFIX", help="Where the builds' metadata is.")
    ] = "dist",
    out: Annotated[Path, typer.Option("--out", help="The file Terraform reads.")] = Path(
        "terraform/cell/lambda_builds.auto.tfvars.json"
    ),
    pin: Annotated[
        list[str] | None,
        typer.Option("--pin", metavar="FUNCTION=BUILD_ID", help="Deploy this build (repeatable)."),
    ] = None,
    allow_missing: Annotated[
        bool, typer.Option("--allow-missing", help="Write the file even if a function has no uploaded build.")
    ] = False,
) -> None:
    """Write lambda_builds.auto.tfvars.json: each function's build ID, source_code_hash and S3 key."""
    from reservations.build import tfvars
    from reservations.build.upload import Destination, UploadUsageError
    from reservations.catalogue import FUNCTION_NAMES

    pins: dict[str, str] = {}
    for item in pin or []:
        name, sep, value = item.partition("=")
        if not sep or not name or not value:
            _fail(f"--pin wants FUNCTION=BUILD_ID, not {item!r}", ExitStatus.USAGE)
        if name not in FUNCTION_NAMES:
            _fail(f"unknown function {name!r}; valid names: {', '.join(FUNCTION_NAMES)}", ExitStatus.USAGE)
        pins[name] = value
    try:
        if source.startswith("s3://"):
            from botocore.exceptions import BotoCoreError, ClientError

            destination = Destination.parse(source)
            try:
                candidates = tfvars.from_s3(_s3_client(), destination, pins)
            except (BotoCoreError, ClientError) as error:
                status = ExitStatus.UNREACHABLE if _unreachable(error) else ExitStatus.ERROR
                _fail(f"cannot read s3://{destination.bucket}: {error}", status)
        else:
            candidates = tfvars.from_directory(Path(source))
        chosen = tfvars.select(candidates, pins, allow_missing=allow_missing)
    except UploadUsageError as error:
        _fail(str(error), ExitStatus.USAGE)
    except tfvars.TfvarsError as error:
        _fail(str(error))
    try:
        tfvars.write(out, chosen)
    except OSError as error:
        _fail(f"cannot write {out}: {error.strerror or error}")
    for note in tfvars.never_uploaded(candidates, chosen):
        typer.echo(f"note: {note}", err=True)
    for name, meta in chosen.items():
        typer.echo(f"{name}\t{meta.build_id}\t{meta.s3_key}", file=sys.stdout)
    typer.echo(f"wrote {out}")
