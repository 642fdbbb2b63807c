"""Seed lifecycle: a heartbeat older than the monitor period turns GardenletReady Unknown; a fresh one does not."""

from __future__ import annotations

from pathlib import Path

from garden.controllers import seedlifecycle
from shoot import conditions
from tests.support import fleet

NOW = 1_800_000_000.0


def test_turns_a_silent_seed_unknown_and_leaves_a_renewed_one_ready(tmp_path: Path) -> None:
    _app, api = fleet.garden_api(tmp_path)
    fleet.add_seed(api.service, "silent", provider="local", region="eu-1", pods="10.1.0.0/16",
                   services="10.2.0.0/16", now=NOW - 41)
    fleet.add_seed(api.service, "alive", provider="local", region="eu-1", pods="10.3.0.0/16",
                   services="10.4.0.0/16", now=NOW - 39)
    lifecycle = seedlifecycle.SeedLifecycle(api.service, clock=lambda: NOW)
    assert lifecycle.check() == ["silent"]
    assert lifecycle.check() == []  # already Unknown: no further writes
    seeds = {s["metadata"]["name"]: s for s in api.service.list(fleet._rt(api.service, "seeds"), None).items}
    ready = conditions.find(seeds["silent"]["status"]["conditions"], "GardenletReady")
    assert ready is not None and ready["status"] == "Unknown"
    assert seeds["silent"]["status"]["allocatable"] == {"shoots": 100}
    alive = conditions.find(seeds["alive"]["status"]["conditions"], "GardenletReady")
    assert alive is not None and alive["status"] == "True"
