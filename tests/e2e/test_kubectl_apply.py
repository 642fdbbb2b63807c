"""Client-side ``kubectl apply`` computes its patch from the OpenAPI's patch tags: against the garden it removes a
worker pool the manifest dropped and says "unchanged" when nothing changed; the same on the local seed for a
Deployment's containers; ``kubectl patch`` replaces a Node's (atomic) taints whole.

Real kubectl (the dispatcher runs 1.32) against the real HTTPS servers, SQLite and PostgreSQL for the garden.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from garden import bootstrap
from seed.local.server import create_local_seed
from tests.e2e.kubectl import KUBECTL, Kubectl
from tests.seed.local.conftest import STILL
from tests.support import databases, servers
from tests.support.garden import running_garden

pytestmark = pytest.mark.kubectl

JSON = dict[str, Any]
SHOOT = Path(__file__).resolve().parents[1] / "data" / "gardener-examples" / "provider-local" / "shoot.yaml"


def _kubectl_installed() -> None:
    if not Path(KUBECTL).exists():
        databases.unavailable("kubectl", f"{KUBECTL} is not installed")  # skips, or fails under CI=true


@pytest.fixture
def garden(db_url: str, tmp_path: Path) -> Iterator[Kubectl]:
    _kubectl_installed()
    with running_garden(db_url, tmp_path) as g:
        bootstrap.ensure_local(g.api.service)
        yield Kubectl(g.server.kubeconfig, tmp_path / "kubectl")


@pytest.fixture
def seed(tmp_path: Path) -> Iterator[Kubectl]:
    _kubectl_installed()
    token = servers.new_token()
    app, api = create_local_seed(tmp_path / "state", token=token, poll_interval=0.05, delays=STILL)
    try:
        with servers.serve(app, tmp_path, token=token, name="seed-local") as server:
            yield Kubectl(server.kubeconfig, tmp_path / "kubectl")
    finally:
        api.store.engine.dispose()


def _apply(k: Kubectl, doc: JSON) -> str:
    result = k("apply", "-f", "-", stdin=yaml.safe_dump(doc))
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr.lower(), result.stderr  # the patch came from the OpenAPI, not a fallback
    return result.stdout


def _get(k: Kubectl, *what: str) -> JSON:
    result = k("get", *what, "-o", "json")
    assert result.returncode == 0, result.stderr
    doc: JSON = json.loads(result.stdout)
    return doc


def _shoot_with_two_pools() -> JSON:
    shoot: JSON = yaml.safe_load(SHOOT.read_text())
    workers = shoot["spec"]["provider"]["workers"]
    workers.append({**copy.deepcopy(workers[0]), "name": "second", "maximum": 3})
    return shoot


def test_apply_removes_a_worker_pool_the_manifest_dropped_and_says_unchanged_after(garden: Kubectl) -> None:
    shoot = _shoot_with_two_pools()
    assert _apply(garden, shoot) == "shoot.core.gardener.cloud/local created\n"
    # The server defaulted fields inside each pool (machine image, volume, ...): with workers merged by name, an
    # unchanged manifest still computes an empty patch.
    assert _apply(garden, shoot) == "shoot.core.gardener.cloud/local unchanged\n"

    one = copy.deepcopy(shoot)
    one["spec"]["provider"]["workers"].pop()
    assert _apply(garden, one) == "shoot.core.gardener.cloud/local configured\n"
    live = _get(garden, "shoot", "local", "-n", "garden-local")
    assert [w["name"] for w in live["spec"]["provider"]["workers"]] == ["local"]
    assert _apply(garden, one) == "shoot.core.gardener.cloud/local unchanged\n"

    # A changed field of the remaining pool is patched in place; what the server defaulted stays.
    changed = copy.deepcopy(one)
    changed["spec"]["provider"]["workers"][0]["maximum"] = 4
    defaulted = live["spec"]["provider"]["workers"][0]
    assert _apply(garden, changed) == "shoot.core.gardener.cloud/local configured\n"
    pool = _get(garden, "shoot", "local", "-n", "garden-local")["spec"]["provider"]["workers"][0]
    assert pool == {**defaulted, "maximum": 4}


def test_apply_through_openapi_v2_removes_a_worker_pool_and_says_unchanged(garden: Kubectl) -> None:
    """kubectl's older path (OpenAPI v2 as protobuf, as kubectl before 1.29 and with the v3 patch path off) reads
    the same patch tags: the removed pool goes and an unchanged manifest computes an empty patch."""
    v2 = dataclasses.replace(garden, extra_env=(("KUBECTL_OPENAPIV3_PATCH", "false"),))
    shoot = _shoot_with_two_pools()
    assert _apply(v2, shoot) == "shoot.core.gardener.cloud/local created\n"
    assert _apply(v2, shoot) == "shoot.core.gardener.cloud/local unchanged\n"
    shoot["spec"]["provider"]["workers"].pop(0)
    verbose = v2("apply", "-f", "-", "-v=9", stdin=yaml.safe_dump(shoot))  # 9: bodies not truncated
    assert verbose.returncode == 0, verbose.stderr
    assert verbose.stdout == "shoot.core.gardener.cloud/local configured\n"
    assert "GET " in verbose.stderr and "/openapi/v2" in verbose.stderr
    assert "$setElementOrder/workers" in verbose.stderr  # a strategic merge patch, computed from v2
    live = _get(v2, "shoot", "local", "-n", "garden-local")
    assert [w["name"] for w in live["spec"]["provider"]["workers"]] == ["second"]
    explained = v2("explain", "--output=plaintext-openapiv2", "shoot.spec.provider.workers.maxSurge")
    assert explained.returncode == 0, explained.stderr
    assert "FIELD:    maxSurge <string>" in explained.stdout


def test_published_openapi_carries_the_worker_merge_key(garden: Kubectl) -> None:
    result = garden("get", "--raw", "/openapi/v3/apis/core.gardener.cloud/v1beta1")
    assert result.returncode == 0, result.stderr
    schemas = json.loads(result.stdout)["components"]["schemas"]
    shoot = next(s for s in schemas.values() if {"group": "core.gardener.cloud", "version": "v1beta1",
                                                  "kind": "Shoot"} in s.get("x-kubernetes-group-version-kind", []))
    workers = shoot["properties"]["spec"]["properties"]["provider"]["properties"]["workers"]
    assert (workers["x-kubernetes-patch-strategy"], workers["x-kubernetes-patch-merge-key"]) == ("merge", "name")


DEPLOYMENT: JSON = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
    "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "template": {
        "metadata": {"labels": {"app": "web"}},
        "spec": {"containers": [
            {"name": "web", "image": "nginx:1.25", "ports": [{"containerPort": 80}],
             "resources": {"limits": {"cpu": "100m", "memory": "64Mi"}}, "env": [{"name": "A", "value": "1"}]},
            {"name": "side", "image": "busybox:1.36", "args": ["sleep", "3600"]},
        ]}}},
}


@pytest.mark.parametrize("v3_patch", ["true", "false"], ids=["openapi-v3", "openapi-v2"])
def test_apply_of_a_deployment_on_the_local_seed(seed: Kubectl, v3_patch: str) -> None:
    seed = dataclasses.replace(seed, extra_env=(("KUBECTL_OPENAPIV3_PATCH", v3_patch),))
    if v3_patch == "false":  # the v2 document (protobuf) parses for every built-in kind of the local seed
        explained = seed("explain", "--output=plaintext-openapiv2", "deployment.spec.template.spec.containers.ports")
        assert explained.returncode == 0, explained.stderr
        assert "containerPort\t<integer>" in explained.stdout
    assert _apply(seed, DEPLOYMENT) == "deployment.apps/web created\n"
    assert _apply(seed, DEPLOYMENT) == "deployment.apps/web unchanged\n"
    one = copy.deepcopy(DEPLOYMENT)
    one["spec"]["template"]["spec"]["containers"].pop()
    assert _apply(seed, one) == "deployment.apps/web configured\n"
    live = _get(seed, "deployment", "web", "-n", "default")
    assert [c["name"] for c in live["spec"]["template"]["spec"]["containers"]] == ["web"]
    assert live["spec"]["template"]["spec"]["containers"][0]["ports"][0]["protocol"] == "TCP"  # defaulted, kept
    assert _apply(seed, one) == "deployment.apps/web unchanged\n"

    # Switching the rollout strategy: kubectl sends $retainKeys, and the defaulted rollingUpdate goes.
    recreate = copy.deepcopy(one)
    recreate["spec"]["strategy"] = {"type": "Recreate"}
    assert _apply(seed, recreate) == "deployment.apps/web configured\n"
    assert _get(seed, "deployment", "web", "-n", "default")["spec"]["strategy"] == {"type": "Recreate"}
    assert _apply(seed, recreate) == "deployment.apps/web unchanged\n"


def test_a_nodes_taints_are_replaced_whole_by_a_strategic_patch(seed: Kubectl) -> None:
    node = _get(seed, "nodes")["items"][0]["metadata"]["name"]
    for taints in ([{"key": "a", "effect": "NoSchedule"}, {"key": "b", "effect": "NoSchedule"}],
                   [{"key": "c", "effect": "NoExecute"}]):
        result = seed("patch", "node", node, "-p", json.dumps({"spec": {"taints": taints}}))
        assert result.returncode == 0, result.stderr
        assert _get(seed, "node", node)["spec"]["taints"] == taints
