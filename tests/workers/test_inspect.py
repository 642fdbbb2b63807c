"""The broker inspector behind the console's "Workers & queues" page: queue depths on Redis and on the embedded
broker, as the dispatcher's messages pile up on a seed queue nobody consumes; passwords never shown."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from garden.controllers.dispatch import Work
from tests.support import agents
from workers import tasks
from workers.app import make_celery
from workers.inspect import BrokerInspector, redacted
from workers.settings import WorkerSettings


def _publish(settings: WorkerSettings, seed: str, count: int) -> None:
    app = make_celery(settings, role="garden")
    send = tasks.sender(app)
    for i in range(count):
        send(Work(seed=seed, uid=f"uid-{i}", generation=1, namespace="garden-local", name=f"s{i}", reason="test"))
    app.close()


@pytest.mark.redis
def test_redis_queue_depths_count_the_waiting_messages(tmp_path: Path) -> None:
    agents.redis_or_skip()
    settings = WorkerSettings(state_dir=tmp_path, broker_url=agents.REDIS_URL)
    seed = f"console-{uuid.uuid4().hex[:8]}"
    _publish(settings, seed, 3)
    report = BrokerInspector(settings, timeout=0.5).report([f"seed.{seed}", "seed.nobody"], workers=False)
    assert report.queues == {f"seed.{seed}": 3, "seed.nobody": 0}
    assert report.workers is None and report.broker == agents.REDIS_URL


def test_embedded_broker_depths_count_the_message_files(tmp_path: Path) -> None:
    settings = WorkerSettings(state_dir=tmp_path)
    _publish(settings, "local", 2)
    inspector = BrokerInspector(settings, timeout=0.5)
    report = inspector.report(["seed.local", "garden"], workers=False)
    assert report.queues == {"seed.local": 2, "garden": 0}
    assert "embedded filesystem broker" in report.broker


def test_broker_passwords_are_not_shown() -> None:
    assert redacted("redis://:s3cret@redis:6379/0") == "redis://:***@redis:6379/0"
    assert redacted("redis://user:s3cret@redis:6379/0") == "redis://user:***@redis:6379/0"
    assert redacted("redis://redis:6379/0") == "redis://redis:6379/0"
