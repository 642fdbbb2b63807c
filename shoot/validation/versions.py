"""Kubernetes versions of a shoot: parsing, the static rules 10-12 and the version completion of rule 13.

``validate`` is called by ``shoot.validation.validate_shoot``; ``complete_version`` by the garden's admission
(it owns the CloudProfile lookup); ``at_least`` by the rules that change with the Kubernetes version.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from shoot import fielderrors
from shoot.fielderrors import FieldError
from shoot.validation.formats import dig, items

_VERSION = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-+][0-9A-Za-z.+-]*)?$")
_PREFIX = re.compile(r"^v?\d+(\.\d+)?$")
# A worker pool may run at most this many minor versions behind the control plane.
MAX_WORKER_MINOR_SKEW = 3
IN_PLACE_STRATEGIES = frozenset({"AutoInPlaceUpdate", "ManualInPlaceUpdate"})


def parse(version: Any) -> tuple[int, int, int] | None:
    """``(major, minor, patch)`` of ``1.33.2``; a partial ``1.33`` has patch -1; None if not a version."""
    match = _VERSION.match(version) if isinstance(version, str) else None
    if match is None or match[2] is None:
        return None
    return int(match[1]), int(match[2]), int(match[3]) if match[3] is not None else -1


def shoot_version(shoot: Mapping[str, Any]) -> tuple[int, int, int] | None:
    return parse(dig(shoot, "spec", "kubernetes", "version"))


def at_least(shoot: Mapping[str, Any], major: int, minor: int) -> bool:
    """Whether the shoot's control plane runs ``major.minor`` or newer (False while the version is unknown)."""
    version = shoot_version(shoot)
    return version is not None and version[:2] >= (major, minor)


# --- rule 13: completing a partial version against the CloudProfile -----------------------------------


def complete_version(requested: str, versions: list[dict[str, Any]], now: datetime) -> str | None:
    """The version a shoot asking for ``requested`` gets from CloudProfile ``spec.kubernetes.versions``.

    ``""``, ``"1"`` and ``"1.33"`` become the newest version with that prefix that is neither expired nor a
    preview (previews must be chosen explicitly); a full ``x.y.z`` is returned as given. None when nothing
    matches.
    """
    if requested and not _PREFIX.match(requested):
        return requested
    prefix = [int(part) for part in requested.lstrip("v").split(".")] if requested else []
    best: tuple[tuple[int, int, int], str] | None = None
    for entry in versions:
        parsed = parse(entry.get("version"))
        if parsed is None or list(parsed[: len(prefix)]) != prefix or not _offered(entry, now):
            continue
        if best is None or parsed > best[0]:
            best = (parsed, str(entry["version"]))
    return None if best is None else best[1]


def _offered(entry: Mapping[str, Any], now: datetime) -> bool:
    expiration = _time(entry.get("expirationDate"))
    if expiration is not None and expiration <= now:
        return False
    return _classification(entry, now) not in ("preview", "expired")


def _classification(entry: Mapping[str, Any], now: datetime) -> str:
    """The explicit classification, else the last lifecycle stage that has started."""
    if entry.get("classification"):
        return str(entry["classification"])
    current = "supported"
    for stage in items(entry.get("lifecycle")):
        start = _time(dig(stage, "startTime"))
        if start is None or start <= now:
            current = str(dig(stage, "classification"))
    return current


def _time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    else:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# --- rules 10-12 -------------------------------------------------------------------------------------------

_PATH = "spec.kubernetes.version"


def validate(new: Mapping[str, Any], old: Mapping[str, Any] | None) -> list[FieldError]:
    version = dig(new, "spec", "kubernetes", "version")
    if not version:
        return [fielderrors.required(_PATH, "kubernetes version must not be empty")]
    errors: list[FieldError] = []
    if parse(version) is None:
        errors.append(fielderrors.invalid(_PATH, version, "must be a Kubernetes version such as 1.33.2"))
    if old is not None:
        old_version = dig(old, "spec", "kubernetes", "version")
        errors += _update(_PATH, new=version, old=old_version, skip_minor_allowed=False)
    return errors + _workers(new, old)


def _update(path: str, *, new: Any, old: Any, skip_minor_allowed: bool) -> list[FieldError]:
    """Rule 11: no downgrade and, unless allowed, no skipped minor version."""
    new_version, old_version = parse(new), parse(old)
    if new_version is None or old_version is None:
        return []
    if new_version < old_version:
        return [fielderrors.forbidden(path, f"kubernetes version downgrade is not supported ({old} to {new})")]
    if not skip_minor_allowed and new_version[:2] >= (old_version[0], old_version[1] + 2):
        return [
            fielderrors.forbidden(
                path,
                f"kubernetes version upgrade cannot skip a minor version ({old} to {new}); "
                f"upgrade to {old_version[0]}.{old_version[1] + 1} first",
            )
        ]
    return []


def _workers(new: Mapping[str, Any], old: Mapping[str, Any] | None) -> list[FieldError]:
    """Rule 12: a pool's own version is at most the control plane's and at most 3 minors behind it."""
    control_plane = shoot_version(new)
    old_pools = {dig(pool, "name"): pool for pool in items(dig(old, "spec", "provider", "workers"))}
    errors: list[FieldError] = []
    for index, pool in enumerate(items(dig(new, "spec", "provider", "workers"))):
        path = f"spec.provider.workers[{index}].kubernetes.version"
        version = dig(pool, "kubernetes", "version")
        if version is None or control_plane is None:
            continue
        errors += _worker_skew(path, version=version, control_plane=control_plane)
        old_pool = old_pools.get(dig(pool, "name"))
        if old_pool is not None:
            old_version = dig(old_pool, "kubernetes", "version") or dig(old, "spec", "kubernetes", "version")
            in_place = dig(pool, "updateStrategy") in IN_PLACE_STRATEGIES
            errors += _update(path, new=version, old=old_version, skip_minor_allowed=not in_place)
    return errors


def _worker_skew(path: str, *, version: Any, control_plane: tuple[int, int, int]) -> list[FieldError]:
    parsed = parse(version)
    if parsed is None:
        return [fielderrors.invalid(path, version, "must be a Kubernetes version such as 1.33.2")]
    if parsed[:2] > control_plane[:2] or (parsed[:2] == control_plane[:2] and parsed > control_plane):
        return [
            fielderrors.forbidden(path, "worker pool kubernetes version must not be newer than the control plane's")
        ]
    if control_plane[0] == parsed[0] and control_plane[1] - parsed[1] > MAX_WORKER_MINOR_SKEW:
        return [
            fielderrors.forbidden(
                path,
                f"worker pool kubernetes version must be at most {MAX_WORKER_MINOR_SKEW} minor versions behind "
                "the control plane's",
            )
        ]
    return []
