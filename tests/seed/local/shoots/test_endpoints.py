"""Per-shoot API endpoints of the local seed: served under ``/shoots/<namespace>`` while the shoot's kube-apiserver
Deployment is ready, to real kubectl and the official client; 503 while hibernated; data kept across both."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

from apiserver import tls
from apiserver.context import system_context
from apiserver.registry import ResourceType
from apiserver.server import ApiServer
from seed.local.server import create_local_seed
from seed.local.shoots import endpoints
from tests.e2e.kubectl import Kubectl
from tests.seed.local.conftest import close
from tests.support.servers import RunningServer

JSON = dict[str, Any]
Seed = tuple[RunningServer, ApiServer]
NAMESPACE = "shoot--dev--alpha"


def eventually(check: Callable[[], Any], *, timeout: float = 10.0, what: str = "condition") -> Any:
    """The first truthy result of ``check``; AssertionError with the last result when none comes in time."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            assert result, f"{what}: not within {timeout}s (last: {result!r})"
            return result
        time.sleep(0.05)


def kind(api: ApiServer, group: str, plural: str) -> ResourceType:
    rt = api.registry.get(group, "v1", plural)
    assert rt is not None
    return rt


def kube_apiserver(replicas: int = 1) -> JSON:
    labels = {"app": "kubernetes", "role": "apiserver"}
    container = {"name": "kube-apiserver", "image": "registry.k8s.io/kube-apiserver:v1.31.2"}
    return {"metadata": {"name": "kube-apiserver"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}}}}


def set_ready_replicas(api: ApiServer, namespace: str, ready: int) -> None:
    """What the simulation reports once the kube-apiserver pods are ready, written directly."""
    rt = kind(api, "apps", "deployments")
    old = api.service.get(rt, namespace, "kube-apiserver")
    status = {"replicas": ready, "readyReplicas": ready, "availableReplicas": ready,
              "observedGeneration": old["metadata"]["generation"]}
    api.service.update(rt, namespace, "kube-apiserver", {**old, "status": status}, system_context(),
                       subresource="status")


def shoot_namespace(api: ApiServer, namespace: str = NAMESPACE, *, replicas: int = 1) -> None:
    """A shoot namespace on the seed with its kube-apiserver Deployment (the seed's simulation runs its pods)."""
    api.service.create(kind(api, "", "namespaces"), "", {"metadata": {"name": namespace}}, system_context())
    api.service.create(kind(api, "apps", "deployments"), namespace, kube_apiserver(replicas), system_context())


def shoot_kubectl(seed: Seed, tmp_path: Path, namespace: str = NAMESPACE) -> Kubectl:
    server, api = seed
    path = tmp_path / f"{namespace}.kubeconfig"
    tls.write_kubeconfig(path, endpoints.shoot_kubeconfig(api, namespace, seed_url=server.url,
                                                          ca_pem=server.ca_file.read_bytes()))
    return Kubectl(kubeconfig=path, workdir=tmp_path / f"kubectl-{namespace}")


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"kubectl exited {result.returncode}: {result.stderr}"
    return result.stdout


def served(k: Kubectl) -> Callable[[], bool]:
    return lambda: k("get", "ns", "-o", "name").returncode == 0


def unavailable(k: Kubectl) -> Callable[[], bool]:
    def check() -> bool:
        result = k("get", "ns", "-o", "name")
        return result.returncode != 0 and "ServiceUnavailable" in result.stderr + result.stdout
    return check


def test_serves_the_shoot_api_once_its_kube_apiserver_is_ready(seed: Seed, kubectl: Kubectl,
                                                               tmp_path: Path) -> None:
    shoot_namespace(seed[1], replicas=0)
    shoot = shoot_kubectl(seed, tmp_path)
    result = shoot("get", "ns")
    assert result.returncode != 0
    assert "Error from server (ServiceUnavailable)" in result.stderr
    ok(kubectl("scale", "deployment", "kube-apiserver", "-n", NAMESPACE, "--replicas=1"))
    eventually(served(shoot), what="the shoot API")
    assert ok(shoot("get", "ns", "-o", "name")).split() == [
        "namespace/default", "namespace/kube-node-lease", "namespace/kube-public", "namespace/kube-system"]
    # A separate store: the seed's namespaces are not the shoot's.
    assert NAMESPACE not in ok(shoot("get", "ns"))
    assert NAMESPACE in ok(kubectl("get", "ns"))
    # The version is the kube-apiserver image's.
    assert json.loads(ok(shoot("version", "-o", "json")))["serverVersion"]["minor"] == "31"


