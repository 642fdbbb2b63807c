"""Machine images are defaulted from the CloudProfile: first offered image, newest supported version."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shoot.images import default_machine_images

NOW = datetime(2026, 1, 1, tzinfo=UTC)
PROFILE: dict[str, Any] = {"spec": {"machineImages": [
    {"name": "arm-only", "versions": [{"version": "1.0.0", "architectures": ["arm64"]}]},
    {"name": "gardenlinux", "versions": [
        {"version": "1.2.0", "classification": "preview"},
        {"version": "1.1.0"},
        {"version": "1.0.0", "expirationDate": "2025-01-01T00:00:00Z"}]},
]}}


def _shoot(machine: dict[str, Any]) -> dict[str, Any]:
    return {"spec": {"provider": {"workers": [{"name": "w", "machine": machine}]}}}


def test_worker_without_image_gets_first_offered_image_for_its_architecture() -> None:
    shoot = _shoot({"type": "m"})
    default_machine_images(shoot, PROFILE, now=NOW)
    assert shoot["spec"]["provider"]["workers"][0]["machine"]["image"] == {"name": "gardenlinux", "version": "1.1.0"}
    arm = _shoot({"type": "m", "architecture": "arm64"})
    default_machine_images(arm, PROFILE, now=NOW)
    assert arm["spec"]["provider"]["workers"][0]["machine"]["image"] == {"name": "arm-only", "version": "1.0.0"}


def test_image_without_version_gets_newest_supported_and_explicit_versions_are_kept() -> None:
    shoot = _shoot({"type": "m", "image": {"name": "gardenlinux"}})
    default_machine_images(shoot, PROFILE, now=NOW)
    assert shoot["spec"]["provider"]["workers"][0]["machine"]["image"]["version"] == "1.1.0"
    pinned = _shoot({"type": "m", "image": {"name": "gardenlinux", "version": "1.2.0"}})
    default_machine_images(pinned, PROFILE, now=NOW)
    assert pinned["spec"]["provider"]["workers"][0]["machine"]["image"]["version"] == "1.2.0"
