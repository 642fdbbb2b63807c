"""The scheduler controller: binds each shoot without ``spec.seedName`` to a seed chosen by ``choose_seed``.

Run by ``garden.controllers.loop`` when shoots appear or seeds change, and on every resync. A placed shoot is
bound through ``shoots/binding``; an unplaceable one gets the condition ``Scheduled=False`` whose message names
the filters that removed each seed, and is retried when seeds change.
"""

from __future__ import annotations

import collections
import copy
import dataclasses
import logging
import time
from collections.abc import Callable
from typing import Any

from apiserver import errors
from apiserver.context import system_context
from apiserver.service import ResourceService
from garden.controllers import kinds
from garden.scheduler import placement, regions, strategies
from shoot import conditions

log = logging.getLogger(__name__)
JSON = dict[str, Any]
SCHEDULED = "Scheduled"


@dataclasses.dataclass(frozen=True)
class Placement:
    namespace: str
    name: str
    decision: placement.Decision


class SchedulerController:
    def __init__(self, service: ResourceService, *, strategy: str = strategies.SAME_REGION,
                 clock: Callable[[], float] = time.time) -> None:
        self.service = service
        self.kinds = kinds.lookup(service)
        self.strategy = strategy
        self.clock = clock

    def schedule_pending(self) -> list[Placement]:
        """One pass over every unscheduled shoot, oldest first; returns what was decided."""
        shoots = self.service.list(self.kinds.shoots, None).items
        pending = sorted((s for s in shoots if _unscheduled(s)), key=lambda s: s["metadata"]["creationTimestamp"])
        if not pending:
            return []
        seeds = placement.prepare_seeds(self.service.list(self.kinds.seeds, None).items)
        profiles = {p["metadata"]["name"]: p for p in self.service.list(self.kinds.cloudprofiles, None).items}
        region_configs = self._region_configs()
        counts = shoot_counts(shoots)
        out = []
        for shoot in pending:
            decision = placement.choose_seed(shoot, seeds, cloud_profile=profiles.get(_profile_name(shoot)),
                                             strategy=self.strategy, shoot_counts=counts,
                                             region_distances=regions.distances_for(region_configs,
                                                                                    _profile_name(shoot)))
            if self._apply(shoot, decision) and decision.seed:
                counts[decision.seed] += 1
            out.append(Placement(*kinds.key(shoot), decision=decision))
        return out

    def _region_configs(self) -> list[JSON]:
        """Gardener's region-distance ConfigMaps (only MinimalDistance reads them)."""
        configmaps = self.service.registry.get("", "v1", "configmaps")
        if self.strategy != strategies.MINIMAL_DISTANCE or configmaps is None:
            return []
        return self.service.list(configmaps, regions.NAMESPACE, label_selector=regions.SELECTOR).items

    def _apply(self, shoot: JSON, decision: placement.Decision) -> bool:
        try:
            if decision.seed:
                self._bind(shoot, decision.seed)
            else:
                self._report(shoot, decision.message)
            return True
        except errors.ApiError as exc:
            if exc.code == 422 and decision.seed:
                # Admission refused the binding (e.g. networks the seed cannot give): the shoot must say why.
                log.warning("binding %s/%s to %s refused: %s", *kinds.key(shoot), decision.seed, exc)
                self._apply_quietly(shoot, f"binding to seed '{decision.seed}' was refused: {exc}")
                return False
            # 409: the shoot changed meanwhile (its change re-triggers us); 404: it is gone. The next pass retries.
            log.info("scheduling %s/%s deferred: %s", *kinds.key(shoot), exc)
            return False

    def _apply_quietly(self, shoot: JSON, message: str) -> None:
        try:
            self._report(shoot, message)
        except errors.ApiError as exc:
            log.info("status of %s/%s not written: %s", *kinds.key(shoot), exc)

    def _bind(self, shoot: JSON, seed: str) -> None:
        body = copy.deepcopy(shoot)
        body["spec"]["seedName"] = seed
        namespace, name = kinds.key(shoot)
        bound = self.service.update(self.kinds.shoots, namespace, name, body, system_context(),
                                    subresource="binding")
        log.info("shoot %s/%s scheduled to seed %s", namespace, name, seed)
        if conditions.find((shoot.get("status") or {}).get("conditions"), SCHEDULED) is not None:
            self._set_condition(bound, status="True", reason="SchedulingSuccessful",
                                message=f"Scheduled to seed '{seed}'")

    def _report(self, shoot: JSON, message: str) -> None:
        old = conditions.find((shoot.get("status") or {}).get("conditions"), SCHEDULED)
        if old is not None and old.get("status") == "False" and old.get("message") == message:
            return  # unchanged: writing it again would only churn the change log
        self._set_condition(shoot, status="False", reason="SchedulingFailed", message=message)

    def _set_condition(self, shoot: JSON, *, status: str, reason: str, message: str) -> None:
        body = copy.deepcopy(shoot)
        current = body.setdefault("status", {})
        current["conditions"] = conditions.with_condition(current.get("conditions"), kind=SCHEDULED, status=status,
                                                          reason=reason, message=message, now=self.clock())
        namespace, name = kinds.key(shoot)
        self.service.update(self.kinds.shoots, namespace, name, body, system_context(), subresource="status")


def shoot_counts(shoots: list[JSON]) -> collections.Counter[str]:
    """Shoots per seed, counting ``spec.seedName`` and a different ``status.seedName`` (Gardener's usage)."""
    counts: collections.Counter[str] = collections.Counter()
    for shoot in shoots:
        names = {(shoot.get("spec") or {}).get("seedName"), (shoot.get("status") or {}).get("seedName")}
        counts.update(n for n in names if n)
    return counts


def _unscheduled(shoot: JSON) -> bool:
    """Ours to place: no seed yet, not being deleted, and not left to another scheduler."""
    spec = shoot.get("spec") or {}
    ours = (spec.get("schedulerName") or placement.DEFAULT_SCHEDULER) == placement.DEFAULT_SCHEDULER
    return ours and not spec.get("seedName") and not shoot["metadata"].get("deletionTimestamp")


def _profile_name(shoot: JSON) -> str:
    spec = shoot.get("spec") or {}
    return str((spec.get("cloudProfile") or {}).get("name") or spec.get("cloudProfileName") or "")
