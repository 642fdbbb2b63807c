"""Quota accounting for shoots (Gardener's ShootQuotaValidator, §3 rule 38), with no I/O.

A shoot is charged for the most it can grow to: ``maximum`` machines of each pool times the machine type's
cpu/gpu/memory and volume size per volume class, plus one load balancer (two with the nginx addon). The
garden's admission passes the quotas of the shoot's binding and the other shoots charged to them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from shoot import fielderrors
from shoot.api.cloudprofile import CloudProfile, CloudProfileSpec
from shoot.api.project import Quota
from shoot.api.shoot import Shoot, Worker
from shoot.fielderrors import FieldError
from shoot.quantity import parse_quantity

EXPIRATION_ANNOTATION = "shoot.gardener.cloud/expiration-timestamp"
EXPIRATION_PATH = f"metadata.annotations[{EXPIRATION_ANNOTATION}]"
LOADBALANCER = "loadbalancer"
# Metrics counted in bytes are shown in Gi so that a message compares like with like.
_BYTE_METRICS = ("memory", "storage.")
_GI = Decimal(2**30)

Usage = dict[str, Decimal]


def validate_quotas(
    shoot: dict[str, Any],
    *,
    quotas: Iterable[dict[str, Any]],
    shoots_in_scope: Iterable[dict[str, Any]],
    cloudprofile: dict[str, Any],
    old: dict[str, Any] | None,
    now: datetime,
) -> list[FieldError]:
    """Every quota of the shoot's binding must still hold with this shoot at its maximum size.

    ``shoots_in_scope`` are the other shoots charged to these quotas (the shoot itself is skipped if present);
    their machine types are looked up in ``cloudprofile`` and a type it does not offer is charged nothing.
    On UPDATE only metrics the change increases are checked, so shrinking never fails on an old overrun.
    """
    profile = _profile_spec(cloudprofile)
    new_shoot = Shoot.model_validate(shoot)
    mine = shoot_usage(new_shoot, profile)
    before = shoot_usage(Shoot.model_validate(old), profile) if old is not None else {}
    others = _total(
        shoot_usage(Shoot.model_validate(other), profile)
        for other in shoots_in_scope
        if _identity(other) != _identity(shoot)
    )
    parsed = [Quota.model_validate(quota) for quota in quotas]
    errors = []
    for quota in parsed:
        errors += _check_quota(quota, mine=mine, before=before, others=others)
    errors += _validate_lifetime(new_shoot, quotas=parsed, now=now)
    return errors


def _profile_spec(cloudprofile: dict[str, Any]) -> CloudProfileSpec:
    return CloudProfile.model_validate(cloudprofile).spec


def shoot_usage(shoot: Shoot, profile: CloudProfileSpec) -> Usage:
    """What ``shoot`` is charged: worker resources at ``maximum`` and its load balancers."""
    usage: Usage = defaultdict(Decimal)
    for worker in shoot.spec.provider.workers or []:
        for metric, amount in _worker_usage(worker, profile).items():
            usage[metric] += amount
    addons = shoot.spec.addons
    nginx = bool(addons and addons.nginx_ingress and addons.nginx_ingress.enabled)
    usage[LOADBALANCER] += 2 if nginx else 1
    return dict(usage)


def _worker_usage(worker: Worker, profile: CloudProfileSpec) -> Usage:
    machine_type = next((t for t in profile.machine_types if t.name == worker.machine.type), None)
    if machine_type is None:
        return {}
    count = Decimal(worker.maximum)
    usage = {"cpu": count * parse_quantity(machine_type.cpu), "memory": count * parse_quantity(machine_type.memory)}
    if machine_type.gpu is not None:
        usage["gpu"] = count * parse_quantity(machine_type.gpu)
    volume_class = _volume_class(worker, profile)
    if volume_class and worker.volume is not None:
        usage[f"storage.{volume_class}"] = count * parse_quantity(worker.volume.size)
    return usage


def _volume_class(worker: Worker, profile: CloudProfileSpec) -> str | None:
    """A machine type with its own storage fixes the class; otherwise the volume type's class counts."""
    machine_type = next((t for t in profile.machine_types if t.name == worker.machine.type), None)
    if machine_type is not None and machine_type.storage is not None:
        return machine_type.storage.class_
    volume_type_name = worker.volume.type if worker.volume else None
    volume_type = next((v for v in profile.volume_types or [] if v.name == volume_type_name), None)
    return volume_type.class_ if volume_type else None


def _total(usages: Iterable[Usage]) -> Usage:
    total: Usage = defaultdict(Decimal)
    for usage in usages:
        for metric, amount in usage.items():
            total[metric] += amount
    return dict(total)


def _check_quota(quota: Quota, *, mine: Usage, before: Usage, others: Usage) -> list[FieldError]:
    name = f"{quota.metadata.namespace}/{quota.metadata.name}" if quota.metadata.namespace else quota.metadata.name
    errors = []
    for metric, limit_text in quota.spec.metrics.items():
        requested = mine.get(metric, Decimal(0))
        if requested <= before.get(metric, Decimal(0)):
            continue
        limit = parse_quantity(limit_text)
        used = others.get(metric, Decimal(0))
        if used + requested <= limit:
            continue
        detail = (
            f"quota {name!r} exceeded for {metric}: this shoot needs {_show(metric, requested)} and other shoots "
            f"use {_show(metric, used)}, which exceeds the limit of {_show(metric, limit)} "
            f"by {_show(metric, used + requested - limit)}"
        )
        path = "spec.provider.workers" if metric != LOADBALANCER else "spec"
        errors.append(fielderrors.forbidden(path, detail))
    return errors


def _show(metric: str, amount: Decimal) -> str:
    if metric.startswith(_BYTE_METRICS):
        gibibytes = amount / _GI
        return f"{gibibytes.normalize():f}Gi"
    return f"{amount.normalize():f}"


def _validate_lifetime(shoot: Shoot, *, quotas: list[Quota], now: datetime) -> list[FieldError]:
    """``expiration-timestamp`` may lie at most the shortest ``clusterLifetimeDays`` of its quotas ahead."""
    annotations = shoot.metadata.annotations or {}
    value = annotations.get(EXPIRATION_ANNOTATION)
    days = [q.spec.cluster_lifetime_days for q in quotas if q.spec.cluster_lifetime_days is not None]
    if value is None or not days:
        return []
    try:
        expires = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return [fielderrors.invalid(EXPIRATION_PATH, value, "must be an RFC 3339 timestamp")]
    if expires.tzinfo is None:
        return [fielderrors.invalid(EXPIRATION_PATH, value, "must be an RFC 3339 timestamp with a time zone")]
    latest = now + timedelta(days=min(days))
    if expires <= latest:
        return []
    detail = (
        f"the shoot may live at most {min(days)} days (clusterLifetimeDays of its quotas), "
        f"so it must expire by {latest.isoformat()}"
    )
    return [fielderrors.invalid(EXPIRATION_PATH, value, detail)]


def _identity(obj: dict[str, Any]) -> tuple[str, str]:
    meta = obj.get("metadata") or {}
    return (meta.get("namespace") or "", meta.get("name") or "")
