"""The garden role: the controller loop (scheduler, dispatcher, seed lifecycle) wired to a Celery publisher.

``attach_controllers`` is what ``hortus up`` uses (the loop runs in-process, in the API server's lifespan);
``run_garden_worker`` is the production shape: a garden-role worker whose embedded beat runs the resync.
"""

from __future__ import annotations

from celery import Celery

from apiserver.server import ApiServer
from garden.controllers.loop import GardenControllers, LoopSettings
from workers import logs, tasks
from workers.app import GARDEN_QUEUE, make_celery
from workers.settings import WorkerSettings


def loop_settings(settings: WorkerSettings) -> LoopSettings:
    return LoopSettings(resync_interval=settings.resync_interval, resend_after=settings.resend_after,
                        sync_period=settings.sync_period, monitor_period=settings.monitor_period,
                        lifecycle_interval=min(5.0, settings.monitor_period / 4),
                        strategy=settings.scheduler_strategy)


def attach_controllers(api: ApiServer, settings: WorkerSettings, *, app: Celery | None = None) -> GardenControllers:
    """Run the garden's controllers for the lifetime of ``api``'s app, publishing on ``settings``' broker."""
    publisher = app or make_celery(settings, role="garden")
    controllers = GardenControllers(api.service, tasks.sender(publisher), settings=loop_settings(settings))
    api.background.append(controllers.run_forever)
    return controllers


def run_garden_worker(api: ApiServer, settings: WorkerSettings) -> None:
    """Consume ``garden`` with an embedded beat that resyncs every ``resync_interval`` seconds."""
    logs.quiet()
    app = make_celery(settings, role="garden")
    controllers = GardenControllers(api.service, tasks.sender(app), settings=loop_settings(settings))
    tasks.register_garden_tasks(app, lambda: controllers)
    app.conf.beat_schedule = {"garden-resync": {"task": tasks.RESYNC, "schedule": settings.resync_interval,
                                                "options": {"queue": GARDEN_QUEUE}}}
    app.Worker(queues=[GARDEN_QUEUE], pool="solo", beat=True, without_mingle=True, without_gossip=True,
               without_heartbeat=True, schedule_filename=str(settings.state_dir / "beat-schedule"),
               loglevel="INFO").start()
