"""ServiceAccounts on the local seed: ``default`` everywhere, Pods defaulted to it, TokenRequest tokens that
authenticate while their account (and bound object) lives."""

from __future__ import annotations

import json
import ssl
import subprocess

import httpx

from apiserver.server import ApiServer
from tests.e2e.kubectl import Kubectl
from tests.support.servers import RunningServer


def ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout


def _client(server: RunningServer, token: str) -> httpx.Client:
    return httpx.Client(base_url=server.url, verify=ssl.create_default_context(cafile=str(server.ca_file)),
                        headers={"Authorization": f"Bearer {token}"})


def _whoami(server: RunningServer, token: str) -> int | str:
    with _client(server, token) as c:
        resp = c.post("/apis/authentication.k8s.io/v1/selfsubjectreviews",
                      json={"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})
    return resp.json()["status"]["userInfo"]["username"] if resp.status_code == 201 else resp.status_code


def test_every_namespace_has_a_default_account_and_pods_use_it(kubectl: Kubectl) -> None:
    for ns in ("default", "kube-system"):
        ok(kubectl("get", "serviceaccount", "default", "-n", ns))
    ok(kubectl("create", "namespace", "team"))
    ok(kubectl("get", "serviceaccount", "default", "-n", "team"))
    ok(kubectl("run", "web", "-n", "team", "--image=nginx:1.27"))
    pod = json.loads(ok(kubectl("get", "pod", "web", "-n", "team", "-o", "json")))
    assert pod["spec"]["serviceAccountName"] == "default"


def test_kubectl_create_token_gives_a_token_the_cluster_accepts(seed: tuple[RunningServer, ApiServer],
                                                                 kubectl: Kubectl) -> None:
    server, _ = seed
    ok(kubectl("create", "serviceaccount", "robot"))
    token = ok(kubectl("create", "token", "robot", "--duration=15m")).strip()
    assert _whoami(server, token) == "system:serviceaccount:default:robot"
    ok(kubectl("delete", "serviceaccount", "robot"))
    ok(kubectl("create", "serviceaccount", "robot"))  # the same name, another uid: the old token is dead
    assert _whoami(server, token) == 401
    assert _whoami(server, token[:-4] + "AAAA") == 401


def test_a_token_bound_to_a_pod_dies_with_the_pod(seed: tuple[RunningServer, ApiServer], kubectl: Kubectl) -> None:
    server, _ = seed
    ok(kubectl("run", "web", "--image=nginx:1.27"))
    token = ok(kubectl("create", "token", "default", "--bound-object-kind=Pod", "--bound-object-name=web")).strip()
    assert _whoami(server, token) == "system:serviceaccount:default:default"
    ok(kubectl("delete", "pod", "web", "--grace-period=0", "--force"))
    assert _whoami(server, token) == 401


def test_token_requests_are_checked(seed: tuple[RunningServer, ApiServer]) -> None:
    server, _ = seed
    base = "/api/v1/namespaces/default/serviceaccounts"
    with _client(server, server.token) as c:
        short = c.post(f"{base}/default/token", json={"spec": {"expirationSeconds": 60}})
        assert short.status_code == 422 and short.json()["details"]["causes"][0]["field"] == "spec.expirationSeconds"
        assert c.post(f"{base}/nobody/token", json={"spec": {}}).status_code == 404
        bad = c.post(f"{base}/default/token", json={"spec": {"boundObjectRef": {"kind": "Node", "name": "n"}}})
        assert bad.status_code == 422
        other = c.post(f"{base}/default/token", json={"spec": {"audiences": ["vault"]}})
        assert other.status_code == 201 and other.json()["spec"]["audiences"] == ["vault"]
    assert _whoami(server, other.json()["status"]["token"]) == 401  # not for this API server's audience
