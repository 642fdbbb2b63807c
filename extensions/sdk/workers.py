"""Worker pools as machine deployments, and rolling them: the generic Worker logic of Gardener, pure.

Used by the Worker actuators (``extensions.local`` machines as pods, ``extensions.aws`` machines as EC2
instances): ``deployments`` spreads each pool over its zones as Gardener does (``<technicalID>-<pool>-z<N>``,
minimum/maximum/maxSurge/maxUnavailable distributed), ``plan`` says which machines to create and delete for one
deployment so that it converges on its replicas with at most maxSurge extra and maxUnavailable missing machines,
and ``worker_status`` is ``status.machineDeployments`` as Gardener reports it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import re
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from extensions.contract import JSON

_PERCENT = re.compile(r"(\d+)%")


@dataclasses.dataclass(frozen=True)
class Deployment:
    """One pool in one zone: the machines that share a class (type, image, version) and their counts."""

    name: str
    pool: str
    zone: str
    zone_index: int
    minimum: int
    maximum: int
    max_surge: int | str
    max_unavailable: int | str
    class_hash: str
    priority: int | None = None

    def replicas(self, previous: int | None) -> int:
        """Gardener keeps a deployment's replicas (scaled by the autoscaler) within minimum and maximum."""
        wanted = self.minimum if previous is None else previous
        return max(self.minimum, min(self.maximum, wanted))

    def machine_name(self) -> str:
        """A new machine's name, ``<deployment>-<class hash>-<random>`` as machine-controller-manager names them
        (at most 63 characters: it is a label value and a hostname)."""
        suffix = f"{self.class_hash[:5]}-{secrets.token_hex(3)[:5]}"
        base = self.name if len(self.name) + len(suffix) + 1 <= 63 else _shortened(self.name, 63 - len(suffix) - 1)
        return f"{base}-{suffix}"


@dataclasses.dataclass(frozen=True)
class Machine:
    name: str
    class_hash: str
    ready: bool
    terminating: bool = False
    failed: bool = False
    created: str = ""


@dataclasses.dataclass(frozen=True)
class Plan:
    create: int
    delete: tuple[str, ...]
    done: bool
    message: str


def distribute(value: int, zone_index: int, zones: int) -> int:
    """Gardener's ``DistributeOverZones``: an even share, the remainder to the first zones."""
    return value // zones + (1 if zone_index < value % zones else 0)


def _distribute_int_or_percent(value: Any, zone_index: int, zones: int) -> int | str:
    if isinstance(value, str) and _PERCENT.fullmatch(value):
        return value
    return distribute(int(value or 0), zone_index, zones)


def class_hash(pool: JSON, *, kubernetes_version: str) -> str:
    """What makes machines of a pool replaced rather than updated: Gardener's worker pool hash (machine type, image,
    Kubernetes minor version, volume, architecture, CRI, provider config)."""
    minor = ".".join((pool.get("kubernetesVersion") or kubernetes_version).split(".")[:2])
    data = [pool.get("machineType"), pool.get("machineImage"), minor, pool.get("volume"),
            pool.get("architecture"), pool.get("cri"), pool.get("providerConfig"), pool.get("dataVolumes")]
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


def deployments(technical_id: str, pools: Iterable[JSON], *, region: str, kubernetes_version: str) -> list[Deployment]:
    """Every pool and zone of a Worker's ``spec.pools`` (a pool without zones runs in the region, as one zone)."""
    out = []
    for pool in pools:
        zones = list(pool.get("zones") or []) or [region]
        digest = class_hash(pool, kubernetes_version=kubernetes_version)
        for index, zone in enumerate(zones):
            out.append(Deployment(
                name=f"{technical_id}-{pool['name']}-z{index + 1}", pool=pool["name"], zone=zone, zone_index=index,
                minimum=distribute(int(pool.get("minimum", 0)), index, len(zones)),
                maximum=distribute(int(pool.get("maximum", 0)), index, len(zones)),
                max_surge=_distribute_int_or_percent(pool.get("maxSurge", 1), index, len(zones)),
                max_unavailable=_distribute_int_or_percent(pool.get("maxUnavailable", 0), index, len(zones)),
                class_hash=digest, priority=pool.get("priority")))
    return out


def worker_status(found: Sequence[Deployment], *, updated: str) -> JSON:
    """``status.machineDeployments`` (and their update time), which Gardener's cluster-autoscaler reads."""
    listed = []
    for d in found:
        entry: JSON = {"name": d.name, "minimum": d.minimum, "maximum": d.maximum}
        if d.priority is not None:
            entry["priority"] = d.priority
        listed.append(entry)
    return {"machineDeployments": listed, "machineDeploymentsLastUpdateTime": updated}


def _absolute(value: int | str, replicas: int, *, round_up: bool) -> int:
    if isinstance(value, str):
        match = _PERCENT.fullmatch(value)
        share = replicas * int(match.group(1)) / 100 if match else 0
        return math.ceil(share) if round_up else math.floor(share)
    return int(value)


def plan(deployment: Deployment, machines: Sequence[Machine], *, replicas: int) -> Plan:
    """The next step of a rolling update of ``deployment`` towards ``replicas`` machines of its class."""
    surge = _absolute(deployment.max_surge, replicas, round_up=True)
    unavailable = _absolute(deployment.max_unavailable, replicas, round_up=False)
    if surge == 0 and unavailable == 0:
        surge = 1  # Gardener's validation forbids both zero; a deployment must be able to move
    live = [m for m in machines if not m.terminating]
    failed = [m.name for m in live if m.failed]
    live = [m for m in live if not m.failed]
    new = [m for m in live if m.class_hash == deployment.class_hash]
    old = [m for m in live if m.class_hash != deployment.class_hash]
    create, delete = 0, list(failed)
    if not old:
        if len(new) < replicas:
            create = replicas - len(new)
        elif len(new) > replicas:
            delete += [m.name for m in _removal_order(new)[:len(new) - replicas]]
    else:
        room = replicas + surge - len(live)
        create = max(0, min(replicas - len(new), room))
        delete += [m.name for m in old if not m.ready]  # not serving: they count as unavailable already
        available = sum(1 for m in live if m.ready)
        removable = max(0, available - (replicas - unavailable))
        delete += [m.name for m in _oldest_first(m for m in old if m.ready)][:removable]
    terminating = sum(1 for m in machines if m.terminating)
    ready_new = sum(1 for m in new if m.ready)
    done = not old and not failed and terminating == 0 and create == 0 and not delete and ready_new == replicas
    return Plan(create=create, delete=tuple(delete), done=done,
                message=_describe(deployment, replicas=replicas, ready=ready_new, old=len(old), gone=terminating))


def _removal_order(machines: Sequence[Machine]) -> list[Machine]:
    """Which machines of a deployment go first on scale-down: not ready ones, then the newest."""
    return sorted(machines, key=lambda m: (m.ready, _negated(m.created)))


def _oldest_first(machines: Iterable[Machine]) -> list[Machine]:
    return sorted(machines, key=lambda m: (m.created, m.name))


def _negated(stamp: str) -> tuple[int, ...]:
    return tuple(-ord(c) for c in stamp)


def _describe(deployment: Deployment, *, replicas: int, ready: int, old: int, gone: int) -> str:
    text = f"{deployment.name}: {ready} of {replicas} machines ready"
    if old:
        text += f", {old} of an older class to replace"
    if gone:
        text += f", {gone} terminating"
    return text


def _shortened(name: str, limit: int) -> str:
    digest = hashlib.sha256(name.encode()).hexdigest()[:6]
    return f"{name[:limit - 7].rstrip('-')}-{digest}"
