"""The driver against a local seed cluster: CRDs installed, the object and its status written as Gardener's generic
reconciler writes them, failures recorded with their codes and re-raised, delete/migrate/restore."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from extensions import driver
from extensions.contract import API_VERSION, Context, ExtensionObject, Kind, Operation, Outcome, Registration
from hortus.kit.harness import LocalSeedCluster
from shoot import errors
from shoot.errors import ErrorCode
from tests.extensions.conftest import NAMESPACE, shoot

JSON = dict[str, Any]
SCHEMA: JSON = {"type": "object", "properties": {"size": {"type": "integer", "minimum": 1}},
                "additionalProperties": False}


@dataclasses.dataclass
class Recorder:
    """An actuator that records its calls and answers with what a test sets."""

    calls: list[tuple[str, JSON]] = dataclasses.field(default_factory=list)
    fail: Exception | None = None
    outcome: Outcome = dataclasses.field(default_factory=lambda: Outcome(
        provider_status={"apiVersion": "test/v1", "kind": "Status", "id": "i-1"}, state={"made": ["i-1"]},
        status={"nodesCIDR": "10.0.0.0/16"}, conditions=[{"type": "ControlPlaneHealthy", "status": "True"}]))

    def _call(self, name: str, obj: ExtensionObject) -> Outcome:
        self.calls.append((name, dict(obj.status)))
        if self.fail is not None:
            raise self.fail
        return self.outcome

    def reconcile(self, ctx: Context, obj: ExtensionObject) -> Outcome:
        return self._call("reconcile", obj)

    def delete(self, ctx: Context, obj: ExtensionObject) -> None:
        self._call("delete", obj)

    def migrate(self, ctx: Context, obj: ExtensionObject) -> Outcome:
        return self._call("migrate", obj)

    def restore(self, ctx: Context, obj: ExtensionObject) -> Outcome:
        return self._call("restore", obj)

    def health(self, ctx: Context, obj: ExtensionObject) -> list[JSON]:
        return [{"type": "ControlPlaneHealthy", "status": "False", "reason": "Test", "message": "down"}]


def _setup(cluster: LocalSeedCluster, **spec: Any) -> tuple[Registration, Recorder, ExtensionObject]:
    recorder = Recorder()
    registration = Registration(kind=Kind.INFRASTRUCTURE, type="test", actuator=recorder,
                                provider_config_schema=SCHEMA)
    obj = ExtensionObject(kind=Kind.INFRASTRUCTURE, name="ext", namespace=NAMESPACE,
                          spec={"type": "test", "region": "local", **spec})
    return registration, recorder, obj


def _ctx(cluster: LocalSeedCluster, operation: Operation = Operation.RECONCILE) -> Context:
    return cluster.context(NAMESPACE, shoot=shoot(), operation=operation)


def _stored(cluster: LocalSeedCluster, kind: str = "Infrastructure") -> JSON | None:
    return cluster.kube.get(API_VERSION, kind, "ext", namespace=NAMESPACE)


def test_installs_the_crds_and_cluster_and_records_a_succeeded_create(cluster: LocalSeedCluster) -> None:
    registration, recorder, obj = _setup(cluster, providerConfig={"size": 2})
    done = driver.run(registration, _ctx(cluster), obj)

    stored = _stored(cluster)
    assert stored is not None and done.status == stored["status"]
    assert recorder.calls[0][1]["lastOperation"]["state"] == "Processing"
    status = stored["status"]
    assert (status["lastOperation"]["type"], status["lastOperation"]["state"],
            status["lastOperation"]["progress"]) == ("Create", "Succeeded", 100)
    assert status["providerStatus"]["id"] == "i-1"
    assert status["state"] == {"made": ["i-1"]}
    assert status["nodesCIDR"] == "10.0.0.0/16"
    assert status["observedGeneration"] == stored["metadata"]["generation"]
    assert status["conditions"] == [{"type": "ControlPlaneHealthy", "status": "True"}]
    assert "lastError" not in status
    assert stored["metadata"]["finalizers"] == ["extensions.gardener.cloud/infrastructure"]
    cluster_obj = cluster.kube.get(API_VERSION, "Cluster", NAMESPACE)
    assert cluster_obj is not None and cluster_obj["spec"]["shoot"]["metadata"]["name"] == "ext"
    crd = cluster.kube.get("apiextensions.k8s.io/v1", "CustomResourceDefinition",
                           "infrastructures.extensions.gardener.cloud")
    assert crd is not None and crd["spec"]["versions"][0]["subresources"] == {"status": {}}


def test_a_second_run_is_a_reconcile_and_spec_changes_replace_the_stored_spec(cluster: LocalSeedCluster) -> None:
    registration, _, obj = _setup(cluster, providerConfig={"size": 2}, sshPublicKey="abc")
    driver.run(registration, _ctx(cluster), obj)
    changed = dataclasses.replace(obj, spec={"type": "test", "region": "local", "providerConfig": {"size": 3}})
    done = driver.run(registration, _ctx(cluster), changed)

    stored = _stored(cluster)
    assert stored is not None
    assert stored["spec"] == {"type": "test", "region": "local", "providerConfig": {"size": 3}}
    assert done.status["lastOperation"]["type"] == "Reconcile"
    assert done.status["observedGeneration"] == stored["metadata"]["generation"] == 2


def test_a_temporary_error_is_recorded_with_its_codes_and_reraised(cluster: LocalSeedCluster) -> None:
    registration, recorder, obj = _setup(cluster)
    recorder.fail = errors.TemporaryError("3 of 5 machines ready", delay=7, codes=[ErrorCode.INFRA_DEPENDENCIES])
    with pytest.raises(errors.TemporaryError, match="3 of 5") as raised:
        driver.run(registration, _ctx(cluster), obj)

    assert raised.value.delay == 7
    stored = _stored(cluster)
    assert stored is not None
    assert stored["status"]["lastOperation"]["state"] == "Error"
    assert stored["status"]["lastError"]["description"] == "3 of 5 machines ready"
    assert stored["status"]["lastError"]["codes"] == ["ERR_INFRA_DEPENDENCIES"]
    recorder.fail = None
    done = driver.run(registration, _ctx(cluster), obj)
    assert "lastError" not in done.status and done.status["lastOperation"]["type"] == "Create"


def test_an_actuator_bug_is_recorded_and_reraised_unchanged(cluster: LocalSeedCluster) -> None:
    registration, recorder, obj = _setup(cluster)
    recorder.fail = KeyError("zones")
    with pytest.raises(KeyError):
        driver.run(registration, _ctx(cluster), obj)
    stored = _stored(cluster)
    assert stored is not None and "KeyError" in stored["status"]["lastError"]["description"]


def test_an_invalid_provider_config_fails_with_a_configuration_problem_before_the_actuator(
        cluster: LocalSeedCluster) -> None:
    registration, recorder, obj = _setup(cluster, providerConfig={"size": 0, "colour": "red"})
    with pytest.raises(errors.PermanentError) as raised:
        driver.run(registration, _ctx(cluster), obj)

    assert raised.value.codes == (ErrorCode.CONFIGURATION_PROBLEM,)
    assert "spec.providerConfig.size" in raised.value.message
    assert "spec.providerConfig.colour" in raised.value.message
    assert recorder.calls == []


def test_delete_runs_the_actuator_then_lets_the_object_go(cluster: LocalSeedCluster) -> None:
    registration, recorder, obj = _setup(cluster)
    driver.run(registration, _ctx(cluster), obj)
    done = driver.run(registration, _ctx(cluster, Operation.DELETE), obj)

    assert recorder.calls[-1][0] == "delete"
    assert recorder.calls[-1][1]["state"] == {"made": ["i-1"]}  # the actuator sees what it recorded
    assert done.status["lastOperation"]["type"] == "Delete"
    assert _stored(cluster) is None
    driver.run(registration, _ctx(cluster, Operation.DELETE), obj)  # gone: deleting again is fine
    assert recorder.calls[-1][0] == "delete"


def test_a_failed_delete_keeps_the_object_with_its_error(cluster: LocalSeedCluster) -> None:
    registration, recorder, obj = _setup(cluster)
    driver.run(registration, _ctx(cluster), obj)
    recorder.fail = errors.PermanentError("DependencyViolation", codes=[ErrorCode.INFRA_DEPENDENCIES])
    with pytest.raises(errors.PermanentError):
        driver.run(registration, _ctx(cluster, Operation.DELETE), obj)

    stored = _stored(cluster)
    assert stored is not None and stored["metadata"].get("deletionTimestamp")
    assert stored["status"]["lastOperation"] == {**stored["status"]["lastOperation"], "type": "Delete",
                                                 "state": "Error"}
    recorder.fail = None
    driver.run(registration, _ctx(cluster, Operation.DELETE), obj)
    assert _stored(cluster) is None


def test_migrate_keeps_the_state_and_releases_the_object_restore_starts_from_it(cluster: LocalSeedCluster) -> None:
    registration, recorder, obj = _setup(cluster)
    driver.run(registration, _ctx(cluster), obj)
    migrated = driver.run(registration, _ctx(cluster, Operation.MIGRATE), obj)

    assert migrated.status["lastOperation"]["type"] == "Migrate"
    assert migrated.state == {"made": ["i-1"]}
    stored = _stored(cluster)
    assert stored is not None and not stored["metadata"].get("finalizers")
    calls = len(recorder.calls)
    driver.run(registration, _ctx(cluster, Operation.DELETE), obj)  # released: the actuator is not asked
    assert len(recorder.calls) == calls and _stored(cluster) is None

    restored = driver.run(registration, _ctx(cluster, Operation.RESTORE),
                          dataclasses.replace(obj, status={"state": migrated.state}))
    assert recorder.calls[-1] == ("restore", {**recorder.calls[-1][1], "state": {"made": ["i-1"]}})
    assert restored.status["lastOperation"]["type"] == "Restore"


def test_health_records_the_actuators_conditions(cluster: LocalSeedCluster) -> None:
    registration, _, obj = _setup(cluster)
    driver.run(registration, _ctx(cluster), obj)
    conditions = driver.health(registration, _ctx(cluster), obj)

    stored = _stored(cluster)
    assert stored is not None and stored["status"]["conditions"] == conditions
    assert conditions[0]["status"] == "False"


def test_cluster_scoped_kinds_are_written_without_namespace(cluster: LocalSeedCluster) -> None:
    recorder = Recorder()
    registration = Registration(kind=Kind.BACKUP_BUCKET, type="test", actuator=recorder)
    obj = ExtensionObject(kind=Kind.BACKUP_BUCKET, name="ext", namespace="", spec={"type": "test", "region": "x"})
    driver.run(registration, _ctx(cluster), obj)
    stored = cluster.kube.get(API_VERSION, "BackupBucket", "ext")
    assert stored is not None and "namespace" not in stored["metadata"]
