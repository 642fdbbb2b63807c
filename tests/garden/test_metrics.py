"""The garden's ``/metrics``, scraped over HTTPS as Prometheus would: request latencies by verb, resource and code
(a request made just before is counted), shoots by last-operation state and seed, seed heartbeat ages; only
operators may read it, as Kubernetes guards /metrics.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from apiserver import meta
from garden import bootstrap
from garden import seeds as garden_seeds
from tests.support import fleet
from tests.support.garden import Garden, running_garden
from tests.support.tenants import client_for

JSON = dict[str, Any]
SHOOT = Path(__file__).resolve().parents[1] / "data" / "gardener-examples" / "provider-local" / "shoot.yaml"
SHOOTS = "/apis/core.gardener.cloud/v1beta1/namespaces/garden-local/shoots"


@pytest.fixture(scope="module")
def garden(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Garden]:
    directory = tmp_path_factory.mktemp("metrics")
    with running_garden(f"sqlite:///{directory / 'garden.db'}", directory) as running:
        service = running.api.service
        bootstrap.ensure_local(service)
        garden_seeds.register(service, copy.deepcopy(bootstrap.SEED), capacity=10)
        fleet.set_ready(service, "local", now=time.time())
        yield running


@pytest.fixture
def client(garden: Garden) -> Iterator[httpx.Client]:
    with client_for(garden, garden.server.token) as made:
        yield made


def scrape(client: httpx.Client) -> dict[str, list[Sample]]:
    response = client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {family.name: family.samples for family in text_string_to_metric_families(response.text)}


def request_count(samples: dict[str, list[Sample]], **labels: str) -> float:
    return sum(s.value for s in samples["hortus_apiserver_request_duration_seconds"]
               if s.name.endswith("_count") and all(s.labels.get(k) == v for k, v in labels.items()))


def test_a_request_made_just_before_is_counted_by_verb_resource_and_code(client: httpx.Client) -> None:
    before = scrape(client)
    assert client.get(f"{SHOOTS}/absent").status_code == 404
    assert client.get(SHOOTS).status_code == 200
    after = scrape(client)
    shoots = {"group": "core.gardener.cloud", "resource": "shoots"}
    assert request_count(after, verb="GET", code="404", **shoots) == request_count(before, verb="GET", code="404",
                                                                                     **shoots) + 1
    assert request_count(after, verb="LIST", code="200", **shoots) == request_count(before, verb="LIST", code="200",
                                                                                      **shoots) + 1
    # The scrape itself is a non-resource request, counted with its method.
    assert request_count(after, verb="GET", resource="", code="200") >= 1


def test_shoots_are_counted_by_last_operation_state_and_seed(client: httpx.Client) -> None:
    shoot: JSON = yaml.safe_load(SHOOT.read_text())
    shoot["metadata"]["name"] = "counted"
    assert client.post(SHOOTS, json=shoot).status_code == 201, "created"
    status = {"status": {"lastOperation": {"type": "Create", "state": "Processing", "progress": 10,
                                           "description": "testing", "lastUpdateTime": meta.now()}}}
    patched = client.patch(f"{SHOOTS}/counted/status", json=status,
                           headers={"Content-Type": "application/merge-patch+json"})
    assert patched.status_code == 200, patched.text
    seed = patched.json()["spec"].get("seedName") or ""
    gauges = {(s.labels["state"], s.labels["seed"]): s.value for s in scrape(client)["hortus_garden_shoots"]}
    assert gauges[("Processing", seed)] >= 1


def test_seed_heartbeat_age_is_measured_from_gardenlet_ready(client: httpx.Client) -> None:
    ages = {s.labels["seed"]: s.value for s in scrape(client)["hortus_garden_seed_heartbeat_age_seconds"]}
    assert ages["local"] >= 0


def test_only_operators_read_metrics(garden: Garden) -> None:
    with client_for(garden, "") as anonymous:
        del anonymous.headers["Authorization"]
        assert anonymous.get("/metrics").status_code == 401
    user = client_for(garden, _token(garden.user_kubeconfig("metrics-reader")))
    with user:
        refused = user.get("/metrics")
    assert refused.status_code == 403
    assert refused.json()["reason"] == "Forbidden"
    assert '"/metrics"' in refused.json()["message"]


def _token(kubeconfig: Path) -> str:
    return str(yaml.safe_load(kubeconfig.read_text())["users"][0]["user"]["token"])
