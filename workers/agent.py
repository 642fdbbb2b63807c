"""The seed agent process: a seed-role Celery worker on ``seed.<name>``, plus the seed's heartbeat and care loop.

Started by ``hortus seed agent``. The worker uses a thread pool (reconciles wait on HTTP, and one process shares
the garden and seed clients); ``acks_late`` means a task is acknowledged only once it returned, so an agent killed
mid-task leaves the message to be redelivered (Redis) or re-derived by the garden's resync (any broker).
"""

from __future__ import annotations

import logging
import os
import socket

from extensions.registry import Registry
from seed.agent import components, heartbeat, loops, reconcile
from seed.agent.garden import GardenClient
from seed.agent.lock import ShootLock
from seed.agent.shoot_access import ShootAccess
from seed.flow.components import Components
from seed.flow.engine import Hook
from seed.kube import KubeApi, SeedKube
from shoot import care
from workers import logs, tasks
from workers.app import make_celery, seed_queue
from workers.settings import WorkerSettings

log = logging.getLogger(__name__)


def identity(seed: str) -> str:
    return f"{seed}-agent-{socket.gethostname()}-{os.getpid()}"


def thresholds(settings: WorkerSettings) -> dict[str, float | None]:
    def given(value: float) -> float | None:
        return None if value < 0 else value

    out: dict[str, float | None] = {kind: given(settings.condition_threshold) for kind in care.ORDER}
    out[care.NODES] = given(settings.nodes_condition_threshold)
    return out


def build_agent(settings: WorkerSettings, *, seed: str, renderers: Components | None = None,
                hook: Hook | None = None) -> reconcile.Agent:
    """The agent of ``seed``; ``renderers`` and ``hook`` replace the control-plane renderers and observe steps
    (tests only)."""
    if settings.garden_kubeconfig is None or settings.seed_kubeconfig is None:
        raise ValueError("the seed agent needs --garden-kubeconfig and --seed-kubeconfig")
    me = identity(seed)
    kube = SeedKube(settings.seed_kubeconfig)
    api = KubeApi.from_kubeconfig(settings.seed_kubeconfig)
    access = ShootAccess(settings.seed_kubeconfig, api)
    return reconcile.Agent(seed=seed, identity=me, garden=GardenClient(settings.garden_kubeconfig), kube=kube,
                           lock=ShootLock(kube, holder=me, lease_seconds=settings.lock_lease_seconds), api=api,
                           access=access, registry=Registry.load(),
                           components=renderers or components.default(seed_ca=access.ca_pem),
                           sync_period=settings.sync_period,
                           retry_duration=settings.retry_duration, error_backoff=settings.error_backoff,
                           thresholds=thresholds(settings), hook=hook)


def run_agent(settings: WorkerSettings, *, seed: str, concurrency: int = 4, renderers: Components | None = None,
              hook: Hook | None = None) -> None:
    """Run until stopped (SIGTERM/SIGINT: warm shutdown, running tasks finish)."""
    logs.quiet()
    agent = build_agent(settings, seed=seed, renderers=renderers, hook=hook)
    agent.lock.ensure_namespace()
    app = make_celery(settings, role="seed", seed_name=seed)
    tasks.register_seed_tasks(app, lambda: agent)
    beat = heartbeat.Heartbeat(agent.garden, seed, identity=agent.identity, interval=settings.heartbeat_interval)
    beat.start()
    caring = loops.CareLoop(agent, interval=settings.care_period)
    caring.start()
    log.info("seed agent %s consuming %s on %s", agent.identity, seed_queue(seed), app.conf.broker_url)
    try:
        worker = app.Worker(queues=[seed_queue(seed)], pool="threads", concurrency=concurrency,
                            hostname=f"{agent.identity}@{socket.gethostname()}", without_mingle=True,
                            without_gossip=True, without_heartbeat=True, loglevel="INFO")
        worker.start()
    finally:
        caring.stop()
        beat.stop()
        agent.garden.close()
        # The seed clients' sockets end with the process; closing them would run a full garbage collection
        # (seconds in a loaded process) only to close them a moment earlier.
