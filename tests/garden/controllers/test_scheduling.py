"""The scheduler controller over the real garden API: three seeds in two regions and two providers, 60 shoots
placed by strategy, taints and tolerations, seed selectors and capacity; unschedulable shoots say why."""

from __future__ import annotations

import collections
import time
from pathlib import Path
from typing import Any

import pytest

from apiserver.context import system_context
from apiserver.server import ApiServer
from garden.controllers import dispatch, scheduling
from garden.controllers.loop import GardenControllers
from shoot import conditions
from tests.support import fleet

GROUPS: dict[str, tuple[int, str, str, dict[str, Any]]] = {  # prefix: (count, provider, region, extra spec)
    "leu": (15, "local", "eu-1", {}),
    "lus-tol": (10, "local", "us-1", {"tolerations": [{"key": "dedicated", "value": "ml"}]}),
    "lus": (5, "local", "us-1", {}),
    "aeu": (15, "aws", "eu-1", {}),
    "aus": (10, "aws", "us-1", {}),
    "silver": (5, "local", "eu-1", {"seedSelector": {"matchLabels": {"tier": "silver"}}}),
}


@pytest.fixture(scope="module")
def garden(tmp_path_factory: pytest.TempPathFactory) -> ApiServer:
    _app, api = fleet.garden_api(tmp_path_factory.mktemp("garden"))
    now = time.time()
    fleet.add_seed(api.service, "l-eu", provider="local", region="eu-1", pods="10.1.0.0/16", services="10.2.0.0/16",
                   labels={"tier": "gold"}, now=now)
    fleet.add_seed(api.service, "l-us", provider="local", region="us-1", pods="10.3.0.0/16", services="10.4.0.0/16",
                   taints=[{"key": "dedicated", "value": "ml"}], now=now)
    fleet.add_seed(api.service, "a-eu", provider="aws", region="eu-1", pods="10.5.0.0/16", services="10.6.0.0/16",
                   capacity=10, now=now)
    for prefix, (count, provider, region, extra) in GROUPS.items():
        for i in range(count):
            fleet.create_shoot(api.service, fleet.shoot_manifest(f"{prefix}-{i}", provider=provider, region=region,
                                                                 **extra))
    return api


def placed(api: ApiServer) -> dict[str, collections.Counter[str | None]]:
    out: dict[str, collections.Counter[str | None]] = collections.defaultdict(collections.Counter)
    for shoot in fleet.shoots(api.service):
        out[shoot["metadata"]["name"].rsplit("-", 1)[0]][shoot["spec"].get("seedName")] += 1
    return out


def message(api: ApiServer, name: str) -> str:
    shoot = api.service.get(fleet._rt(api.service, "shoots"), "garden-local", name)
    cond = conditions.find(shoot["status"]["conditions"], "Scheduled")
    assert cond is not None and cond["status"] == "False"
    return str(cond["message"])


def test_places_sixty_shoots_by_region_taints_selectors_and_capacity(garden: ApiServer) -> None:
    sent: list[dispatch.Work] = []
    loop = GardenControllers(garden.service, sent.append)
    loop.resync()
    result = placed(garden)
    assert result["leu"] == {"l-eu": 15}
    assert result["lus-tol"] == {"l-us": 10}
    assert result["lus"] == {None: 5}
    assert result["aeu"] == {"a-eu": 10, None: 5}
    assert result["aus"] == {None: 10}
    assert result["silver"] == {None: 5}
    assert "does not tolerate" in message(garden, "lus-0") or "taint" in message(garden, "lus-0")
    full = [s["metadata"]["name"] for s in fleet.shoots(garden.service)
            if s["metadata"]["name"].startswith("aeu") and not s["spec"].get("seedName")]
    assert "capacity" in message(garden, full[0])
    assert "a-eu" in message(garden, "aus-0") and "different provider type (l-eu, l-us)" in message(garden, "aus-0")
    assert "selector" in message(garden, "silver-0")
    # Bindings come back through the change log, and each placed shoot becomes one message to its seed.
    loop.follow()
    assert collections.Counter(w.seed for w in sent) == {"l-eu": 15, "l-us": 10, "a-eu": 10}


def test_unschedulable_shoots_are_retried_when_a_seed_changes(garden: ApiServer) -> None:
    loop = GardenControllers(garden.service, lambda _work: None)
    loop.resync()
    seeds = fleet._rt(garden.service, "seeds")
    seed = garden.service.get(seeds, "", "a-eu")
    seed["status"]["allocatable"]["shoots"] = 40
    garden.service.update(seeds, "", "a-eu", seed, system_context(), subresource="status")
    loop.follow()
    assert placed(garden)["aeu"] == {"a-eu": 15}
    assert "a-eu" in message(garden, "aus-0") and "is not in region us-1" in message(garden, "aus-0")


def test_minimal_distance_places_across_regions_but_never_past_taints_or_selectors(garden: ApiServer) -> None:
    scheduling.SchedulerController(garden.service, strategy="MinimalDistance").schedule_pending()
    result = placed(garden)
    assert result["aus"] == {"a-eu": 10}
    assert result["lus"] == {"l-eu": 5}  # l-us is tainted; the nearest other local seed is in eu-1
    assert result["silver"] == {None: 5}


def test_minimal_distance_follows_the_region_config_of_the_cloud_profile(tmp_path: Path) -> None:
    _app, api = fleet.garden_api(tmp_path)
    now = time.time()
    fleet.add_seed(api.service, "l-eu", provider="local", region="eu-1", pods="10.1.0.0/16", services="10.2.0.0/16",
                   now=now)
    fleet.add_seed(api.service, "l-ap", provider="local", region="ap-1", pods="10.3.0.0/16", services="10.4.0.0/16",
                   now=now)
    fleet.create_shoot(api.service, fleet.shoot_manifest("far-0", provider="local", region="us-1"))
    configmaps = api.registry.get("", "v1", "configmaps")
    namespaces = api.registry.get("", "v1", "namespaces")
    assert configmaps is not None and namespaces is not None
    api.service.create(namespaces, "", {"metadata": {"name": "garden"}}, system_context())
    profile = fleet.shoots(api.service)[0]["spec"]["cloudProfile"]["name"]
    api.service.create(configmaps, "garden", {
        "metadata": {"name": "regions", "labels": {"scheduling.gardener.cloud/purpose": "region-config"},
                     "annotations": {"scheduling.gardener.cloud/cloudprofiles": profile}},
        "data": {"us-1": "ap-1: 10\neu-1: 100\n"}}, system_context())
    scheduling.SchedulerController(api.service, strategy="MinimalDistance").schedule_pending()
    # Without the table, "eu-1" is the nearer name to "us-1"; the operator's table says ap-1.
    assert placed(api)["far"] == {"l-ap": 1}
