"""Machine-image defaulting against the CloudProfile, as Gardener's shoot mutator does it.

Called by the garden's shoot admission after ``shoot.defaults``: a worker without an image gets the
CloudProfile's first image that offers a supported version for its architecture; an image without a version
gets the newest supported version of that image.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shoot.validation import versions

JSON = dict[str, Any]


def default_machine_images(shoot: JSON, profile: JSON, *, now: datetime) -> None:
    """Fill ``machine.image`` of every worker of ``shoot`` (in place) from ``profile``."""
    images = (profile.get("spec") or {}).get("machineImages") or []
    for worker in (shoot.get("spec") or {}).get("provider", {}).get("workers") or []:
        machine = worker.setdefault("machine", {})
        arch = machine.get("architecture") or "amd64"
        image = machine.get("image") or {}
        if not image.get("name"):
            chosen = _first_offered(images, arch, now)
            if chosen is None:
                continue
            image = {"name": chosen["name"]}
        if not image.get("version"):
            offered = _image(images, image["name"])
            version = versions.complete_version("", _for_arch(offered, arch), now) if offered else None
            if version:
                image["version"] = version
        machine["image"] = image


def _image(images: list[JSON], name: str) -> JSON | None:
    return next((i for i in images if i.get("name") == name), None)


def _for_arch(image: JSON, arch: str) -> list[JSON]:
    return [v for v in image.get("versions") or [] if arch in (v.get("architectures") or ["amd64"])]


def _first_offered(images: list[JSON], arch: str, now: datetime) -> JSON | None:
    for image in images:
        if versions.complete_version("", _for_arch(image, arch), now):
            return image
    return None
