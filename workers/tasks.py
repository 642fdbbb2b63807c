"""Celery task adapters: thin wrappers that carry ids and a generation and call plain functions.

``register_seed_tasks`` gives a seed-role app ``hortus.reconcile_shoot`` (the body is
``seed.agent.reconcile.reconcile_shoot``); ``register_garden_tasks`` gives a garden-role app the resync that beat
runs; ``sender`` is how the garden's dispatcher publishes work to ``seed.<name>``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from celery import Celery

from garden.controllers import dispatch
from garden.controllers.loop import GardenControllers
from seed.agent import reconcile
from workers.app import seed_queue

log = logging.getLogger(__name__)
RECONCILE = "hortus.reconcile_shoot"
RESYNC = "hortus.garden.resync"


def sender(app: Celery) -> dispatch.Send:
    """Publish one ``reconcile_shoot`` message on the shoot's seed queue (raises when the broker is down)."""

    def send(work: dispatch.Work) -> None:
        app.send_task(RECONCILE, kwargs={"uid": work.uid, "generation": work.generation,
                                         "namespace": work.namespace, "name": work.name},
                      queue=seed_queue(work.seed))

    return send


def register_seed_tasks(app: Celery, agent: Callable[[], reconcile.Agent]) -> None:
    @app.task(name=RECONCILE, bind=True, max_retries=None)  # type: ignore[untyped-decorator]
    def reconcile_shoot(task: Any, *, uid: str, generation: int, namespace: str, name: str) -> str:
        try:
            outcome = reconcile.reconcile_shoot(agent(), uid=uid, generation=generation, namespace=namespace,
                                                name=name)
        except reconcile.TemporaryError as exc:
            log.info("shoot %s/%s: %s; retrying in %.0f s", namespace, name, exc, exc.delay)
            raise task.retry(countdown=exc.delay) from None
        log.info("shoot %s/%s generation %d: %s", namespace, name, generation, outcome)
        return outcome


def register_garden_tasks(app: Celery, controllers: Callable[[], GardenControllers]) -> None:
    @app.task(name=RESYNC)  # type: ignore[untyped-decorator]
    def resync() -> None:
        controllers().resync()
