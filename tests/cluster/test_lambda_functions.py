"""The two Lambda entry points end to end on moto's server: config checks, follow-ups, SNS, the token."""

from __future__ import annotations

import json
from typing import Any

import pytest

from reservations.cluster import lambda_entry
from reservations.cluster.runner import Clients
from reservations.functions import cluster_down, cluster_up
from tests.cluster.aws_helpers import make_cluster, make_service_load_balancer
from tests.cluster.fake_tfc import TOKEN, FakeTerraformCloud

# The Lambda entry points through whole cycles against moto (seconds a test): `make test` runs them, `make check` does not;
# tests/cluster/test_teardown_sequences.py keeps the teardown's order in the fast lane.
pytestmark = pytest.mark.slow

FOLLOWUP = "study-down-follow-up"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, moto_endpoint: str, aws: Clients) -> dict[str, Any]:
    """The environment the Terraform module gives the functions, with moto behind AWS_ENDPOINT_URL."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setattr(lambda_entry, "_CLIENTS", Clients())  # fresh clients for this moto reset
    topic = aws.get("sns").create_topic(Name="cluster-schedule")["TopicArn"]
    sqs = aws.get("sqs")
    queue = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    aws.get("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    aws.get("scheduler").create_schedule(
        Name=FOLLOWUP,
        ScheduleExpression="rate(5 minutes)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={
            "Arn": "arn:aws:lambda:us-east-1:123456789012:function:cluster-down",
            "RoleArn": "arn:aws:iam::123456789012:role/scheduler",
            "Input": json.dumps({"phase": "follow-up"}),
        },
        State="DISABLED",
    )
    values = {
        "RESERVATIONS_CLUSTER_NAME": "study",
        "RESERVATIONS_NOTIFY_TOPIC_ARN": topic,
        "RESERVATIONS_SCHEDULE_TIMEZONE": "America/New_York",
        "RESERVATIONS_FOLLOWUP_SCHEDULE": FOLLOWUP,
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return {"queue": queue, "topic": topic}


def notifications(aws: Clients, queue: str) -> list[dict[str, Any]]:
    messages = aws.get("sqs").receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(json.loads(m["Body"])["Message"]) for m in messages]


def followup_state(aws: Clients) -> str:
    return str(aws.get("scheduler").get_schedule(Name=FOLLOWUP)["State"])


def test_down_cycle_enables_follow_ups_then_disables_them_and_notifies_once(
    env: dict[str, Any], aws: Clients, caplog: pytest.LogCaptureFixture
) -> None:
    make_cluster(aws, "study")
    make_service_load_balancer(aws, "study")

    first = cluster_down.handler({"phase": "start"}, None)
    assert first["status"] == "in_progress"
    assert followup_state(aws) == "ENABLED"
    assert notifications(aws, env["queue"]) == []

    results = [cluster_down.handler({"phase": "follow-up"}, None) for _ in range(2)]
    assert [r["status"] for r in results] == ["in_progress", "done"]
    assert followup_state(aws) == "DISABLED"
    [message] = notifications(aws, env["queue"])
    assert (message["status"], message["step"], message["cluster"]) == ("done", "released", "study")

    lines = log_lines(caplog, cluster_down)
    assert [line["outcome"]["status"] for line in lines] == ["in_progress", "in_progress", "done"]
    assert all(line["service"] == "reservations-cluster-down" for line in lines)
    assert [line["message"] for line in lines] == ["step taken", "step taken", "cycle finished"]
    assert (lines[-1]["status"], lines[-1]["action"], lines[-1]["cluster"]) == ("done", "down", "study")


def log_lines(caplog: pytest.LogCaptureFixture, function: Any) -> list[dict[str, Any]]:
    """The JSON lines CloudWatch Logs receives from the function (Powertools' own formatter)."""
    records = [r for r in caplog.records if r.name == function.logger.service]
    return [json.loads(function.logger.registered_formatter.format(r)) for r in records]


def alarming(line: dict[str, Any]) -> bool:
    """What the metric filter ``{ $.message = "cycle finished" && ($.status = "failed" ||
    $.status = "refused") }`` matches, field for field (moto's CloudWatch Logs ignores JSON patterns)."""
    return line.get("message") == "cycle finished" and line.get("status") in ("failed", "refused")


def test_untagged_cluster_is_refused_and_the_refusal_published(
    env: dict[str, Any], aws: Clients, caplog: pytest.LogCaptureFixture
) -> None:
    make_cluster(aws, "study", opted_in=False)

    result = cluster_down.handler({"phase": "start"}, None)

    assert result["status"] == "refused"
    assert followup_state(aws) == "DISABLED"
    [message] = notifications(aws, env["queue"])
    assert message["status"] == "refused"
    assert aws.get("eks").list_clusters()["clusters"] == ["study"]
    [line] = log_lines(caplog, cluster_down)
    assert alarming(line)
    assert line["level"] == "ERROR"


def test_holiday_noop_is_published(
    env: dict[str, Any], aws: Clients, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    today = datetime.now(ZoneInfo("America/New_York")).date().isoformat()
    monkeypatch.setenv("RESERVATIONS_HOLIDAYS", f"2020-01-01,{today}")
    make_cluster(aws, "study")

    result = cluster_down.handler({"phase": "start"}, None)

    assert (result["status"], result["step"]) == ("noop", "holiday")
    assert [m["step"] for m in notifications(aws, env["queue"])] == ["holiday"]


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("RESERVATIONS_CLUSTER_NAME", "", "RESERVATIONS_CLUSTER_NAME must be set"),
        ("RESERVATIONS_TFC_CLIENT", "boto", "RESERVATIONS_TFC_CLIENT must be pytfe or terrasnek"),
        ("RESERVATIONS_HOLIDAYS", "2026-13-01", "RESERVATIONS_HOLIDAYS"),
        ("RESERVATIONS_SCHEDULE_TIMEZONE", "Mars/Olympus", "RESERVATIONS_SCHEDULE_TIMEZONE"),
        (
            "RESERVATIONS_ALLOW_FOREIGN_DESTROY",
            "maybe",
            "RESERVATIONS_ALLOW_FOREIGN_DESTROY must be true or false",
        ),
    ],
)
def test_bad_configuration_fails_with_the_variable_named_and_is_published(
    env: dict[str, Any],
    aws: Clients,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    variable: str,
    value: str,
    expected: str,
) -> None:
    monkeypatch.setenv(variable, value)
    result = cluster_down.handler({"phase": "start"}, None)
    assert (result["status"], result["step"]) == ("failed", "config")
    assert expected in result["message"]
    [message] = notifications(aws, env["queue"])
    assert (message["status"], message["step"]) == ("failed", "config")
    assert expected in message["message"]
    assert result["notified"] is True
    [line] = log_lines(caplog, cluster_down)
    assert alarming(line)


