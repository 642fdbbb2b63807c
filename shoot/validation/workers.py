"""Worker pool rules 4, 14-17 and 19: names, data volumes, sizes, rolling-update bounds, machine and system
component placement.

Called by ``shoot.validation.validate_shoot``; per-pool settings (rule 20) are in ``worker_settings``, kubelet
settings (rule 22) in ``kubelet``. Machine types, images and volume types are checked against the
CloudProfile by the garden's admission.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from shoot import fielderrors
from shoot.fielderrors import FieldError
from shoot.validation import formats
from shoot.validation.formats import dig, is_int, items

MAX_WORKER_NAME_LENGTH = 15
MAX_DATA_VOLUME_NAME_LENGTH = 15
_VOLUME_SIZE = re.compile(r"^(\d)+Gi$")
_PERCENT = re.compile(r"^[0-9]+%$")
WORKERS = "spec.provider.workers"


def validate(new: Mapping[str, Any], old: Mapping[str, Any] | None) -> list[FieldError]:
    pools = items(dig(new, "spec", "provider", "workers"))
    errors = _unique_names(pools) + _system_component_pools(pools)
    for index, pool in enumerate(pools):
        path = f"{WORKERS}[{index}]"
        errors += _name(path, pool)
        errors += _bounds(path, pool)
        errors += _rolling_update(path, pool)
        errors += _machine(path, pool)
        errors += _volumes(path, pool)
    return errors


def _name(path: str, pool: Any) -> list[FieldError]:
    """Rule 4: a pool name is a DNS label of at most 15 characters (it prefixes machine names)."""
    name = dig(pool, "name")
    if not name:
        return [fielderrors.required(f"{path}.name", "worker pool name is required")]
    errors = formats.dns_label(f"{path}.name", name)
    if isinstance(name, str) and len(name) > MAX_WORKER_NAME_LENGTH:
        errors.append(fielderrors.too_long(f"{path}.name", name, MAX_WORKER_NAME_LENGTH))
    return errors


def _unique_names(pools: list[Any]) -> list[FieldError]:
    seen: set[Any] = set()
    errors: list[FieldError] = []
    for index, pool in enumerate(pools):
        name = dig(pool, "name")
        if name and name in seen:
            errors.append(fielderrors.duplicate(f"{WORKERS}[{index}].name", name))
        seen.add(name)
    return errors


def _bounds(path: str, pool: Any) -> list[FieldError]:
    """Rule 14."""
    errors: list[FieldError] = []
    minimum, maximum = dig(pool, "minimum"), dig(pool, "maximum")
    for field, value in (("minimum", minimum), ("maximum", maximum)):
        if not is_int(value):
            errors.append(fielderrors.required(f"{path}.{field}", "must be a whole number of machines"))
        elif value < 0:
            errors.append(fielderrors.invalid(f"{path}.{field}", value, "must be greater than or equal to 0"))
    if is_int(minimum) and is_int(maximum) and maximum < minimum:
        errors.append(
            fielderrors.forbidden(
                f"{path}.maximum", f"maximum value must not be less than minimum value ({maximum} < {minimum})"
            )
        )
    return errors


def _rolling_update(path: str, pool: Any) -> list[FieldError]:
    """Rule 15."""
    surge, unavailable = dig(pool, "maxSurge"), dig(pool, "maxUnavailable")
    if dig(pool, "updateStrategy") == "ManualInPlaceUpdate":
        return [
            fielderrors.forbidden(f"{path}.{field}", "must not be set when the update strategy is ManualInPlaceUpdate")
            for field, value in (("maxSurge", surge), ("maxUnavailable", unavailable))
            if value is not None
        ]
    errors = _int_or_percent(f"{path}.maxSurge", surge) + _int_or_percent(f"{path}.maxUnavailable", unavailable)
    if errors:
        return errors
    if isinstance(unavailable, str) and int(unavailable[:-1]) > 100:
        errors.append(fielderrors.invalid(f"{path}.maxUnavailable", unavailable, "must not be greater than 100%"))
    if _amount(unavailable) == 0 and surge is not None and _amount(surge) == 0:
        errors.append(
            fielderrors.invalid(
                f"{path}.maxUnavailable",
                unavailable,
                "may not be 0 when `maxSurge` is 0: the pool could never replace a machine",
            )
        )
    return errors


def _int_or_percent(field: str, value: Any) -> list[FieldError]:
    if value is None:
        return []
    if is_int(value):
        return [fielderrors.invalid(field, value, "must be greater than or equal to 0")] if value < 0 else []
    if isinstance(value, str) and _PERCENT.match(value):
        return []
    return [fielderrors.invalid(field, value, "must be an integer or percentage (e.g '5%')")]


def _amount(value: Any) -> int:
    if value is None:
        return 0
    return int(value[:-1]) if isinstance(value, str) else int(value)


def _machine(path: str, pool: Any) -> list[FieldError]:
    """Rule 16 (static part): a machine type, and an image name when an image is given."""
    errors: list[FieldError] = []
    if not dig(pool, "machine", "type"):
        errors.append(fielderrors.required(f"{path}.machine.type", "must specify a machine type"))
    image = dig(pool, "machine", "image")
    if image is not None and not dig(image, "name"):
        errors.append(fielderrors.required(f"{path}.machine.image.name", "must specify a machine image name"))
    return errors


def _volumes(path: str, pool: Any) -> list[FieldError]:
    """Rules 4 (data volume names) and 17 (sizes)."""
    volume, data_volumes = dig(pool, "volume"), items(dig(pool, "dataVolumes"))
    errors = _size(f"{path}.volume.size", dig(volume, "size")) if volume is not None else []
    if data_volumes and volume is None:
        errors.append(fielderrors.required(f"{path}.volume", "a worker volume must be defined if data volumes are"))
    names: set[Any] = set()
    for index, data_volume in enumerate(data_volumes):
        item = f"{path}.dataVolumes[{index}]"
        errors += _data_volume_name(f"{item}.name", dig(data_volume, "name"), seen=names)
        errors += _size(f"{item}.size", dig(data_volume, "size"))
    kubelet_volume = dig(pool, "kubeletDataVolumeName")
    if kubelet_volume is not None and kubelet_volume not in names:
        errors.append(
            fielderrors.invalid(
                f"{path}.kubeletDataVolumeName",
                kubelet_volume,
                "must name one of the pool's dataVolumes",
            )
        )
    return errors


def _data_volume_name(field: str, name: Any, *, seen: set[Any]) -> list[FieldError]:
    if not name:
        return [fielderrors.required(field, "data volume name is required")]
    errors = formats.dns_label(field, name)
    if isinstance(name, str) and len(name) > MAX_DATA_VOLUME_NAME_LENGTH:
        errors.append(fielderrors.too_long(field, name, MAX_DATA_VOLUME_NAME_LENGTH))
    if name in seen:
        errors.append(fielderrors.duplicate(field, name))
    seen.add(name)
    return errors


def _size(field: str, size: Any) -> list[FieldError]:
    if size is None:
        return [fielderrors.required(field, "must specify a volume size such as 20Gi")]
    if not isinstance(size, str) or not _VOLUME_SIZE.match(size):
        return [
            fielderrors.invalid(field, size, "volume size must be a whole number of Gi such as 20Gi (regex ^(\\d)+Gi$)")
        ]
    return []


def _system_component_pools(pools: list[Any]) -> list[FieldError]:
    """Rule 19: system components need a pool that allows them and can have nodes in every one of its zones."""
    if not pools:
        return []
    errors: list[FieldError] = []
    found = False
    for index, pool in enumerate(pools):
        maximum = dig(pool, "maximum")
        if dig(pool, "systemComponents", "allow") is False or not is_int(maximum) or maximum <= 0:
            continue
        found = True
        zones = items(dig(pool, "zones"))
        if maximum < len(zones):
            errors.append(
                fielderrors.forbidden(
                    f"{WORKERS}[{index}].maximum",
                    f"maximum node count ({maximum}) must be at least the number of zones of this pool ({len(zones)})",
                )
            )
    if not found:
        errors.append(
            fielderrors.forbidden(
                WORKERS,
                "at least one active (maximum > 0) worker pool with systemComponents.allow=true is needed to run "
                "the cluster's system components",
            )
        )
    return errors