def test_goes_away_when_scaled_to_zero_and_comes_back_with_its_data(seed: Seed, kubectl: Kubectl,
                                                                    tmp_path: Path) -> None:
    shoot_namespace(seed[1])
    shoot = shoot_kubectl(seed, tmp_path)
    eventually(served(shoot), what="the shoot API")
    ok(shoot("create", "configmap", "kept", "-n", "default", "--from-literal=a=b"))
    watcher = shoot.start("get", "configmaps", "-n", "default", "-w")
    watcher.wait_for_line(lambda line: line.startswith("kept"))
    try:
        ok(kubectl("scale", "deployment", "kube-apiserver", "-n", NAMESPACE, "--replicas=0"))
        eventually(unavailable(shoot), what="the shoot API to go away")
        # The watch of a stopped API server ends, as its connection drops.
        assert watcher.wait(timeout=10) is not None
    finally:
        watcher.stop()
    ok(kubectl("scale", "deployment", "kube-apiserver", "-n", NAMESPACE, "--replicas=1"))
    eventually(served(shoot), what="the shoot API to come back")
    assert ok(shoot("get", "configmap", "kept", "-n", "default", "-o", "jsonpath={.data.a}")) == "b"


def test_official_client_lists_and_watches_under_the_path_prefix(seed: Seed, tmp_path: Path) -> None:
    shoot_namespace(seed[1])
    shoot = shoot_kubectl(seed, tmp_path)
    eventually(served(shoot), what="the shoot API")
    api_client = config.new_client_from_config(config_file=str(shoot.kubeconfig))
    try:
        core = client.CoreV1Api(api_client)
        groups = {g.name for g in client.ApisApi(api_client).get_api_versions().groups}
        assert {"apps", "rbac.authorization.k8s.io", "coordination.k8s.io"} <= groups
        listed = core.list_namespaced_config_map("default")
        core.create_namespaced_config_map("default", {"metadata": {"name": "seen"}})
        stream = watch.Watch().stream(core.list_namespaced_config_map, "default",
                                      resource_version=listed.metadata.resource_version, timeout_seconds=5)
        event = next(stream)
        assert (event["type"], event["object"].metadata.name) == ("ADDED", "seen")
        stream.close()
    finally:
        close(api_client)


def test_refuses_tokens_other_than_the_shoots_own(seed: Seed, kubectl: Kubectl, tmp_path: Path) -> None:
    server, api = seed
    shoot_namespace(api)
    eventually(served(shoot_kubectl(seed, tmp_path)), what="the shoot API")
    seed_token = tls.kubeconfig(server=f"{server.url}/shoots/{NAMESPACE}", ca_pem=server.ca_file.read_bytes(),
                                token=server.token, cluster="s", user="u")
    tls.write_kubeconfig(tmp_path / "seed-token.kubeconfig", seed_token)
    result = kubectl.with_kubeconfig(tmp_path / "seed-token.kubeconfig")("get", "ns")
    assert result.returncode != 0
    assert "You must be logged in to the server" in result.stderr


def test_rotated_token_in_the_secret_works_at_once(seed: Seed, kubectl: Kubectl, tmp_path: Path) -> None:
    shoot_namespace(seed[1])
    before = shoot_kubectl(seed, tmp_path)
    eventually(served(before), what="the shoot API")
    ok(kubectl("patch", "secret", endpoints.TOKEN_SECRET, "-n", NAMESPACE, "-p", '{"stringData":{"token":"new"}}'))
    after = shoot_kubectl(seed, tmp_path / "after")
    assert endpoints.read_token(seed[1], NAMESPACE) == "new"
    ok(after("get", "ns"))
    assert "You must be logged in to the server" in before("get", "ns").stderr


