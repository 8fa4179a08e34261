"""The real AWS provider, applied twice against moto's server, then planned: nothing may be left to do.

`make terraform-check` runs `terraform test` with a mocked provider, which never reads a resource back,
so it cannot see what only a refresh shows: a field null when created that reads back empty, in a
hash that then changes on every apply (the API deployment was replaced by each second apply).  This
applies the cell root (terraform/cell, one cell: docs/cells.md) as docs/deploying.md does (the
artifacts bucket first, the zips uploaded, then everything), plans with -detailed-exitcode, applies
and plans again, and destroys, with the provider talking HTTP to moto's server on loopback.  What moto cannot do is listed once, below, with the reason; any
other error, change or leftover fails.  A few minutes: `make terraform-emulator`, not `make test`.

Providers: whatever this machine's Terraform installs (TF_CLI_CONFIG_FILE for a local mirror).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SERVICES = [
    "apigateway",
    "backup",
    "budgets",
    "cloudfront",
    "cloudwatch",
    "codebuild",
    "codedeploy",
    "dynamodb",
    "ec2",
    "ecr",
    "eks",
    "events",
    "iam",
    "kms",
    "lambda",
    "logs",
    "s3",
    "scheduler",
    "secretsmanager",
    "sns",
    "sqs",
    "ssm",
    "sts",
    "wafv2",
]

# What moto's server does not implement, by resource type: errors on these are expected.
UNSUPPORTED = {
    "aws_backup_selection": "moto has no AWS Backup selections",
    "aws_eks_access_entry": "moto has no EKS access entries",
    "aws_eks_addon": "moto has no EKS add-ons",
    "aws_eks_access_policy_association": "moto has no EKS access entries to associate a policy with",
    "aws_vpc_security_group_ingress_rule": "moto returns no EKS cluster security group to add rules to",
    "aws_codebuild_project": "moto has no CodeBuild UpdateProject (its encryption_key reads back changed)",
    "aws_codedeploy_deployment_group": "moto has no CodeDeploy UpdateDeploymentGroup",
}
# What moto cannot delete: dropped from the state before the destroy, so that what depends on them
# (the functions, then the tables and the bucket) is destroyed and checked.
UNDELETABLE = {
    "aws_codedeploy_deployment_group": "moto has no CodeDeploy DeleteDeploymentGroup",
    "aws_codedeploy_app": "moto has no CodeDeploy DeleteApplication",
}
# Created, but moto cannot read them back (every later plan would stop): dropped from the state.
UNREADABLE = {"aws_budgets_budget": "moto cannot read a budget's subscribers"}
# Attributes moto reads back differently from what it was given: a plan may change these only.
MOTO_DIFFS = {
    "aws_codebuild_project": {"encryption_key"},
    "aws_codedeploy_deployment_group": {"alarm_configuration", "load_balancer_info"},
    "aws_lambda_function": {"logging_config"},
    "aws_eks_cluster": {"access_config", "upgrade_policy"},
    "aws_eks_node_group": {"remote_access", "update_config"},
    "aws_backup_plan": {"tags_all"},
    "aws_backup_vault": {"tags_all"},
    # moto answers with the version the alias points to (…:reservations-channel-sync:1) where AWS
    # keeps the alias ARN it was given (…:live): moto resolves the qualifier when it stores the mapping.
    "aws_lambda_event_source_mapping": {"function_name"},
}
# JSON documents moto writes back re-serialized (Python's json.dumps: a space after ":" and ","), where
# AWS returns what it was given: compared as JSON, so a real change to them still fails.
MOTO_JSON = {"aws_sqs_queue": {"redrive_policy"}}
# The deployment's values, over the complete example's: no CloudFront (moto has none), the page's
# origin given instead, nothing that keeps data on destroy, no Terraform Cloud (schedules off).
# Customers are not Terraform's (`reservations tenants create` registers them: docs/scaling.md).
OVERRIDES = """
enable_web                   = false
cors_allowed_origins         = ["https://hotels.example.com"]
registry_deletion_protection = false
artifacts_force_destroy      = true
source_auth                  = null
tfc_organization             = null
tfc_workspace                = null
tfc_edge_workspace           = null
tfc_token_secret_arn         = null
"""


def say(text: str) -> None:
    print(f"terraform-emulator: {text}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_moto(log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, stopped whole at the end
        env={**os.environ, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"},  # the roles attach AWS's own policies
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=1).close()  # noqa: S310 (loopback http)
            return server, url
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"terraform-emulator: moto's server did not start (see {log})")


def provider_override(url: str) -> str:
    endpoints = "\n".join(f'    {s} = "{url}"' for s in SERVICES)
    return f"""provider "aws" {{
  region                      = var.region
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true
  max_retries                 = 2
  endpoints {{
{endpoints}
  }}
}}
"""


def zips(names: list[str]) -> dict[str, bytes]:
    made = {}
    for name in names:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as z:
            z.writestr(zipfile.ZipInfo("handler.py", (1980, 1, 1, 0, 0, 0)), f"# {name}\n")
        made[name] = buffer.getvalue()
    return made


class Terraform:
    def __init__(self, directory: Path, env: dict[str, str], logs: Path) -> None:
        self.directory, self.env, self.logs = directory, env, logs

    def run(self, step: str, *args: str) -> tuple[int, list[dict[str, Any]]]:
        """Runs one command (-json where it has it); its exit status and error diagnostics."""
        started = time.monotonic()
        log = self.logs / f"{step}.log"
        result = subprocess.run(
            ["terraform", f"-chdir={self.directory}", *args],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )
        log.write_text(result.stdout, encoding="utf-8")
        errors = []
        for line in result.stdout.splitlines():
            try:
                message = json.loads(line)
            except ValueError:
                continue
            diagnostic = message.get("diagnostic") if isinstance(message, dict) else None
            if message.get("type") == "diagnostic" and diagnostic and diagnostic.get("severity") == "error":
                errors.append(diagnostic)
        say(f"{step}: exit {result.returncode} in {time.monotonic() - started:.0f} s ({log})")
        return result.returncode, errors

    def output(self, *args: str) -> str:
        return subprocess.run(
            ["terraform", f"-chdir={self.directory}", *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout


def resource_type(address: str) -> str:
    """``module.function["add"].aws_lambda_function.this`` -> ``aws_lambda_function``."""
    found = re.search(r"(?:^|\.)([a-z0-9]+_[a-z0-9_]+)\.[A-Za-z0-9_-]+(?:\[[^\]]*\])?$", address)
    return found.group(1) if found else address


def unexpected(errors: list[dict[str, Any]]) -> list[str]:
    found = []
    for error in errors:
        address = error.get("address") or ""
        if resource_type(address) not in UNSUPPORTED | UNREADABLE.keys():
            found.append(
                f"{address or '(no resource)'}: {error.get('summary')}: {error.get('detail', '')[:300]}"
            )
    return found


def same(before: Any, after: Any, unknown: Any) -> bool:
    """Equal for a plan's purpose: what is still unknown is not compared (it follows from what
    changed), and null, "", [] and {} are one empty value."""
    if unknown is True:
        return True
    if before in (None, "", [], {}) and after in (None, "", [], {}):
        return True
    if isinstance(before, dict) and isinstance(after, dict):
        hidden = unknown if isinstance(unknown, dict) else {}
        return all(same(before.get(k), after.get(k), hidden.get(k)) for k in set(before) | set(after))
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        hidden_items = unknown if isinstance(unknown, list) else []
        return all(
            same(b, a, hidden_items[i] if i < len(hidden_items) else None)
            for i, (b, a) in enumerate(zip(before, after, strict=True))
        )
    return bool(before == after)


def changed(before: Any, after: Any, unknown: Any) -> set[str]:
    """The attributes whose configured value differs from what was read back."""
    before, after, unknown = before or {}, after or {}, unknown or {}
    return {k for k in set(before) | set(after) if not same(before.get(k), after.get(k), unknown.get(k))}


def same_json(before: Any, after: Any) -> bool:
    try:
        return isinstance(before, str) and isinstance(after, str) and json.loads(before) == json.loads(after)
    except ValueError:
        return False


def unexpected_changes(plan: dict[str, Any]) -> list[str]:
    found = []
    for change in plan.get("resource_changes", []):
        actions = change["change"]["actions"]
        if actions == ["no-op"] or actions == ["read"]:
            continue
        kind, address = change["type"], change["address"]
        if kind in UNSUPPORTED | UNREADABLE.keys() and actions == ["create"]:
            continue  # failed to create on apply (or dropped from the state): still to create
        before, after = change["change"]["before"] or {}, change["change"]["after"] or {}
        attributes = changed(before, after, change["change"]["after_unknown"])
        attributes -= {a for a in MOTO_JSON.get(kind, set()) if same_json(before.get(a), after.get(a))}
        if attributes <= MOTO_DIFFS.get(kind, set()):
            continue
        found.append(f"{address}: {'/'.join(actions)} ({', '.join(sorted(attributes))})")
    return found


def main() -> int:
    if shutil.which("terraform") is None:
        say("NOT RUN: no terraform on PATH")
        return 1
    work = Path(tempfile.mkdtemp(prefix="terraform-emulator-"))
    logs = work / "logs"
    logs.mkdir()
    say(f"work folder {work}")
    server, url = start_moto(logs / "moto.log")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that moto's server is stopped too
    try:
        return run(work, logs, url)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def run(work: Path, logs: Path, url: str) -> int:
    import boto3

    repo = work / "repo"
    shutil.copytree(
        ROOT / "terraform", repo / "terraform", ignore=shutil.ignore_patterns(".terraform", "*.tfstate*")
    )
    shutil.copytree(ROOT / "web", repo / "web")
    root = repo / "terraform" / "cell"  # account_id stays null: no role to assume in moto
    (root / "emulator_override.tf").write_text(provider_override(url), encoding="utf-8")
    shutil.copy(ROOT / "terraform" / "cell" / "terraform.tfvars.example", root / "terraform.tfvars")
    (root / "emulator.auto.tfvars").write_text(OVERRIDES, encoding="utf-8")
    env = {
        **os.environ,
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "CHECKPOINT_DISABLE": "1",
        "TF_DATA_DIR": str(work / "data"),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    tf = Terraform(root, env, logs)
    failures: list[str] = []
    status, errors = tf.run("init", "init", "-backend=false", "-input=false", "-no-color")
    if status:
        say(f"FAILED: terraform init ({logs / 'init.log'})")
        return 1

    # The guide's step 1, then step 2 with stand-in zips (uploaded before the bucket policy that
    # refuses plain http exists: moto's server speaks http).
    status, errors = tf.run(
        "apply-bucket",
        "apply",
        "-auto-approve",
        "-json",
        "-target=module.cell.module.build.aws_s3_bucket.artifacts",
    )
    failures += unexpected(errors)
    bucket = tf.output("output", "-raw", "artifacts_bucket").strip() or "unknown"
    names = json.loads((root / "functions.auto.tfvars.json").read_text(encoding="utf-8"))["functions"].keys()
    session = boto3.Session(
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 (moto's dummy credentials)
        region_name="us-east-1",
    )
    s3 = session.client("s3", endpoint_url=url)
    builds = {}
    for name, body in zips(sorted(names)).items():
        s3.put_object(Bucket=bucket, Key=f"functions/{name}/{name}-1.zip", Body=body)
        digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
        builds[name] = {"build_id": "1", "source_code_hash": digest}
    (root / "lambda_builds.auto.tfvars.json").write_text(
        json.dumps({"lambda_builds": builds}), encoding="utf-8"
    )

    # Each apply is followed by a plan that must have nothing left to do: the old trigger replaced
    # the deployment on the second apply only (refreshed once, the hash then held still).
    for step in ("1", "2"):
        status, errors = tf.run(f"apply-{step}", "apply", "-auto-approve", "-json")
        failures += [f"apply-{step}: {e}" for e in unexpected(errors)]
        for address in tf.output("state", "list").split():
            if resource_type(address) in UNREADABLE:
                tf.output("state", "rm", address)
        status, errors = tf.run(f"plan-{step}", "plan", "-detailed-exitcode", "-json", f"-out={step}.tfplan")
        failures += [f"plan-{step}: {e}" for e in unexpected(errors)]
        if status == 2:
            plan = json.loads(tf.output("show", "-json", f"{step}.tfplan"))
            failures += [f"plan after apply {step}: {c}" for c in unexpected_changes(plan)]
        elif status != 0:
            failures.append(f"plan-{step} failed (exit {status}; {logs / f'plan-{step}.log'})")

    for address in tf.output("state", "list").split():
        if resource_type(address) in UNDELETABLE:
            tf.output("state", "rm", address)
    status, errors = tf.run("destroy", "destroy", "-auto-approve", "-json")
    failures += [f"destroy: {e}" for e in unexpected(errors)]
    dynamodb = session.client("dynamodb", endpoint_url=url)
    left = [t for t in dynamodb.list_tables()["TableNames"]]
    left += [b["Name"] for b in s3.list_buckets()["Buckets"] if b["Name"] == bucket]
    failures += [f"destroy left {name}" for name in left]

    for kind, listed in (("errors", UNSUPPORTED), ("unread", UNREADABLE), ("undeleted", UNDELETABLE)):
        for resource, reason in sorted(listed.items()):
            say(f"allowed {kind}: {resource}: {reason}")
    for resource, attributes in sorted(MOTO_DIFFS.items()):
        say(f"allowed diff: {resource}: {', '.join(sorted(attributes))} (moto reads them back otherwise)")
    for resource, attributes in sorted(MOTO_JSON.items()):
        say(f"compared as JSON: {resource}: {', '.join(sorted(attributes))} (moto re-serializes them)")
    if failures:
        for failure in failures:
            say(f"FAILED: {failure}")
        return 1
    say(
        "passed: two applies, each followed by a plan with nothing to do, then a destroy that removed"
        " every table and the bucket"
    )
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
