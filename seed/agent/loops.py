"""The seed agent's periodic care: every ``interval`` seconds, the health conditions of each shoot on its seed.

Run by the seed worker (``workers.agent``) in a thread beside the heartbeat, like gardenlet's care controller.
Shoots being deleted, not yet created (no ``technicalID``) or not on this seed are left alone; each shoot's check
is independent, and a failing one is logged and tried again next round.
"""

from __future__ import annotations

import concurrent.futures as futures
import logging
import threading
from typing import TYPE_CHECKING, Any

from seed.agent import care
from seed.agent.garden import GardenError
from shoot import errors, triggers

if TYPE_CHECKING:
    from seed.agent.reconcile import Agent

log = logging.getLogger(__name__)
JSON = dict[str, Any]


def due(agent: Agent, shoot: JSON) -> bool:
    status = shoot.get("status") or {}
    return (not shoot["metadata"].get("deletionTimestamp") and bool(status.get("technicalID"))
            and (shoot.get("spec") or {}).get("seedName") == agent.seed and bool(status.get("lastOperation")))


def care_once(agent: Agent, shoot: JSON) -> None:
    namespace = triggers.technical_id(shoot)
    try:
        care.care_shoot(agent.garden, agent.api, lambda: agent.access.api(namespace), shoot, now=agent.clock(),
                        thresholds=agent.thresholds)
    except (errors.FlowError, GardenError) as exc:
        log.info("care of %s: %s", namespace, exc)


def care_all(agent: Agent, *, workers: int = 4) -> int:
    """One round over every shoot on the seed; how many were checked."""
    shoots = [s for s in agent.garden.list_shoots() if due(agent, s)]
    with futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="care") as pool:
        list(pool.map(lambda s: care_once(agent, s), shoots))
    return len(shoots)


class CareLoop(threading.Thread):
    def __init__(self, agent: Agent, *, interval: float) -> None:
        super().__init__(name=f"care-{agent.seed}", daemon=True)
        self.agent = agent
        self.interval = interval
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self.interval):
            try:
                care_all(self.agent)
            except Exception:  # one failed round must not end the loop
                log.exception("care round of seed %s failed", self.agent.seed)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=10)
