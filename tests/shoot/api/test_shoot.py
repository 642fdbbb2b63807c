"""Tests for shoot.api.shoot: the Shoot model, its wire names, strictness and JSON schema."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from shoot.api.meta import ObjectMeta
from shoot.api.shoot import Provider, Shoot, ShootSpec, Worker


def _shoot() -> dict[str, Any]:
    return {
        "apiVersion": "core.gardener.cloud/v1beta1",
        "kind": "Shoot",
        "metadata": {"name": "crazy-botany", "namespace": "garden-dev"},
        "spec": {
            "cloudProfile": {"name": "local"},
            "credentialsBindingName": "local",
            "region": "local",
            "provider": {
                "type": "local",
                "workers": [{"name": "local", "machine": {"type": "local"}, "minimum": 1, "maximum": 2}],
            },
        },
    }


def _schema_at(schema: dict[str, Any], *path: str) -> dict[str, Any]:
    """Follow properties/items through $refs and optional (anyOf null) wrappers."""
    node = schema
    for key in path:
        node = _concrete(schema, node)
        node = node["items"] if key == "[]" else node["properties"][key]
    return _concrete(schema, node)


def _concrete(root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    if "anyOf" in node:
        [node] = [option for option in node["anyOf"] if option.get("type") != "null"]
    if "$ref" in node:
        node = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def test_minimal_shoot_dumps_without_invented_defaults() -> None:
    document = _shoot()

    assert Shoot.model_validate(document).to_wire() == document


def test_builds_from_python_names() -> None:
    worker = Worker.model_validate(_shoot()["spec"]["provider"]["workers"][0])
    shoot = Shoot(
        metadata=ObjectMeta(name="s"),
        spec=ShootSpec(region="local", provider=Provider(type="local", workers=[worker])),
    )

    assert shoot.to_wire()["spec"]["provider"]["workers"][0]["maximum"] == 2
    assert shoot.to_wire()["apiVersion"] == "core.gardener.cloud/v1beta1"


def test_rejects_unknown_field_in_a_worker() -> None:
    document = _shoot()
    document["spec"]["provider"]["workers"][0]["maxSurges"] = 1

    with pytest.raises(ValidationError) as caught:
        Shoot.model_validate(document)

    [error] = caught.value.errors()
    assert error["type"] == "extra_forbidden"
    assert error["loc"] == ("spec", "provider", "workers", 0, "maxSurges")


def test_rejects_another_api_version() -> None:
    document = _shoot()
    document["apiVersion"] = "core.gardener.cloud/v1alpha1"

    with pytest.raises(ValidationError):
        Shoot.model_validate(document)


def test_requires_region_and_provider() -> None:
    document = _shoot()
    del document["spec"]["region"], document["spec"]["provider"]

    with pytest.raises(ValidationError) as caught:
        Shoot.model_validate(document)

    assert {error["loc"] for error in caught.value.errors()} == {("spec", "region"), ("spec", "provider")}


@pytest.mark.parametrize(("max_surge", "max_unavailable"), [(1, 0), ("25%", "0%")])
def test_worker_rollout_numbers_are_int_or_percent(max_surge: int | str, max_unavailable: int | str) -> None:
    document = _shoot()
    document["spec"]["provider"]["workers"][0] |= {"maxSurge": max_surge, "maxUnavailable": max_unavailable}

    shoot = Shoot.model_validate(document)

    assert shoot.spec.provider.workers is not None
    assert (shoot.spec.provider.workers[0].max_surge, shoot.spec.provider.workers[0].max_unavailable) == (
        max_surge,
        max_unavailable,
    )


def test_keeps_gardener_acronym_names_on_the_wire() -> None:
    document = _shoot()
    document["spec"]["kubernetes"] = {
        "version": "1.33",
        "kubeAPIServer": {"eventTTL": "1h", "oidcConfig": {"clientID": "c", "issuerURL": "https://i"}},
        "kubeControllerManager": {"nodeCIDRMaskSize": 24, "nodeCIDRMaskSizeIPv6": 80},
        "kubelet": {
            "cpuCFSQuota": True,
            "registryPullQPS": 5,
            "imageGCHighThresholdPercent": 50,
            "evictionHard": {"imageFSAvailable": "5%", "nodeFSInodesFree": "5%"},
            "kubeReserved": {"cpu": "100m", "memory": "1Gi", "pid": 1000},
        },
        "verticalPodAutoscaler": {"enabled": True, "targetCPUPercentile": 0.9},
    }
    document["spec"]["systemComponents"] = {"coreDNS": {"autoscaling": {"mode": "horizontal"}}}
    document["spec"]["systemComponents"]["nodeLocalDNS"] = {"enabled": True, "forceTCPToClusterDNS": True}

    shoot = Shoot.model_validate(document)

    assert shoot.spec.kubernetes is not None
    assert shoot.spec.kubernetes.kube_controller_manager is not None
    assert shoot.spec.kubernetes.kube_controller_manager.node_cidr_mask_size == 24
    assert shoot.to_wire() == document


def test_status_round_trips_conditions_operation_and_errors() -> None:
    document = _shoot()
    document["status"] = {
        "conditions": [
            {
                "type": "APIServerAvailable",
                "status": "True",
                "lastTransitionTime": "2024-05-01T12:00:00Z",
                "lastUpdateTime": "2024-05-01T12:00:00Z",
                "reason": "HealthzRequestSucceeded",
                "message": "API server /healthz endpoint responded with success status code.",
            }
        ],
        "constraints": [{"type": "HibernationPossible", "status": "True"}],
        "gardener": {"id": "abc", "name": "agent-0", "version": "0.1.0"},
        "hibernated": False,
        "lastOperation": {
            "type": "Create",
            "state": "Processing",
            "progress": 79,
            "description": "Waiting for etcd",
            "lastUpdateTime": "2024-05-01T12:02:00Z",
        },
        "lastErrors": [{"description": "etcd not ready", "taskID": "wait-etcd", "codes": ["ERR_INFRA_DEPENDENCIES"]}],
        "observedGeneration": 1,
        "seedName": "local",
        "technicalID": "shoot--dev--crazy-botany",
        "uid": "6e3c0c1e-5b1a-4b8b-9f2e-0c1a2b3c4d5e",
        "advertisedAddresses": [{"name": "external", "url": "https://api.crazy-botany.dev.local"}],
        "credentials": {"rotation": {"certificateAuthorities": {"phase": "Prepared"}}},
        "networking": {"pods": ["100.96.0.0/11"], "egressCIDRs": ["1.2.3.4/32"]},
    }

    shoot = Shoot.model_validate(document)

    assert shoot.status is not None
    assert shoot.status.last_operation is not None
    assert shoot.status.last_operation.progress == 79
    assert shoot.status.technical_id == "shoot--dev--crazy-botany"
    assert shoot.to_wire() == document


def test_schema_lists_worker_maximum_and_closes_worker_objects() -> None:
    schema = Shoot.model_json_schema(by_alias=True)

    worker = _schema_at(schema, "spec", "provider", "workers", "[]")

    assert worker["properties"]["maximum"]["type"] == "integer"
    assert {"name", "machine", "minimum", "maximum"} <= set(worker["required"])
    assert worker["additionalProperties"] is False


def test_schema_leaves_provider_configs_free_form() -> None:
    schema = Shoot.model_json_schema(by_alias=True)

    for path in (
        ("spec", "provider", "infrastructureConfig"),
        ("spec", "provider", "controlPlaneConfig"),
        ("spec", "provider", "workers", "[]", "providerConfig"),
        ("spec", "networking", "providerConfig"),
        ("spec", "extensions", "[]", "providerConfig"),
    ):
        node = _schema_at(schema, *path)
        assert node == {"type": "object", "x-kubernetes-preserve-unknown-fields": True}, path


def test_schema_marks_quantities_and_int_or_strings() -> None:
    schema = Shoot.model_json_schema(by_alias=True)

    max_surge = _schema_at(schema, "spec", "provider", "workers", "[]", "maxSurge")
    reserved_cpu = _schema_at(schema, "spec", "kubernetes", "kubelet", "kubeReserved", "cpu")

    assert max_surge["x-kubernetes-int-or-string"] is True
    assert reserved_cpu["x-kubernetes-int-or-string"] is True


def test_status_keeps_the_steps_of_the_last_operation() -> None:
    steps = [{"name": "deploy-etcd", "state": "Succeeded", "startedAt": "2026-12-02T08:00:00Z",
              "finishedAt": "2026-12-02T08:00:03Z"},
             {"name": "deploy-kube-apiserver", "state": "Error", "retries": 2, "message": "0 of 1 replicas ready",
              "codes": ["ERR_RETRYABLE_INFRA_DEPENDENCIES"]}]
    shoot = Shoot.model_validate({"spec": {"provider": {"type": "local"}, "region": "local",
                                           "cloudProfile": {"name": "local"}},
                                  "status": {"lastOperationSteps": steps}})

    assert shoot.to_wire()["status"]["lastOperationSteps"] == steps


def test_status_refuses_an_unknown_step_state() -> None:
    with pytest.raises(ValidationError):
        Shoot.model_validate({"spec": {"provider": {"type": "local"}, "region": "local",
                                       "cloudProfile": {"name": "local"}},
                              "status": {"lastOperationSteps": [{"name": "x", "state": "Sleeping"}]}})
