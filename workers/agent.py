"""The seed agent process: a seed-role Celery worker on ``seed.<name>``, plus the seed's heartbeat.

Started by ``hortus seed agent``. The worker uses a thread pool (reconciles wait on HTTP, and one process shares
the garden and seed clients); ``acks_late`` means a task is acknowledged only once it returned, so an agent killed
mid-task leaves the message to be redelivered (Redis) or re-derived by the garden's resync (any broker).
"""

from __future__ import annotations

import logging
import os
import socket

from seed.agent import heartbeat, reconcile
from seed.agent.garden import GardenClient
from seed.agent.lock import ShootLock
from seed.kube import SeedKube
from workers import logs, tasks
from workers.app import make_celery, seed_queue
from workers.settings import WorkerSettings

log = logging.getLogger(__name__)


def identity(seed: str) -> str:
    return f"{seed}-agent-{socket.gethostname()}-{os.getpid()}"


def build_agent(settings: WorkerSettings, *, seed: str) -> reconcile.Agent:
    if settings.garden_kubeconfig is None or settings.seed_kubeconfig is None:
        raise ValueError("the seed agent needs --garden-kubeconfig and --seed-kubeconfig")
    me = identity(seed)
    kube = SeedKube(settings.seed_kubeconfig)
    return reconcile.Agent(seed=seed, identity=me, garden=GardenClient(settings.garden_kubeconfig), kube=kube,
                           lock=ShootLock(kube, holder=me, lease_seconds=settings.lock_lease_seconds),
                           sync_period=settings.sync_period, pause=settings.reconcile_pause)


def run_agent(settings: WorkerSettings, *, seed: str, concurrency: int = 4) -> None:
    """Run until stopped (SIGTERM/SIGINT: warm shutdown, running tasks finish)."""
    logs.quiet()
    agent = build_agent(settings, seed=seed)
    agent.lock.ensure_namespace()
    app = make_celery(settings, role="seed", seed_name=seed)
    tasks.register_seed_tasks(app, lambda: agent)
    beat = heartbeat.Heartbeat(agent.garden, seed, identity=agent.identity, interval=settings.heartbeat_interval)
    beat.start()
    log.info("seed agent %s consuming %s on %s", agent.identity, seed_queue(seed), app.conf.broker_url)
    try:
        worker = app.Worker(queues=[seed_queue(seed)], pool="threads", concurrency=concurrency,
                            hostname=f"{agent.identity}@{socket.gethostname()}", without_mingle=True,
                            without_gossip=True, without_heartbeat=True, loglevel="INFO")
        worker.start()
    finally:
        beat.stop()
        agent.garden.close()
        # The seed client's sockets end with the process; ``SeedKube.close`` would run a full garbage collection
        # (seconds in a loaded process) only to close them a moment earlier.
