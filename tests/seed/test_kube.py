"""``seed.kube.KubeApi`` (the flows' and extensions' door to a cluster) against a running local seed cluster."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from seed.kube import KubeApi
from seed.local.server import create_local_seed
from shoot import errors
from tests.support import servers


@pytest.fixture
def kube(tmp_path: Path) -> Iterator[KubeApi]:
    token = servers.new_token()
    app, api = create_local_seed(tmp_path / "state", token=token, poll_interval=0.05)
    with servers.serve(app, tmp_path, token=token, name="seed-local") as server:
        k = KubeApi.from_kubeconfig(server.kubeconfig)
        try:
            yield k
        finally:
            k.close()
    api.store.engine.dispose()


def _config_map(data: dict[str, str]) -> dict[str, object]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "default",
                                                                  "labels": {"app": "x"}}, "data": data}


def test_apply_creates_then_changes_only_what_differs(kube: KubeApi) -> None:
    created = kube.apply(_config_map({"a": "1"}))
    again = kube.apply(_config_map({"a": "1"}))
    changed = kube.apply(_config_map({"a": "2"}))

    assert again["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]
    assert changed["data"] == {"a": "2"}
    assert changed["metadata"]["resourceVersion"] != created["metadata"]["resourceVersion"]
    assert kube.get("v1", "ConfigMap", "cm", namespace="default") == changed


def test_lists_by_label_and_deletes_idempotently(kube: KubeApi) -> None:
    kube.apply(_config_map({"a": "1"}))

    assert [c["metadata"]["name"] for c in kube.list("v1", "ConfigMap", namespace="default",
                                                      label_selector="app=x")] == ["cm"]
    assert kube.list("v1", "ConfigMap", namespace="default", label_selector="app=y") == []
    assert kube.delete("v1", "ConfigMap", "cm", namespace="default") is True
    assert kube.delete("v1", "ConfigMap", "cm", namespace="default") is False
    assert kube.get("v1", "ConfigMap", "cm", namespace="default") is None


def test_applies_kinds_of_other_groups_and_cluster_scoped_ones(kube: KubeApi) -> None:
    kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shoot--p--a"}})
    kube.apply({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "web", "namespace": "shoot--p--a"},
                "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                         "template": {"metadata": {"labels": {"app": "web"}},
                                      "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}})

    assert kube.get("v1", "Namespace", "shoot--p--a") is not None
    assert kube.get("apps/v1", "Deployment", "web", namespace="shoot--p--a")["spec"]["replicas"] == 1  # type: ignore[index]


def test_refusals_are_permanent_and_unknown_kinds_named(kube: KubeApi) -> None:
    with pytest.raises(errors.PermanentError, match="Widget"):
        kube.get("example.com/v1", "Widget", "w", namespace="default")
    with pytest.raises(errors.PermanentError):
        kube.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "Not_A_Name",
                                                                          "namespace": "default"}})


def test_apply_status_writes_exactly_the_status_through_its_subresource(kube: KubeApi) -> None:
    from extensions import crds

    crds.ensure(kube, ["Infrastructure"])
    kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shoot--p--a"}})
    obj = {"apiVersion": "extensions.gardener.cloud/v1alpha1", "kind": "Infrastructure",
           "metadata": {"name": "a", "namespace": "shoot--p--a"}, "spec": {"type": "local"}}
    created = kube.apply({**obj, "status": {"ignored": True}})
    assert "status" not in created or not created["status"].get("ignored")  # main writes ignore status

    written = kube.apply_status({**obj, "status": {"lastError": {"description": "x"}, "state": {"a": 1, "b": 2}}})
    again = kube.apply_status({**obj, "status": {"state": {"a": 1}}})
    same = kube.apply_status({**obj, "status": {"state": {"a": 1}}})

    assert written["status"] == {"lastError": {"description": "x"}, "state": {"a": 1, "b": 2}}
    assert again["status"] == {"state": {"a": 1}}
    assert same["metadata"]["resourceVersion"] == again["metadata"]["resourceVersion"]
    assert again["spec"] == {"type": "local"} and again["metadata"]["generation"] == created["metadata"]["generation"]
    with pytest.raises(errors.PermanentError, match="does not exist"):
        kube.apply_status({**obj, "metadata": {"name": "b", "namespace": "shoot--p--a"}, "status": {}})
