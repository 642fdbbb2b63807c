"""The garden role as a Celery worker: its beat's resync places pending shoots and publishes their work on the
seed's queue, from the database alone (``hortus garden worker``, on the real Redis)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.support import agents, fleet

SEED = "l-eu"


def test_garden_worker_beat_places_and_dispatches_pending_shoots(tmp_path: Path) -> None:
    redis = agents.redis_or_skip()
    _app, api = fleet.garden_api(tmp_path)
    fleet.add_seed(api.service, SEED, provider="local", region="eu-1", pods="10.1.0.0/16", services="10.2.0.0/16",
                   now=time.time())
    fleet.create_shoot(api.service, fleet.shoot_manifest("pending-0"))
    env = {**os.environ, "HORTUS_RESYNC_INTERVAL": "1", "HORTUS_MONITOR_PERIOD": "3600"}
    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen([sys.executable, "-m", "hortus.cli", "garden", "worker", "--state-dir", str(tmp_path),
                               "--broker", agents.REDIS_URL], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        agents.wait_for(lambda: redis.llen(f"seed.{SEED}") > 0, timeout=30, what="a task on the seed's queue")
        shoot = api.service.get(fleet._rt(api.service, "shoots"), "garden-local", "pending-0")
        assert shoot["spec"]["seedName"] == SEED
        raw = redis.lindex(f"seed.{SEED}", 0)
        assert raw is not None
        message = json.loads(raw)
        assert message["headers"]["task"] == "hortus.reconcile_shoot"
        assert message["headers"]["kwargsrepr"].count("pending-0") == 1
    finally:
        worker.terminate()
        worker.wait(timeout=20)
        log.close()
        api.store.engine.dispose()