def test_a_configuration_error_during_a_cycle_stops_the_follow_ups(
    env: dict[str, Any], aws: Clients, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reported once, not every five minutes: the follow-up schedule is switched off."""
    make_cluster(aws, "study")
    assert cluster_down.handler({"phase": "start"}, None)["status"] == "in_progress"
    assert followup_state(aws) == "ENABLED"
    monkeypatch.setenv("RESERVATIONS_TFC_TARGETS", "module.eks")

    result = cluster_down.handler({"phase": "follow-up"}, None)

    assert (result["status"], result["step"]) == ("failed", "config")
    assert "RESERVATIONS_TFC_TARGETS is no longer used" in result["message"]
    assert followup_state(aws) == "DISABLED"
    assert [m["step"] for m in notifications(aws, env["queue"])] == ["config"]


def test_a_configuration_error_with_a_malformed_topic_is_still_logged(
    env: dict[str, Any], aws: Clients, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("RESERVATIONS_NOTIFY_TOPIC_ARN", "cluster-schedule")
    result = cluster_down.handler({"phase": "start"}, None)
    assert (result["status"], result["step"], result["notified"]) == ("failed", "config", False)
    assert "RESERVATIONS_NOTIFY_TOPIC_ARN" in result["message"]
    [line] = log_lines(caplog, cluster_down)
    assert alarming(line)


def test_bad_event_is_a_clear_failure_and_published(env: dict[str, Any], aws: Clients) -> None:
    result = cluster_down.handler({"phase": "sometime"}, None)
    assert result["status"] == "failed"
    assert "phase must be start or follow-up" in result["message"]
    assert [m["cluster"] for m in notifications(aws, env["queue"])] == ["study"]


def test_up_reads_the_token_from_secrets_manager_and_never_logs_it(
    env: dict[str, Any],
    aws: Clients,
    tfc: FakeTerraformCloud,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    tfc.add_workspace("study-cluster")
    secret = aws.get("secretsmanager").create_secret(Name="tfc-token", SecretString=TOKEN)["ARN"]
    for key, value in {
        "RESERVATIONS_TFC_URL": tfc.url,
        "RESERVATIONS_TFC_ORGANIZATION": "acme",
        "RESERVATIONS_TFC_WORKSPACE": "study-cluster",
        "RESERVATIONS_TFC_TOKEN_SECRET_ARN": secret,
        "RESERVATIONS_TFC_CLIENT": "terrasnek",
        "RESERVATIONS_FOLLOWUP_SCHEDULE": "",
    }.items():
        monkeypatch.setenv(key, value)

    first = cluster_up.handler({}, None)
    aws.get("secretsmanager").update_secret(SecretId=secret, SecretString="rotated-away")
    second = cluster_up.handler({"phase": "follow-up"}, None)  # warm: the cached token still works

    assert first["step"] == "run-created"
    assert second["details"]["run_id"] == first["details"]["run_id"]
    assert tfc.calls("POST", "/api/v2/runs") == 1
    assert caplog.records
    assert TOKEN not in caplog.text
    assert all(TOKEN not in json.dumps(r.__dict__, default=str) for r in caplog.records)
    assert [m["status"] for m in notifications(aws, env["queue"])] == []


def test_up_without_terraform_settings_is_a_published_config_failure(
    env: dict[str, Any], aws: Clients
) -> None:
    result = cluster_up.handler({"phase": "start"}, None)
    assert (result["status"], result["step"]) == ("failed", "config")
    assert "RESERVATIONS_TFC_ORGANIZATION" in result["message"]
    [message] = notifications(aws, env["queue"])
    assert (message["action"], message["status"], message["cluster"]) == ("up", "failed", "study")


def test_a_missing_follow_up_schedule_is_reported_without_hiding_the_outcome(
    env: dict[str, Any], aws: Clients, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RESERVATIONS_FOLLOWUP_SCHEDULE", "no-such-schedule")

    result = cluster_down.handler({"phase": "follow-up"}, None)

    assert (result["status"], result["step"]) == ("done", "gone")
    assert "ResourceNotFoundException" in result["followup_error"]
    assert [m["step"] for m in notifications(aws, env["queue"])] == ["gone"]