def test_paths_of_other_namespaces_are_not_found(seed: Seed, tmp_path: Path) -> None:
    server, _api = seed
    tls.write_kubeconfig(tmp_path / "default.kubeconfig", tls.kubeconfig(
        server=f"{server.url}/shoots/default", ca_pem=server.ca_file.read_bytes(), token=server.token, cluster="s",
        user="u"))
    api_client = config.new_client_from_config(config_file=str(tmp_path / "default.kubeconfig"))
    try:
        assert _failure(lambda: client.CoreV1Api(api_client).list_namespace()) == (404, "NotFound")
    finally:
        close(api_client)


def test_kubeconfig_points_at_the_prefix_with_the_seed_ca_and_the_shoot_token(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / endpoints.SERVING_CA_FILE).write_bytes(b"CA PEM")
    _app, api = create_local_seed(state, token="t", server_address="seed.local:6444")
    try:
        shoot_namespace(api)
        kubeconfig = endpoints.shoot_kubeconfig(api, NAMESPACE)
        cluster = kubeconfig["clusters"][0]["cluster"]
        assert cluster["server"] == f"https://seed.local:6444/shoots/{NAMESPACE}"
        assert cluster["certificate-authority-data"] == "Q0EgUEVN"  # base64 of the CA file
        assert kubeconfig["users"][0]["user"]["token"] == endpoints.read_token(api, NAMESPACE)
        assert endpoints.shoot_kubeconfig(api, NAMESPACE)["users"] == kubeconfig["users"]  # stored once
    finally:
        api.store.engine.dispose()


def test_shoot_data_survives_a_seed_restart_and_goes_with_its_namespace(tmp_path: Path) -> None:
    state = tmp_path / "state"
    _app, api = create_local_seed(state, token="t")
    shoot_namespace(api)
    set_ready_replicas(api, NAMESPACE, 1)  # the simulation does not run in an app that is not served
    asyncio.run(_with_shoot(api, lambda shoot: shoot.service.create(
        kind(shoot, "", "configmaps"), "default", {"metadata": {"name": "kept"}}, system_context())))
    api.store.engine.dispose()

    _app, again = create_local_seed(state, token="t")
    try:
        names = asyncio.run(_with_shoot(again, lambda shoot: [
            c["metadata"]["name"] for c in shoot.service.list(kind(shoot, "", "configmaps"), "default").items]))
        assert "kept" in names
        _drop_namespace(again)
        asyncio.run(endpoints.manager_of(again).reconcile())
        assert not (state / "shoots" / f"{NAMESPACE}.db").exists()
    finally:
        again.store.engine.dispose()


def _failure(call: Callable[[], Any]) -> tuple[int, str]:
    """The status code and reason a call fails with (the exception, which holds the socket, is not kept)."""
    with pytest.raises(ApiException) as raised:
        call()
    return raised.value.status, json.loads(raised.value.body)["reason"]


async def _with_shoot(api: ApiServer, use: Callable[[ApiServer], Any]) -> Any:
    manager = endpoints.manager_of(api)
    manager.simulate = lambda _api: None
    await manager.reconcile()
    try:
        return use(manager.served[NAMESPACE].api)
    finally:
        await manager.stop(NAMESPACE)


def _drop_namespace(api: ApiServer) -> None:
    """The end of a namespace deletion (the namespace controller's work, which runs only in a served app)."""
    with api.store.write() as txn:
        txn.delete(kind(api, "apps", "deployments").key, NAMESPACE, "kube-apiserver")
        txn.delete(kind(api, "", "secrets").key, NAMESPACE, endpoints.TOKEN_SECRET)
        txn.delete(kind(api, "", "namespaces").key, "", NAMESPACE)


@pytest.mark.parametrize(("replicas", "ready", "deleting", "serves"), [
    (1, 1, False, True), (3, 1, False, True), (0, 1, False, False),  # scaled to 0: hibernated, pods still going
    (1, 0, False, False), (1, None, False, False),  # crashing, or not yet reported
    (1, 1, True, False)])
def test_kube_apiserver_serves_with_a_wanted_and_ready_replica(replicas: int, ready: int | None, deleting: bool,
                                                               serves: bool) -> None:
    deployment = {"metadata": {"name": "kube-apiserver", **({"deletionTimestamp": "now"} if deleting else {})},
                  "spec": {"replicas": replicas}, "status": {} if ready is None else {"readyReplicas": ready}}
    assert endpoints.is_ready(deployment) is serves
