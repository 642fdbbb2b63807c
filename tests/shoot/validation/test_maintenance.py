"""Rules 28-30 (``shoot.validation.maintenance`` and ``shoot.validation.cron``)."""

from __future__ import annotations

import pytest

from shoot.validation import cron, maintenance
from tests.shoot.validation import shoots

WINDOW = "spec.maintenance.timeWindow"
SCHEDULE = "spec.hibernation.schedules[0]"


def test_rule_28_rejects_time_window_that_does_not_parse() -> None:
    shoot = shoots.botany_shoot()
    shoot["spec"]["maintenance"]["timeWindow"]["begin"] = "22:00"
    shoots.assert_only(shoots.errors(shoot), f"{WINDOW}.begin", "HHMMSS+ZZZZ")


def test_rule_28_rejects_time_window_shorter_than_30_minutes() -> None:
    shoot = shoots.botany_shoot()
    shoot["spec"]["maintenance"]["timeWindow"]["end"] = "221500+0100"
    shoots.assert_only(shoots.errors(shoot), WINDOW, "at least 30m", "0h15m given")


def test_rule_28_rejects_time_window_longer_than_6_hours() -> None:
    shoot = shoots.botany_shoot()
    shoot["spec"]["maintenance"]["timeWindow"]["end"] = "050000+0100"
    shoots.assert_only(shoots.errors(shoot), WINDOW, "must not be longer than 6h", "7h0m given")


def test_rule_28_accepts_window_across_midnight_in_other_zones() -> None:
    assert maintenance.parse_time_window("230000+0100", "020000-0200") == (22 * 3600, 6 * 3600)
    shoot = shoots.botany_shoot()
    shoot["spec"]["maintenance"]["timeWindow"] = {"begin": "233000+0000", "end": "013000+0000"}
    assert shoots.errors(shoot) == []


@pytest.mark.parametrize("period", ["10m", "2200h", "a week"])
def test_rule_29_rejects_rotation_period_outside_30m_to_90d(period: str) -> None:
    shoot = shoots.botany_shoot()
    shoot["spec"]["maintenance"]["autoRotation"]["credentials"]["sshKeypair"]["rotationPeriod"] = period
    shoots.assert_only(shoots.errors(shoot), "spec.maintenance.autoRotation.credentials.sshKeypair.rotationPeriod")


def test_rule_29_accepts_zero_to_disable_rotation() -> None:
    shoot = shoots.botany_shoot()
    shoot["spec"]["maintenance"]["autoRotation"]["credentials"]["observability"] = {"rotationPeriod": "0"}
    assert shoots.errors(shoot) == []


def test_rule_30_schedule_needs_start_or_end() -> None:
    shoot = shoots.botany_shoot()
    shoot["spec"]["hibernation"]["schedules"][0] = {"location": "Europe/Berlin"}
    shoots.assert_only(shoots.errors(shoot), SCHEDULE, "either start or end")


def test_rule_30_rejects_invalid_cron_spec() -> None:
    shoot = shoots.botany_shoot()
    shoot["spec"]["hibernation"]["schedules"][0]["start"] = "0 25 * * *"
    shoots.assert_only(shoots.errors(shoot), f"{SCHEDULE}.start", "not a valid cron spec", "above maximum (23)")


def test_rule_30_rejects_duplicate_cron_specs() -> None:
    shoot = shoots.botany_shoot()
    shoot["spec"]["hibernation"]["schedules"].append({"start": "0 20 * * MON-FRI"})
    shoots.assert_only(shoots.errors(shoot), "spec.hibernation.schedules[1].start", "Duplicate value")


def test_rule_30_rejects_unknown_time_zone() -> None:
    shoot = shoots.botany_shoot()
    shoot["spec"]["hibernation"]["schedules"][0]["location"] = "Europe/Atlantis"
    shoots.assert_only(shoots.errors(shoot), f"{SCHEDULE}.location", "IANA time zone")


@pytest.mark.parametrize(
    "spec",
    ["0 20 * * *", "*/15 0-6,22,23 ? JAN-jun sun", "@daily", "@every 1h30m", "CRON_TZ=Europe/Berlin 0 6 * * 1-5"],
)
def test_accepts_standard_cron_specs(spec: str) -> None:
    assert cron.check(spec) is None


@pytest.mark.parametrize(
    "spec", ["0 20 * *", "60 * * * *", "0 0 0 * *", "0 0 * 13 *", "0 0 * * 7", "5-2 * * * *", "*/0 * * * *", "@often"]
)
def test_rejects_invalid_cron_specs(spec: str) -> None:
    assert cron.check(spec) is not None
