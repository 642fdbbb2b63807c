"""Bare control-plane workloads for flow tests: the Deployments and StatefulSets the flow rolls out, without PKI.

``BareComponents`` implements ``seed.flow.components.Components`` with the names, labels and images the real
renderers use, so the flow, the local seed's per-shoot API and the care checks see what they expect; the
certificates, flags and policies of the real renderers are theirs to test.
"""

from __future__ import annotations

from typing import Any

from seed.flow.context import ShootContext
from seed.flow.steps import apiserver_service

JSON = dict[str, Any]


def _version(ctx: ShootContext) -> str:
    return ctx.view.kubernetes_version or "1.32.0"


def _deployment(ctx: ShootContext, name: str, role: str, image: str) -> JSON:
    labels = {"app": "kubernetes", "role": role}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": ctx.namespace,
                         "labels": {**labels, "gardener.cloud/role": "controlplane"}},
            "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": {**labels, "gardener.cloud/role": "controlplane"}},
                                  "spec": {"containers": [{"name": name, "image": image}]}}}}


def _etcd(ctx: ShootContext, role: str) -> JSON:
    labels = {"app": "etcd-statefulset", "role": role}
    return {"apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": f"etcd-{role}", "namespace": ctx.namespace,
                         "labels": {**labels, "gardener.cloud/role": "controlplane"}},
            "spec": {"replicas": 1, "serviceName": f"etcd-{role}-peer", "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": {"containers": [
                         {"name": "etcd", "image": "europe-docker.pkg.dev/gardener-project/public/gardener/"
                                                   "etcd-wrapper:v0.6.2",
                          "volumeMounts": [{"name": f"{role}-etcd", "mountPath": "/var/etcd/data"}]}]}},
                     "volumeClaimTemplates": [{"metadata": {"name": f"{role}-etcd"}, "spec": {
                         "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Gi"}}}}]}}


class BareComponents:
    def __init__(self, *, scheduler_image: str | None = None) -> None:
        self.scheduler_image = scheduler_image

    def secrets(self, ctx: ShootContext, existing: list[JSON]) -> list[JSON]:
        return []

    def etcd(self, ctx: ShootContext) -> list[JSON]:
        return [_etcd(ctx, "main"), _etcd(ctx, "events")]

    def kube_apiserver(self, ctx: ShootContext) -> list[JSON]:
        return [_deployment(ctx, "kube-apiserver", "apiserver",
                            f"registry.k8s.io/kube-apiserver:v{_version(ctx)}")]

    def kube_controller_manager(self, ctx: ShootContext) -> list[JSON]:
        return [_deployment(ctx, "kube-controller-manager", "controller-manager",
                            f"registry.k8s.io/kube-controller-manager:v{_version(ctx)}")]

    def kube_scheduler(self, ctx: ShootContext) -> list[JSON]:
        image = self.scheduler_image or f"registry.k8s.io/kube-scheduler:v{_version(ctx)}"
        return [_deployment(ctx, "kube-scheduler", "scheduler", image)]

    def ca_bundle(self, ctx: ShootContext) -> str:
        return ""

    def client_ca(self, ctx: ShootContext) -> JSON | None:
        return None

    def service(self, ctx: ShootContext) -> JSON:
        return apiserver_service.service_object(ctx)

    def policies(self, ctx: ShootContext) -> list[JSON]:
        return []
