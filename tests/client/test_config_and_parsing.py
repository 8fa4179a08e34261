"""Profiles on disk and the menu's answer parsers: pure functions, real files, no server."""

from __future__ import annotations

import stat
from datetime import date, timedelta
from pathlib import Path

import pytest

from reservations.client.answers import Invalid, parse_check_in, parse_name, parse_nights, parse_room
from reservations.client.config import (
    ConfigError,
    Profile,
    load_profile,
    mask_key,
    read_config,
    resolve,
    save_profile,
)

KEY = "rsv_0123456789abcdefWXYZ"


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    for name in ("RESERVATIONS_URL", "RESERVATIONS_CUSTOMER", "RESERVATIONS_API_KEY", "RESERVATIONS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "reservations" / "config.toml"


def test_save_profile_is_private_keeps_others_and_sets_the_default_once(config_file: Path) -> None:
    config_file.parent.mkdir(parents=True)
    config_file.write_text('[profiles.old]\nurl = "http://old"\ncustomer = "old"\napi_key = "k-old-123456"\n')
    config_file.chmod(0o644)
    local = Profile("http://127.0.0.1:8080", "demo", KEY)
    assert save_profile("local", local) == config_file
    assert stat.S_IMODE(config_file.stat().st_mode) == 0o600
    save_profile("prod", Profile("https://x.example/prod", "acme", KEY))
    data = read_config()
    assert data["default_profile"] == "local"  # set by the first save only
    assert sorted(data["profiles"]) == ["local", "old", "prod"]
    assert load_profile() == local
    assert load_profile("prod").url == "https://x.example/prod"
    assert KEY not in repr(local)
    assert list(config_file.parent.glob(".config-*")) == []  # no temporary file left behind


def test_flags_beat_environment_beat_the_file(config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    save_profile("local", Profile("http://file", "demo", KEY))
    assert stat.S_IMODE(config_file.parent.stat().st_mode) == 0o700  # made by us: private too
    save_profile("other", Profile("http://other", "acme", "rsv_other-key-0000"))
    assert resolve().profile == Profile("http://file", "demo", KEY)
    monkeypatch.setenv("RESERVATIONS_URL", "http://env")
    assert resolve().profile.url == "http://env"
    assert resolve(url="http://flag").profile.url == "http://flag"
    monkeypatch.setenv("RESERVATIONS_PROFILE", "other")
    assert resolve().profile.customer == "acme"
    assert resolve(profile="local").profile.customer == "demo"
    with pytest.raises(ConfigError, match="no profile 'nobody'"):
        resolve(profile="nobody")


def test_no_configuration_says_what_to_do(config_file: Path) -> None:
    with pytest.raises(ConfigError, match="reservations serve"):
        resolve()
    with pytest.raises(ConfigError, match="--api-key"):
        resolve(url="http://x", customer="demo")
    assert resolve(url="http://x", customer="demo", api_key=KEY).profile.api_key == KEY
    with pytest.raises(ConfigError, match="http://"):
        resolve(url="localhost:8080", customer="demo", api_key=KEY)


def test_keys_are_masked_to_their_last_four_characters() -> None:
    assert mask_key(KEY) == "…WXYZ"
    assert mask_key("short") == "…"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "Please enter the room number"),
        ("abc", "must be a whole number"),
        ("-3", "between 1 and 99999"),  # a number, out of range: say the range
        ("\u0661\u0660\u0661", "must be a whole number"),  # Arabic-Indic digits: digits, not ours
        ("0", "between 1 and 99999"),
        ("100000", "between 1 and 99999"),
        ("9" * 5000, "between 1 and 99999"),
    ],
)
def test_room_answers_are_refused_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(Invalid, match=reason):
        parse_room(text)


def test_good_answers_are_accepted() -> None:
    assert parse_room(" 00101 ") == 101
    assert parse_nights("30") == 30
    assert parse_name("  Ann Smith ") == "Ann Smith"
    today = date(2026, 11, 25)
    assert parse_check_in("2026-11-24", today=today) == date(2026, 11, 24)  # yesterday: time zones


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("tomorrow", "YYYY-MM-DD"),
        ("2026-1-5", "YYYY-MM-DD"),
        ("2026-02-30", "not a calendar date"),
        ("2026-11-20", "in the past"),
        ((date(2026, 11, 25) + timedelta(days=731)).isoformat(), "two years"),
    ],
)
def test_check_in_answers_are_refused_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(Invalid, match=reason):
        parse_check_in(text, today=date(2026, 11, 25))


@pytest.mark.parametrize("text", ["", "   ", "a\x07b", "x" * 101])
def test_guest_names_are_refused(text: str) -> None:
    with pytest.raises(Invalid, match="The guest name"):
        parse_name(text)
