"""A whole rendered control plane (``shoot.controlplane.render`` with the PKI's Secrets) applied to the local seed:
the seed accepts every object, and the simulation brings etcd, kube-apiserver, kube-controller-manager and
kube-scheduler to ready, their PVCs bound."""

from __future__ import annotations

import functools
from typing import Any

from apiserver.context import system_context
from apiserver.server import ApiServer
from shoot.controlplane.render import render
from shoot.controlplane.spec import ControlPlane
from shoot.pki import plan
from tests.seed.local.shoots.test_endpoints import eventually
from tests.support import shoot_pki
from tests.support.servers import RunningServer

JSON = dict[str, Any]
NAMESPACE = "shoot--dev--render"


def _create(api: ApiServer, obj: JSON) -> None:
    rt = api.registry.by_kind(obj["apiVersion"], obj["kind"])
    assert rt is not None, f"the local seed serves {obj['apiVersion']} {obj['kind']}"
    api.service.create(rt, obj["metadata"].get("namespace", ""), obj, system_context())


def _ready(api: ApiServer, kind: str, name: str) -> bool:
    rt = api.registry.by_kind("apps/v1", kind)
    assert rt is not None
    obj = api.service.get(rt, NAMESPACE, name)
    wanted = int(obj["spec"].get("replicas", 1))
    return int((obj.get("status") or {}).get("readyReplicas") or 0) >= wanted


def test_the_local_seed_runs_a_rendered_control_plane(seed: tuple[RunningServer, ApiServer]) -> None:
    api = seed[1]
    _create(api, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}})
    made = shoot_pki.make(NAMESPACE)
    for secret in made.writes:
        _create(api, plan.manifest(secret, namespace=NAMESPACE))
    cp = ControlPlane(namespace=NAMESPACE, version="1.32.8", api_hostname="api.render.dev.local",
                      health_check_token=plan.health_check_token(made.secrets),
                      secret_checksums=plan.checksums(made.secrets))
    for obj in render(cp):
        _create(api, obj)
    for kind, name in [("StatefulSet", "etcd-main"), ("StatefulSet", "etcd-events"),
                       ("Deployment", "kube-apiserver"), ("Deployment", "kube-controller-manager"),
                       ("Deployment", "kube-scheduler")]:
        eventually(functools.partial(_ready, api, kind, name), timeout=60, what=f"{kind} {name} ready")
    claims = api.registry.get("", "v1", "persistentvolumeclaims")
    assert claims is not None

    def bound() -> set[str]:
        return {c["metadata"]["name"] for c in api.service.list(claims, NAMESPACE).items
                if (c.get("status") or {}).get("phase") == "Bound"}

    eventually(lambda: {"main-etcd-etcd-main-0", "etcd-events-etcd-events-0"} <= bound(), timeout=60,
               what="the etcd volumes bound")
