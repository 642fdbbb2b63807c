"""Shoots that must never get stuck, on the real HTTPS garden with kubectl and raw HTTP: Gardener's IPv6 local shoot
is not scheduled onto the IPv4 seed ``local`` (its ``Scheduled`` condition says why) and stays labelable and
deletable; a shoot whose stored spec breaks a newer rule can still be labelled, have its status written, be
confirmed for deletion and be deleted — while a change to the broken field is still refused.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from garden import bootstrap
from garden import seeds as garden_seeds
from garden.controllers import scheduling
from shoot import conditions
from tests.e2e.kubectl import Kubectl
from tests.support import fleet
from tests.support.garden import Garden, running_garden
from tests.support.tenants import client_for

JSON = dict[str, Any]
IPV6_SHOOT = Path(__file__).resolve().parents[1] / "data" / "gardener-examples" / "provider-local" / "shoot-ipv6.yaml"
SHOOTS = "/apis/core.gardener.cloud/v1beta1/namespaces/garden-local/shoots"
MERGE = {"Content-Type": "application/merge-patch+json"}


@pytest.fixture(scope="module")
def garden(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Garden]:
    directory = tmp_path_factory.mktemp("stuck")
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


def ipv6_shoot(name: str) -> JSON:
    shoot: JSON = yaml.safe_load(IPV6_SHOOT.read_text())
    shoot["metadata"]["name"] = name
    # The example's calico providerConfig carries no apiVersion/kind, which the calico plugin's schema requires
    # (Gardener's decoder defaults them); that is the networking extension's question, not this module's.
    del shoot["spec"]["networking"]["providerConfig"]
    return shoot


def scheduled_condition(client: httpx.Client, name: str) -> Mapping[str, Any]:
    found = conditions.find(client.get(f"{SHOOTS}/{name}").json()["status"]["conditions"], "Scheduled")
    assert found is not None
    return found


def delete_confirmed(kubectl: Kubectl, client: httpx.Client, name: str) -> None:
    refused = kubectl("delete", "shoot", name, "-n", "garden-local", "--wait=false")
    assert refused.returncode == 1 and "confirmation.gardener.cloud/deletion" in refused.stderr
    confirmed = kubectl("annotate", "shoot", name, "-n", "garden-local", "confirmation.gardener.cloud/deletion=true")
    assert confirmed.returncode == 0, confirmed.stderr
    deleted = kubectl("delete", "shoot", name, "-n", "garden-local", "--wait=false")
    assert deleted.returncode == 0, deleted.stderr
    assert client.get(f"{SHOOTS}/{name}").status_code == 404


def test_ipv6_local_shoot_is_not_scheduled_to_the_ipv4_seed_and_stays_deletable(
        garden: Garden, client: httpx.Client, tmp_path: Path) -> None:
    created = client.post(SHOOTS, json=ipv6_shoot("local-v6"))
    assert created.status_code == 201, created.text
    networking = created.json()["spec"]["networking"]
    assert networking["ipFamilies"] == ["IPv6"] and "pods" not in networking and "services" not in networking
    scheduling.SchedulerController(garden.api.service).schedule_pending()
    shoot = client.get(f"{SHOOTS}/local-v6").json()
    assert "seedName" not in shoot["spec"]
    condition = scheduled_condition(client, "local-v6")
    assert condition["status"] == "False" and condition["reason"] == "SchedulingFailed"
    assert "does not match the shoot's IP families [IPv6] (seed: [IPv4]) (local)" in condition["message"]
    # Binding it by hand is refused for the same reason, and no IPv4 ranges are defaulted into it.
    bound = client.patch(f"{SHOOTS}/local-v6/binding", json={"spec": {"seedName": "local"}}, headers=MERGE)
    assert bound.status_code == 422
    assert bound.json()["details"]["causes"][0]["field"] == "spec.seedName"
    assert "IP families" in bound.json()["message"]
    kubectl = Kubectl(garden.server.kubeconfig, tmp_path)
    labelled = kubectl("label", "shoot", "local-v6", "-n", "garden-local", "team=v6")
    assert labelled.returncode == 0, labelled.stderr
    delete_confirmed(kubectl, client, "local-v6")


def test_a_stored_shoot_breaking_a_newer_rule_stays_writable(garden: Garden, client: httpx.Client,
                                                             tmp_path: Path) -> None:
    assert client.post(SHOOTS, json=ipv6_shoot("legacy")).status_code == 201
    # What the garden stored before IP families were matched: an IPv6 shoot with the IPv4 seed's ranges.
    store = garden.api.store
    stored = store.get("core.gardener.cloud/shoots", "garden-local", "legacy")
    assert stored is not None
    stored["spec"]["seedName"] = "local"
    stored["spec"]["networking"].update(pods="10.3.0.0/16", services="10.4.0.0/16")
    with store.write() as txn:
        txn.update("core.gardener.cloud/shoots", stored, expect_rv=stored["metadata"]["resourceVersion"])
    kubectl = Kubectl(garden.server.kubeconfig, tmp_path)
    labelled = kubectl("label", "shoot", "legacy", "-n", "garden-local", "stuck=no")
    assert labelled.returncode == 0, labelled.stderr
    status = client.patch(f"{SHOOTS}/legacy/status", headers=MERGE, json={"status": {"lastOperation": {
        "type": "Reconcile", "state": "Failed", "progress": 0, "description": "networks of the wrong family",
        "lastUpdateTime": "2026-12-03T09:00:00Z"}}})
    assert status.status_code == 200, status.text
    # The broken field itself still follows the rules when a request changes it.
    changed = client.patch(f"{SHOOTS}/legacy", headers=MERGE, json={"spec": {"networking": {"pods": "10.5.0.0/16"}}})
    assert changed.status_code == 422
    assert any(c["field"] == "spec.networking.pods" for c in changed.json()["details"]["causes"])
    after = client.get(f"{SHOOTS}/legacy").json()
    assert after["spec"]["networking"]["pods"] == "10.3.0.0/16" and after["metadata"]["labels"] == {"stuck": "no"}
    delete_confirmed(kubectl, client, "legacy")


def test_ipv6_shoot_lands_on_a_dual_stack_seed_without_ipv4_ranges(garden: Garden, client: httpx.Client) -> None:
    dual = copy.deepcopy(bootstrap.SEED)
    dual["metadata"] = {"name": "local-dual"}
    dual["spec"]["networks"].update(ipFamilies=["IPv4", "IPv6"])
    dual["spec"]["ingress"]["domain"] = "ingress.dual.seed.local.gardener.cloud"
    garden_seeds.register(garden.api.service, dual, capacity=10)
    fleet.set_ready(garden.api.service, "local-dual", now=time.time())
    assert client.post(SHOOTS, json=ipv6_shoot("v6-on-dual")).status_code == 201
    scheduling.SchedulerController(garden.api.service).schedule_pending()
    shoot = client.get(f"{SHOOTS}/v6-on-dual").json()
    assert shoot["spec"]["seedName"] == "local-dual"
    # The seed's shootDefaults are IPv4: an IPv6 shoot is not given them (it would refuse them on every write).
    assert "pods" not in shoot["spec"]["networking"] and "services" not in shoot["spec"]["networking"]
    labelled = client.patch(f"{SHOOTS}/v6-on-dual", headers=MERGE, json={"metadata": {"labels": {"ok": "yes"}}})
    assert labelled.status_code == 200, labelled.text
