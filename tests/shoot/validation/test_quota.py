"""Tests for shoot.validation.quota: max-based quota accounting and the cluster lifetime (rule 38)."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

from shoot import fielderrors
from shoot.api import CloudProfile, Shoot
from shoot.fielderrors import FieldError
from shoot.validation import quota
from tests.shoot.validation import reference_objects as objects

NOW = objects.NOW


def _check(
    shoot: dict[str, Any],
    *quotas: dict[str, Any],
    others: list[dict[str, Any]] | None = None,
    old: dict[str, Any] | None = None,
) -> list[FieldError]:
    return quota.validate_quotas(
        shoot,
        quotas=quotas or [objects.quota()],
        shoots_in_scope=others or [],
        cloudprofile=objects.example_cloudprofile(),
        old=old,
        now=NOW,
    )


def _other(name: str, maximum: int) -> dict[str, Any]:
    shoot = objects.example_shoot()
    shoot["metadata"]["name"] = name
    shoot["spec"]["provider"]["workers"][0]["maximum"] = maximum
    return shoot


def test_accepts_a_shoot_within_the_example_quota() -> None:
    assert _check(objects.example_shoot(), others=[_other("a", 10)]) == []


def test_charges_each_worker_pool_at_its_maximum() -> None:
    shoot = objects.example_shoot()
    profile = CloudProfile.model_validate(objects.example_cloudprofile()).spec

    usage = quota.shoot_usage(Shoot.model_validate(shoot), profile)

    # 2 x m5.large (2 cpu, 0 gpu, 8Gi) with a 50Gi gp3 (standard) volume each, one load balancer.
    assert usage == {"cpu": 4, "gpu": 0, "memory": 2 * 8 * 2**30, "storage.standard": 100 * 2**30, "loadbalancer": 1}


def test_rejects_cpu_beyond_the_quota_and_says_by_how_much() -> None:
    shoot = objects.example_shoot()
    shoot["spec"]["provider"]["workers"][0]["maximum"] = 10  # 20 cpu

    errors = _check(shoot, objects.quota(cpu="30"), others=[_other("a", 6)])  # 12 cpu in use

    assert len(errors) == 1
    assert errors[0].field == "spec.provider.workers"
    assert errors[0].reason == fielderrors.FORBIDDEN
    assert errors[0].message == (
        "Forbidden: quota 'garden-trial/trial-quota' exceeded for cpu: this shoot needs 20 and other shoots "
        "use 12, which exceeds the limit of 30 by 2"
    )


def test_rejects_premium_storage_beyond_the_quota_in_gibibytes() -> None:
    shoot = objects.example_shoot()
    shoot["spec"]["provider"]["workers"][0]["volume"] = {"type": "io1", "size": "600Gi"}

    errors = _check(shoot, objects.quota(storage_premium="1000Gi"))

    assert [e.message.split(": ", 1)[1] for e in errors] == [
        "quota 'garden-trial/trial-quota' exceeded for storage.premium: this shoot needs 1200Gi and other "
        "shoots use 0Gi, which exceeds the limit of 1000Gi by 200Gi"
    ]


def test_counts_a_load_balancer_per_shoot_and_ignores_the_shoot_itself_in_scope() -> None:
    shoot = objects.example_shoot()
    one = objects.quota(loadbalancer="1")

    assert _check(shoot, one, others=[shoot]) == []
    errors = _check(shoot, one, others=[_other("a", 1)])
    assert [e.field for e in errors] == ["spec"]
    assert "exceeded for loadbalancer" in errors[0].message


def test_accepts_an_update_that_does_not_grow_a_shoot_already_over_quota() -> None:
    old = objects.example_shoot()
    old["spec"]["provider"]["workers"][0]["maximum"] = 10
    new = copy.deepcopy(old)
    new["spec"]["provider"]["workers"][0]["maximum"] = 9
    tight = objects.quota(cpu="4")

    assert _check(new, tight, old=old) == []
    new["spec"]["provider"]["workers"][0]["maximum"] = 11
    assert [e.message.split(" for ")[1].split(":")[0] for e in _check(new, tight, old=old)] == ["cpu"]


def test_rejects_an_expiration_beyond_the_shortest_cluster_lifetime() -> None:
    short, long = objects.quota(), objects.quota()
    short["spec"]["clusterLifetimeDays"] = 7
    long["spec"]["clusterLifetimeDays"] = 30
    shoot = objects.example_shoot()
    annotations = shoot["metadata"]["annotations"]
    annotations[quota.EXPIRATION_ANNOTATION] = (NOW + timedelta(days=7)).isoformat()
    assert _check(shoot, short, long) == []
    annotations[quota.EXPIRATION_ANNOTATION] = (NOW + timedelta(days=8)).strftime("%Y-%m-%dT%H:%M:%SZ")

    errors = _check(shoot, short, long)

    assert [e.field for e in errors] == ["metadata.annotations[shoot.gardener.cloud/expiration-timestamp]"]
    assert "may live at most 7 days" in errors[0].message


def test_rejects_a_malformed_expiration_timestamp() -> None:
    lifetime = objects.quota()
    lifetime["spec"]["clusterLifetimeDays"] = 7
    shoot = objects.example_shoot()
    shoot["metadata"]["annotations"][quota.EXPIRATION_ANNOTATION] = "next week"

    errors = _check(shoot, lifetime)

    assert [e.message for e in errors] == ['Invalid value: "next week": must be an RFC 3339 timestamp']
