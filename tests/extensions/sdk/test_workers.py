"""Pools as machine deployments and their rolling updates, as pure functions."""

from __future__ import annotations

import pytest

from extensions.sdk import workers
from extensions.sdk.workers import Machine


def _deployments(**pool: object) -> list[workers.Deployment]:
    base = {"name": "w1", "machineType": "m5.large", "machineImage": {"name": "ubuntu", "version": "22.04"},
            "minimum": 3, "maximum": 5, "maxSurge": 2, "maxUnavailable": 1, "zones": ["a", "b"]}
    base.update(pool)
    return workers.deployments("shoot--p--s", [base], region="r", kubernetes_version="1.32.8")


def test_pools_are_spread_over_zones_as_gardener_does() -> None:
    a, b = _deployments()
    assert (a.name, a.zone, a.minimum, a.maximum, a.max_surge, a.max_unavailable) == (
        "shoot--p--s-w1-z1", "a", 2, 3, 1, 1)
    assert (b.name, b.zone, b.minimum, b.maximum, b.max_surge, b.max_unavailable) == (
        "shoot--p--s-w1-z2", "b", 1, 2, 1, 0)
    (only,) = _deployments(zones=[], maxSurge="25%")
    assert (only.zone, only.max_surge) == ("r", "25%")


def test_the_class_changes_with_image_type_and_minor_version_but_not_the_patch() -> None:
    base = _deployments()[0].class_hash
    assert _deployments(kubernetesVersion="1.32.9")[0].class_hash == base
    assert _deployments(kubernetesVersion="1.33.0")[0].class_hash != base
    assert _deployments(machineImage={"name": "ubuntu", "version": "24.04"})[0].class_hash != base
    assert _deployments(machineType="m5.xlarge")[0].class_hash != base
    assert _deployments(minimum=1)[0].class_hash == base


def test_replicas_stay_within_minimum_and_maximum() -> None:
    d = _deployments()[0]
    assert (d.replicas(None), d.replicas(1), d.replicas(3), d.replicas(9)) == (2, 2, 3, 3)


def _machines(n: int, *, cls: str, ready: bool = True, prefix: str = "m") -> list[Machine]:
    return [Machine(name=f"{prefix}{i}", class_hash=cls, ready=ready, created=f"2024-01-0{i + 1}") for i in range(n)]


def test_scaling_creates_and_removes_not_ready_then_newest_first() -> None:
    d = _deployments()[0]
    assert workers.plan(d, [], replicas=2).create == 2
    machines = [*_machines(2, cls=d.class_hash), Machine(name="late", class_hash=d.class_hash, ready=True,
                                                         created="2024-02-01"),
                Machine(name="sick", class_hash=d.class_hash, ready=False, created="2023-01-01")]
    step = workers.plan(d, machines, replicas=2)
    assert (step.create, step.delete, step.done) == (0, ("sick", "late"), False)
    assert workers.plan(d, _machines(2, cls=d.class_hash), replicas=2).done


@pytest.mark.parametrize(("surge", "unavailable", "first"), [(1, 0, (1, ())), (0, 1, (0, ("m0",))),
                                                             (2, 1, (2, ("m0",)))])
def test_a_roll_keeps_within_surge_and_unavailability(surge: int, unavailable: int,
                                                     first: tuple[int, tuple[str, ...]]) -> None:
    d = _deployments(maxSurge=surge, maxUnavailable=unavailable, zones=["a"])[0]
    old = _machines(3, cls="old")
    step = workers.plan(d, old, replicas=3)
    assert (step.create, step.delete) == first
    assert not step.done and "3 of an older class to replace" in step.message


def test_a_roll_goes_on_as_new_machines_get_ready_and_ends() -> None:
    d = _deployments(maxSurge=1, maxUnavailable=0, zones=["a"])[0]
    old, new = _machines(2, cls="old"), _machines(1, cls=d.class_hash, ready=False, prefix="n")
    assert workers.plan(d, [*old, *new], replicas=2).delete == ()  # nothing removed before the new one is ready
    new = _machines(1, cls=d.class_hash, prefix="n")
    assert workers.plan(d, [*old, *new], replicas=2).delete == ("m0",)
    done = workers.plan(d, _machines(2, cls=d.class_hash, prefix="n"), replicas=2)
    assert done.done and (done.create, done.delete) == (0, ())


def test_failed_machines_are_replaced_and_both_limits_zero_still_moves() -> None:
    d = _deployments(maxSurge=0, maxUnavailable=0, zones=["a"])[0]
    failed = Machine(name="f", class_hash=d.class_hash, ready=False, failed=True)
    step = workers.plan(d, [failed], replicas=1)
    assert (step.create, step.delete) == (1, ("f",))
    assert workers.plan(d, _machines(1, cls="old"), replicas=1).create == 1


def test_machine_names_fit_a_label_value() -> None:
    (d,) = workers.deployments("shoot--a-long-project--a-rather-long-shoot-name", [
        {"name": "a-long-pool-name", "minimum": 1, "maximum": 1}], region="r", kubernetes_version="1.32.0")
    name = d.machine_name()
    assert len(name) <= 63 and name.startswith("shoot--a-long-project--a-rather") and name != d.machine_name()
