"""``reservations cluster ...`` through the real Typer app, against moto and the fake Terraform Cloud."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from reservations.cli import app
from reservations.cluster.config import SKIP_UNTIL_TAG
from reservations.cluster.runner import Clients
from tests.cluster.aws_helpers import make_cluster, make_service_load_balancer
from tests.cluster.fake_tfc import TOKEN, FakeTerraformCloud

runner = CliRunner()


@pytest.fixture
def endpoint(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.delenv("RESERVATIONS_CLUSTER_NAME", raising=False)
    return moto_endpoint


@pytest.mark.slow
def test_down_wait_runs_the_whole_teardown_with_progress(endpoint: str, aws: Clients) -> None:
    make_cluster(aws, "study")
    make_service_load_balancer(aws, "study")

    result = runner.invoke(app, ["cluster", "down", "--cluster", "study", "--wait", "--interval", "0"])

    assert result.exit_code == 0, result.output
    assert "down study: done (released)" in result.stdout
    assert "2 nodegroups left" in result.stderr
    assert "[00:0" in result.stderr
    assert aws.get("eks").list_clusters()["clusters"] == []


@pytest.mark.slow
def test_down_refused_exits_1_with_the_reason(endpoint: str, aws: Clients) -> None:
    make_cluster(aws, "study", opted_in=False)
    result = runner.invoke(app, ["cluster", "down", "--cluster", "study"])
    assert result.exit_code == 1
    assert "refused (not-opted-in)" in result.stdout


@pytest.mark.slow
def test_dry_run_json_and_nothing_changes(endpoint: str, aws: Clients) -> None:
    make_cluster(aws, "study", fargate=())
    result = runner.invoke(app, ["cluster", "down", "--cluster", "study", "--dry-run", "--json"])
    assert result.exit_code == 0
    outcome = json.loads(result.stdout)
    assert (outcome["dry_run"], outcome["status"]) == (True, "noop")
    assert sorted(aws.get("eks").list_nodegroups(clusterName="study")["nodegroups"]) == ["general", "spot"]


def test_usage_errors_exit_2_with_one_line(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    no_cluster = runner.invoke(app, ["cluster", "down"])
    assert no_cluster.exit_code == 2
    assert no_cluster.stderr.strip().count("\n") == 0
    assert "--cluster" in no_cluster.stderr

    monkeypatch.setenv("RESERVATIONS_TFC_CLIENT", "curl")
    bad_env = runner.invoke(app, ["cluster", "status", "--cluster", "study"])
    assert bad_env.exit_code == 2
    assert "RESERVATIONS_TFC_CLIENT" in bad_env.stderr

    bad_client = runner.invoke(app, ["cluster", "up", "--cluster", "study", "--tfc-client", "boto"])
    assert bad_client.exit_code == 2


def test_unreachable_aws_exits_3(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    result = runner.invoke(app, ["cluster", "status", "--cluster", "study"])
    assert result.exit_code == 3
    assert result.stderr.startswith("reservations cluster: cannot reach AWS")


@pytest.mark.slow
def test_skip_until_sets_the_tag_status_shows_it_and_clear_removes_it(endpoint: str, aws: Clients) -> None:
    make_cluster(aws, "study", fargate=())
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    skipped = runner.invoke(app, ["cluster", "skip", "--cluster", "study", "--until", tomorrow])
    assert skipped.exit_code == 0, skipped.output
    assert "skipped until" in skipped.stdout
    status = json.loads(runner.invoke(app, ["cluster", "status", "--cluster", "study", "--json"]).stdout)
    assert status["skip_until"].startswith(tomorrow[:10])
    assert (status["state"], status["opted_in"], status["nodegroups"]) == (
        "ACTIVE",
        True,
        ["general", "spot"],
    )

    cleared = runner.invoke(app, ["cluster", "skip", "--cluster", "study", "--clear"])
    assert cleared.exit_code == 0
    arn = aws.get("eks").describe_cluster(name="study")["cluster"]["arn"]
    assert SKIP_UNTIL_TAG not in aws.get("eks").list_tags_for_resource(resourceArn=arn)["tags"]


@pytest.mark.slow
def test_skip_rejects_past_and_malformed_times(endpoint: str, aws: Clients) -> None:
    make_cluster(aws, "study", nodegroups=(), fargate=())
    past = runner.invoke(app, ["cluster", "skip", "--cluster", "study", "--until", "2001-01-01"])
    assert (past.exit_code, "in the past" in past.stderr) == (2, True)
    garbage = runner.invoke(app, ["cluster", "skip", "--cluster", "study", "--until", "soonish"])
    assert garbage.exit_code == 2
    missing = runner.invoke(app, ["cluster", "skip", "--cluster", "nope", "--until", "2099-01-01"])
    assert (missing.exit_code, missing.stderr.strip()) == (1, "reservations cluster: cluster nope not found")


@pytest.mark.slow
def test_up_wait_rebuilds_through_terraform_cloud(
    endpoint: str, aws: Clients, tfc: FakeTerraformCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    def cluster_exists() -> bool:
        return "study" in aws.get("eks").list_clusters()["clusters"]

    tfc.add_workspace(
        "study-cluster", on_applied=lambda: make_cluster(aws, "study", nodegroups=(), fargate=())
    )
    tfc.add_workspace("study-edge", created_type="kubernetes_service_v1", plannable=cluster_exists)
    tfc.tick_on_list = True
    monkeypatch.setenv("RESERVATIONS_TFC_TOKEN", TOKEN)

    result = runner.invoke(
        app,
        [
            "cluster",
            "up",
            "--cluster",
            "study",
            "--tfc-url",
            tfc.url,
            "--organization",
            "acme",
            "--workspace",
            "study-cluster",
            "--edge-workspace",
            "study-edge",
            "--tfc-client",
            "terrasnek",
            "--wait",
            "--interval",
            "0",
        ],
    )

    assert result.exit_code == 0, result.output
    assert "up study: done (up)" in result.stdout
    assert "edge restored" in result.stdout
    # Two runs: the cluster workspace first, then the edge's, planned once the cluster existed.
    assert tfc.calls("POST", r"/api/v2/runs/.*/actions/apply") == 2
    assert [(tfc.workspaces[r.workspace_id].name, r.status) for r in tfc.runs] == [
        ("study-cluster", "applied"),
        ("study-edge", "applied"),
    ]
    assert TOKEN not in result.output


def test_up_without_a_token_is_a_usage_error(endpoint: str) -> None:
    result = runner.invoke(
        app, ["cluster", "up", "--cluster", "study", "--organization", "acme", "--workspace", "w"]
    )
    assert result.exit_code == 2
    assert "RESERVATIONS_TFC_TOKEN" in result.stderr


def test_savings_prints_hours_money_and_a_weekly_chart() -> None:
    result = runner.invoke(
        app,
        [
            "cluster",
            "savings",
            "--down",
            "cron(0 23 ? * MON-FRI *)",
            "--up",
            "cron(0 7 ? * MON-FRI *)",
            "--timezone",
            "America/New_York",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Hours off per week: 88.0 of 168" in result.stdout
    # 88 h/week x 52/12 x ($0.10 + 2 x $0.0416)
    assert f"${88 * 52 / 12 * 0.1832:.2f}" in result.stdout
    lines = result.stdout.splitlines()
    monday = next(line for line in lines if line.startswith("Mon"))
    saturday = next(line for line in lines if line.startswith("Sat"))
    assert monday.split()[1] == "." * 7 + "#" * 16 + "."
    assert saturday.split()[1] == "." * 24


@pytest.mark.parametrize(
    "args",
    [
        ["--down", "cron(0 23 ? 12 MON *)", "--up", "cron(0 7 ? * MON-FRI *)"],
        ["--down", "rate(1 hour)", "--up", "cron(0 7 ? * MON-FRI *)"],
        ["--down", "cron(0 25 ? * MON *)", "--up", "cron(0 7 ? * MON *)"],
        ["--down", "cron(0 23 ? * MON *)", "--up", "cron(0 7 ? * MON *)", "--timezone", "Nowhere/Land"],
        ["--down", "cron(0 23 ? * MON *)", "--up", "cron(0 7 ? * MON *)", "--node-type", "x9.huge"],
    ],
)
def test_savings_usage_errors(args: list[str]) -> None:
    result = runner.invoke(app, ["cluster", "savings", *args])
    assert result.exit_code == 2
    assert result.stderr.startswith("reservations cluster: ")
    assert "Traceback" not in result.output
