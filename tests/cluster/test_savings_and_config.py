"""Schedule arithmetic and configuration parsing: pure functions, checked against hand-worked cases."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reservations.cluster.config import ConfigError, SchedulerConfig
from reservations.cluster.overrides import BadSkipTag, parse_skip_until
from reservations.cluster.savings import ScheduleError, compute, fire_minutes


def test_fire_minutes_understands_eventbridge_day_numbers_and_ranges() -> None:
    # EventBridge numbers days from Sunday = 1, so 2-6 is Monday to Friday.
    assert fire_minutes("cron(0 7 ? * 2-6 *)") == fire_minutes("cron(0 7 ? * MON-FRI *)")
    assert fire_minutes("cron(30 22 ? * SUN *)") == [6 * 1440 + 22 * 60 + 30]
    assert fire_minutes("cron(0/30 9 ? * MON *)") == [540, 570]


def test_weekend_only_shutdown() -> None:
    result = compute("cron(0 20 ? * FRI *)", "cron(0 6 ? * MON *)", nodes=0)
    assert result.hours_off_per_week == 58
    assert result.hourly_cost == pytest.approx(0.10)


def test_explicit_node_price_overrides_the_table() -> None:
    result = compute(
        "cron(0 0 ? * MON *)", "cron(0 12 ? * MON *)", node_type="g5.xlarge", nodes=3, node_price=1.0
    )
    assert result.hourly_cost == pytest.approx(3.10)
    assert result.monthly_savings == pytest.approx(12 * 52 / 12 * 3.10)


@given(st.integers(0, 23), st.integers(0, 23))
def test_daily_down_and_up_are_complementary(down_hour: int, up_hour: int) -> None:
    result = compute(f"cron(0 {down_hour} ? * * *)", f"cron(0 {up_hour} ? * * *)", nodes=0)
    swapped = compute(f"cron(0 {up_hour} ? * * *)", f"cron(0 {down_hour} ? * * *)", nodes=0)
    if down_hour == up_hour:
        # Both fire together; the later-sorted "up" wins, so the cluster never stays down.
        assert result.hours_off_per_week == 0
    else:
        assert result.hours_off_per_week + swapped.hours_off_per_week == 168
        assert result.hours_off_per_week == 7 * ((up_hour - down_hour) % 24)


@pytest.mark.parametrize(
    "bad", ["cron(0 7 1 * ? *)", "cron(0 7 ? 1 MON *)", "cron(0 7 ? * FUNDAY *)", "cron(1 2 3)"]
)
def test_non_weekly_or_malformed_cron_is_rejected(bad: str) -> None:
    with pytest.raises(ScheduleError):
        fire_minutes(bad)


def test_config_from_env_defaults_and_overrides() -> None:
    config = SchedulerConfig.from_env(
        {
            "RESERVATIONS_CLUSTER_NAME": "study",
            "RESERVATIONS_HOLIDAYS": "2026-12-25, 2027-01-01",
            "RESERVATIONS_ALLOW_FOREIGN_CHANGES": "TRUE",
            "RESERVATIONS_TFC_URL": "https://tfe.example.internal/",
        }
    )
    assert config.tfc_client == "pytfe"
    assert config.tfc_url == "https://tfe.example.internal"
    assert config.holidays == {date(2026, 12, 25), date(2027, 1, 1)}
    assert config.allow_foreign_changes is True
    assert config.timezone == "UTC"
    assert SchedulerConfig.from_env({"RESERVATIONS_CLUSTER_NAME": "s"}).allow_foreign_changes is False


@pytest.mark.parametrize(
    ("changes", "destroy", "expected"),
    [("", "true", True), ("", "false", False), ("false", "true", False), ("true", "", True)],
)
def test_the_older_allow_foreign_destroy_name_is_read_when_the_new_one_is_unset(
    changes: str, destroy: str, expected: bool
) -> None:
    env = {
        "RESERVATIONS_CLUSTER_NAME": "s",
        "RESERVATIONS_ALLOW_FOREIGN_CHANGES": changes,
        "RESERVATIONS_ALLOW_FOREIGN_DESTROY": destroy,
    }
    assert SchedulerConfig.from_env(env).allow_foreign_changes is expected


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"RESERVATIONS_CLUSTER_NAME": "bad name!"}, "RESERVATIONS_CLUSTER_NAME"),
        ({"RESERVATIONS_CLUSTER_NAME": "s", "RESERVATIONS_TFC_URL": "ftp://x"}, "RESERVATIONS_TFC_URL"),
        ({"RESERVATIONS_CLUSTER_NAME": "s", "RESERVATIONS_TFC_TOKEN_SECRET_ARN": "tok"}, "SECRET_ARN"),
        ({"RESERVATIONS_CLUSTER_NAME": "s", "RESERVATIONS_NOTIFY_TOPIC_ARN": "topic"}, "TOPIC_ARN"),
        ({"RESERVATIONS_CLUSTER_NAME": "s", "RESERVATIONS_TFC_QUEUE_TIMEOUT": "-1"}, "QUEUE_TIMEOUT"),
    ],
)
def test_config_errors_name_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        SchedulerConfig.from_env(env)


def test_skip_until_reads_naive_times_in_the_schedule_zone() -> None:
    zone = ZoneInfo("America/New_York")
    assert parse_skip_until("2026-11-25T23:30", zone) == datetime(2026, 11, 26, 4, 30, tzinfo=UTC)
    assert parse_skip_until("2026-11-26T04:30:00Z", zone) == datetime(2026, 11, 26, 4, 30, tzinfo=UTC)
    with pytest.raises(BadSkipTag):
        parse_skip_until("late", zone)
