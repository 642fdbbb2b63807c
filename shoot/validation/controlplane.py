"""Rule 31 (static part): control-plane high availability and zone pinning.

Called by ``shoot.validation.validate_shoot``. Whether the seed has three zones and the CloudProfile allows
zone pinning needs those objects and is the admission's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shoot import fielderrors
from shoot.fielderrors import FieldError
from shoot.validation.formats import dig, items

FAILURE_TOLERANCE_TYPES = ("node", "zone")
HA = "spec.controlPlane.highAvailability"
TYPE = f"{HA}.failureTolerance.type"
ZONES = "spec.controlPlane.zones"


def validate(new: Mapping[str, Any], old: Mapping[str, Any] | None) -> list[FieldError]:
    tolerance = _tolerance(new)
    errors: list[FieldError] = []
    if dig(new, "spec", "controlPlane", "highAvailability") is not None and tolerance not in FAILURE_TOLERANCE_TYPES:
        errors.append(fielderrors.not_supported(TYPE, tolerance, FAILURE_TOLERANCE_TYPES))
    errors += _zones(new)
    if old is not None:
        errors += _tolerance_update(new, old) + _zones_update(new, old)
    return errors


def _tolerance(shoot: Mapping[str, Any] | None) -> Any:
    return dig(shoot, "spec", "controlPlane", "highAvailability", "failureTolerance", "type")


def _zones(shoot: Mapping[str, Any]) -> list[FieldError]:
    zones = items(dig(shoot, "spec", "controlPlane", "zones"))
    if not zones:
        return []
    errors = [fielderrors.duplicate(f"{ZONES}[{i}]", zone) for i, zone in enumerate(zones) if zone in zones[:i]]
    wanted = 3 if _tolerance(shoot) == "zone" else 1
    if len(zones) != wanted:
        reason = (
            "failure tolerance type zone spreads"
            if wanted == 3
            else "a control plane without zone failure tolerance runs in"
        )
        errors.append(
            fielderrors.invalid(ZONES, zones, f"must list exactly {wanted} zone(s): {reason} {wanted} zone(s)")
        )
    return errors


def _tolerance_update(new: Mapping[str, Any], old: Mapping[str, Any]) -> list[FieldError]:
    old_type, new_type = _tolerance(old), _tolerance(new)
    if old_type is None:
        return _enable_while_hibernated(new, old) if new_type is not None else []
    # The control plane's etcd members are placed once the shoot is scheduled; they cannot move afterwards.
    if not dig(old, "spec", "seedName"):
        return []
    if new_type is None:
        return [fielderrors.forbidden(HA, "high availability cannot be disabled once the shoot is scheduled")]
    if new_type != old_type:
        return [fielderrors.invalid(TYPE, new_type, f"field is immutable once the shoot is scheduled (was {old_type})")]
    return []


def _enable_while_hibernated(new: Mapping[str, Any], old: Mapping[str, Any]) -> list[FieldError]:
    if dig(old, "status", "hibernated") is True or dig(new, "spec", "hibernation", "enabled") is True:
        return [fielderrors.forbidden(HA, "high availability cannot be enabled while the shoot is hibernated")]
    return []


def _zones_update(new: Mapping[str, Any], old: Mapping[str, Any]) -> list[FieldError]:
    old_zones, zones = (
        items(dig(old, "spec", "controlPlane", "zones")),
        items(dig(new, "spec", "controlPlane", "zones")),
    )
    if not old_zones or not zones or zones == old_zones:
        return []
    upgrade = len(old_zones) == 1 and len(zones) == 3 and old_zones[0] in zones and _tolerance(new) == "zone"
    if upgrade:
        return []
    return [
        fielderrors.invalid(
            ZONES,
            zones,
            "field is immutable, except for clearing it or growing from 1 to 3 zones when moving to zone HA",
        )
    ]
