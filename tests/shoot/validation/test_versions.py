"""Rules 10-13 (``shoot.validation.versions``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from shoot.validation import versions
from tests.shoot.validation import shoots

NOW = datetime(2026, 6, 1, tzinfo=UTC)
PROFILE: list[dict[str, Any]] = [
    {"version": "1.35.0", "classification": "preview"},
    {"version": "1.34.2", "classification": "supported"},
    {"version": "1.34.1", "classification": "supported"},
    {"version": "1.33.5", "classification": "deprecated", "expirationDate": "2026-01-01T00:00:00Z"},
    {"version": "1.33.4", "classification": "deprecated", "expirationDate": "2027-01-01T00:00:00Z"},
    {
        "version": "1.32.9",
        "lifecycle": [
            {"classification": "supported"},
            {"classification": "expired", "startTime": "2026-02-01T00:00:00Z"},
        ],
    },
]


def test_rule_10_requires_kubernetes_version() -> None:
    shoot = shoots.local_shoot()
    shoot["spec"]["kubernetes"]["version"] = ""
    shoots.assert_only(shoots.errors(shoot), "spec.kubernetes.version", "must not be empty")


def test_rule_11_rejects_downgrade() -> None:
    old, new = shoots.local_shoot(), shoots.local_shoot()
    new["spec"]["kubernetes"]["version"] = "1.33.1"
    shoots.assert_only(shoots.errors(new, old=old), "spec.kubernetes.version", "downgrade is not supported")


def test_rule_11_rejects_skipping_a_minor_version() -> None:
    old, new = shoots.local_shoot(), shoots.local_shoot()
    new["spec"]["kubernetes"]["version"] = "1.35.0"
    shoots.assert_only(shoots.errors(new, old=old), "spec.kubernetes.version", "cannot skip a minor version", "1.34")


def test_rule_11_accepts_next_minor_version() -> None:
    old, new = shoots.local_shoot(), shoots.local_shoot()
    new["spec"]["kubernetes"]["version"] = "1.34.0"
    assert shoots.errors(new, old=old) == []


def test_rule_12_rejects_worker_version_newer_than_control_plane() -> None:
    shoot = shoots.botany_shoot()
    shoot["spec"]["provider"]["workers"][0]["kubernetes"]["version"] = "1.33.3"
    shoots.assert_only(
        shoots.errors(shoot), "spec.provider.workers[0].kubernetes.version", "must not be newer than the control plane"
    )


def test_rule_12_rejects_worker_more_than_three_minors_behind() -> None:
    shoot = shoots.botany_shoot()
    shoot["spec"]["provider"]["workers"][0]["kubernetes"]["version"] = "1.29.9"
    shoots.assert_only(shoots.errors(shoot), "spec.provider.workers[0].kubernetes.version", "at most 3 minor versions")


def test_rule_12_worker_may_skip_minors_when_rolling_but_not_downgrade() -> None:
    old, new = shoots.botany_shoot(), shoots.botany_shoot()
    old["spec"]["provider"]["workers"][0]["kubernetes"]["version"] = "1.30.1"
    assert shoots.errors(new, old=old) == []
    new["spec"]["provider"]["workers"][0]["kubernetes"]["version"] = "1.30.0"
    shoots.assert_only(shoots.errors(new, old=old), "spec.provider.workers[0].kubernetes.version", "downgrade")


def test_rule_12_in_place_worker_cannot_skip_a_minor() -> None:
    old, new = shoots.botany_shoot(), shoots.botany_shoot()
    for shoot in (old, new):
        pool = shoot["spec"]["provider"]["workers"][0]
        pool.update(updateStrategy="AutoInPlaceUpdate", maxSurge=0, maxUnavailable=1)
    old["spec"]["provider"]["workers"][0]["kubernetes"]["version"] = "1.30.1"
    shoots.assert_only(shoots.errors(new, old=old), "spec.provider.workers[0].kubernetes.version", "skip a minor")


@pytest.mark.parametrize(
    ("requested", "expected"),
    [("", "1.34.2"), ("1", "1.34.2"), ("1.33", "1.33.4"), ("1.34", "1.34.2"), ("1.31.7", "1.31.7"), ("1.36", None)],
)
def test_rule_13_completes_partial_version_to_newest_offered(requested: str, expected: str | None) -> None:
    assert versions.complete_version(requested, PROFILE, NOW) == expected


def test_rule_13_skips_preview_and_expired_versions() -> None:
    assert versions.complete_version("1.35", PROFILE, NOW) is None
    assert versions.complete_version("1.32", PROFILE, NOW) is None
    assert versions.complete_version("1.32", PROFILE, datetime(2026, 1, 15, tzinfo=UTC)) == "1.32.9"
