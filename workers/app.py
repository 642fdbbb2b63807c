"""The Celery app factory for both roles: the garden (queue ``garden``) and a seed agent (queue ``seed.<name>``).

Called by the seed agent's worker (``workers.agent``), the garden's dispatcher (to publish) and tests. Delivery is
at least once: ``acks_late`` + ``task_reject_on_worker_lost`` + prefetch 1, JSON only, tasks carry ids.

Brokers and their limits (measured, see docs/workers.md):

- ``redis://`` (production): a message taken by a worker that dies as a whole (SIGKILL, node loss) is restored
  after ``visibility_timeout`` by the next ``restore_visible`` sweep of any worker (every
  ``unacked_restore_interval`` s, throttle 1). The timeout is longer than the longest task (``task_time_limit``),
  so a slow task is never handed to a second worker while it still runs.
- ``hortusfs://`` (the embedded default: kombu's filesystem transport with atomic message files,
  ``workers.fsbroker``; folders under ``<state_dir>/broker``): no Redis needed, but a message taken by a worker
  that dies as a whole is lost. Correctness never rests on the broker: the dispatcher re-derives pending work
  from the database and re-sends it (``resend_after``), so a lost message only delays work.
"""

from __future__ import annotations

from typing import Any

from celery import Celery
from kombu import transport as kombu_transports
from kombu.entity import Queue

from workers import fsbroker
from workers.settings import WorkerSettings

GARDEN_QUEUE = "garden"
ROLES = ("garden", "seed")
kombu_transports.TRANSPORT_ALIASES[fsbroker.ALIAS] = "workers.fsbroker:Transport"


def seed_queue(seed_name: str) -> str:
    return f"seed.{seed_name}"


def make_celery(settings: WorkerSettings, *, role: str = "garden", seed_name: str | None = None) -> Celery:
    """A fresh Celery app for ``role``; a seed app consumes only its own seed's queue."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, not {role!r}")
    if role == "seed" and not seed_name:
        raise ValueError("a seed-role app needs seed_name")
    queue = GARDEN_QUEUE if role == "garden" else seed_queue(str(seed_name))
    app = Celery(f"hortus-{role}", broker=broker_url(settings), set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        task_ignore_result=True,
        task_time_limit=settings.task_time_limit,
        task_soft_time_limit=max(1.0, settings.task_time_limit - 5),
        task_default_queue=queue,
        task_queues=[Queue(queue)],  # type: ignore[no-untyped-call]
        task_create_missing_queues=True,
        broker_transport_options=transport_options(settings),
        broker_connection_retry_on_startup=True,
        # A worker outlives a broker outage of any length; it reconnects and goes on.
        broker_connection_max_retries=None,
        # The dispatcher must not block long on a broker that is down: the resync re-sends later anyway.
        task_publish_retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.2,
                                   "interval_max": 0.5},
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        # The filesystem transport has no broadcast worth using; remote control needs it.
        worker_enable_remote_control=not settings.embedded,
    )
    app.conf.hortus_settings = settings
    app.conf.hortus_role = role
    app.conf.hortus_seed = seed_name
    return app


def broker_url(settings: WorkerSettings) -> str:
    """Redis as configured; the embedded default (and ``filesystem://``) is ``hortusfs://`` (atomic files)."""
    if settings.embedded:
        return f"{fsbroker.ALIAS}://localhost/"  # a host, or kombu warns on every connection
    return settings.broker_url


def transport_options(settings: WorkerSettings) -> dict[str, Any]:
    if settings.embedded:
        folder = settings.broker_dir
        for sub in ("queue", "control"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        # One folder in and out: publishers and consumers on this machine share the same queue files.
        return {"data_folder_in": str(folder / "queue"), "data_folder_out": str(folder / "queue"),
                "control_folder": str(folder / "control"), "store_processed": False,
                # With prefetch 1 a consumer polls again after every message; kombu's 1 s default caps a worker
                # at about one task per second per thread.
                "polling_interval": 0.05}
    return {
        "visibility_timeout": settings.visibility_timeout,
        "unacked_restore_interval": settings.unacked_restore_interval,
        "unacked_restore_throttle": 1,
    }
