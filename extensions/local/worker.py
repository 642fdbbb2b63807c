"""Worker/local: machines as Pods in the shoot's seed namespace, which the local seed cluster turns into Nodes of
the shoot's own API.

Called through ``extensions.driver``. Each pool and zone is a machine deployment (``extensions.sdk.workers``); each
machine a Pod ``machine-<machine>`` labelled ``machine.hortus.dev/name=<machine>`` (and ``app=machine``, the pool,
zone and instance type, which the Node carries), its capacity from the CloudProfile's machine type, its user data
from the pool's Secret mounted at ``/etc/machine``. A pool keeps between minimum and maximum machines; a new image,
machine type or Kubernetes minor version rolls its machines with maxSurge/maxUnavailable, a new patch version is
applied in place (the kubelet version the Node reports). Until every machine is Ready: a ``TemporaryError``.
The Pods only simulate machines: nothing runs the user data.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable

from extensions.contract import JSON, Context, ExtensionObject, Outcome
from extensions.sdk import BaseActuator, ShootView, health, workers
from extensions.sdk.secrets import decoded
from extensions.status import now
from shoot import errors

MACHINE_LABEL = "machine.hortus.dev/name"
DEPLOYMENT_LABEL = "machine.hortus.dev/deployment"
CLASS_LABEL = "machine.hortus.dev/class"
KUBELET_VERSION = "machine.hortus.dev/kubelet-version"
NODE_LABELS = "machine.hortus.dev/node-labels"
NODE_TAINTS = "machine.hortus.dev/node-taints"
PURPOSE_LABEL = "gardener.cloud/purpose"
DEFAULT_IMAGE = "localhost/hortus/local-machine:{version}"
STATUS_API_VERSION = "local.provider.extensions.gardener.cloud/v1alpha1"


class WorkerActuator(BaseActuator):
    def reconcile(self, ctx: Context, obj: ExtensionObject) -> Outcome:
        view = ShootView.of(ctx)
        pools = list(obj.spec.get("pools") or [])
        wanted = workers.deployments(ctx.namespace, pools, region=obj.spec.get("region") or view.region,
                                     kubernetes_version=view.kubernetes_version)
        by_pool = {p["name"]: p for p in pools}
        pods = _machine_pods(ctx, obj.namespace)
        names = {d.name for d in wanted}
        for pod in pods:
            if _deployment_of(pod) not in names and not pod["metadata"].get("deletionTimestamp"):
                ctx.seed.delete("v1", "Pod", pod["metadata"]["name"], namespace=obj.namespace)
        previous = (obj.state.get("replicas") or {}) if isinstance(obj.state.get("replicas"), dict) else {}
        replicas, waiting = {}, []
        for deployment in wanted:
            pool = by_pool[deployment.pool]
            replicas[deployment.name] = deployment.replicas(previous.get(deployment.name))
            mine = [p for p in pods if _deployment_of(p) == deployment.name]
            step = self._roll(ctx, obj, view, deployment, pool, mine, replicas=replicas[deployment.name])
            if not step.done:
                waiting.append(step.message)
        in_use = {v["secret"]["secretName"] for p in pods for v in (p.get("spec") or {}).get("volumes") or []
                  if (v.get("secret") or {}).get("secretName")}
        _remove_unused_classes(ctx, obj.namespace, in_use | {_class_secret(d) for d in wanted})
        if waiting:
            # Machines of the local seed boot as fast as its Pods start: ask again soon.
            raise errors.TemporaryError("; ".join(waiting), delay=0.5)
        return Outcome(provider_status=_provider_status(view, pools),
                       state={"replicas": replicas},
                       status=workers.worker_status(wanted, updated=now()))

    def _roll(self, ctx: Context, obj: ExtensionObject, view: ShootView, deployment: workers.Deployment, pool: JSON,
              pods: list[JSON], *, replicas: int) -> workers.Plan:
        secret = _ensure_class_secret(ctx, obj.namespace, deployment, pool)
        machines = [_machine(p) for p in pods]
        step = workers.plan(deployment, machines, replicas=replicas)
        for name in step.delete:
            ctx.seed.delete("v1", "Pod", f"machine-{name}", namespace=obj.namespace)
        for _ in range(step.create):
            ctx.seed.apply(_pod(view, obj, deployment, pool, machine=deployment.machine_name(), secret=secret))
        for pod in pods:
            if pod["metadata"]["labels"].get(CLASS_LABEL) == deployment.class_hash:
                _update_in_place(ctx, pod, _metadata(view, obj, deployment, pool,
                                                     machine=pod["metadata"]["labels"][MACHINE_LABEL]))
        return step

    def delete(self, ctx: Context, obj: ExtensionObject) -> None:
        pods = _machine_pods(ctx, obj.namespace)
        for pod in pods:
            if not pod["metadata"].get("deletionTimestamp"):
                ctx.seed.delete("v1", "Pod", pod["metadata"]["name"], namespace=obj.namespace)
        if pods:
            raise errors.TemporaryError(f"{len(pods)} machines are terminating", delay=1.0)
        _remove_unused_classes(ctx, obj.namespace, set())

    def migrate(self, ctx: Context, obj: ExtensionObject) -> Outcome:
        """Machines of the local provider live on the seed and cannot move: they go, and the destination seed
        starts as many (the replicas are kept in the state)."""
        self.delete(ctx, obj)
        return Outcome(provider_status=obj.status.get("providerStatus"), state=obj.state or None)

    def health(self, ctx: Context, obj: ExtensionObject) -> list[JSON]:
        minimum = sum(int(p.get("minimum", 0)) for p in obj.spec.get("pools") or [])
        return [health.pods_condition(ctx.seed, obj.namespace, selector=MACHINE_LABEL, minimum=minimum,
                                      kind="EveryNodeReady", what="machines", old=obj.status.get("conditions") or [])]


# --- machine pods --------------------------------------------------------------------------------------------


def _machine_pods(ctx: Context, namespace: str) -> list[JSON]:
    return ctx.seed.list("v1", "Pod", namespace=namespace, label_selector=MACHINE_LABEL)


def _deployment_of(pod: JSON) -> str:
    return str((pod["metadata"].get("labels") or {}).get(DEPLOYMENT_LABEL, ""))


def _machine(pod: JSON) -> workers.Machine:
    md = pod["metadata"]
    return workers.Machine(name=md["labels"][MACHINE_LABEL], class_hash=md["labels"].get(CLASS_LABEL, ""),
                           ready=health.pod_ready(pod), terminating=bool(md.get("deletionTimestamp")),
                           failed=(pod.get("status") or {}).get("phase") == "Failed",
                           created=str(md.get("creationTimestamp", "")))


def _metadata(view: ShootView, obj: ExtensionObject, deployment: workers.Deployment, pool: JSON, *,
              machine: str) -> JSON:
    labels = {"app": "machine", MACHINE_LABEL: machine, DEPLOYMENT_LABEL: deployment.name,
              CLASS_LABEL: deployment.class_hash, "worker.gardener.cloud/pool": deployment.pool,
              "node.kubernetes.io/instance-type": str(pool.get("machineType", "local")),
              "topology.kubernetes.io/zone": deployment.zone}
    version = str(pool.get("kubernetesVersion") or view.kubernetes_version)
    annotations = {KUBELET_VERSION: f"v{version}" if version else "",
                   NODE_LABELS: json.dumps(pool.get("labels") or {}, sort_keys=True),
                   NODE_TAINTS: json.dumps(pool.get("taints") or [], sort_keys=True)}
    return {"name": f"machine-{machine}", "namespace": obj.namespace, "labels": labels, "annotations": annotations}


def _pod(view: ShootView, obj: ExtensionObject, deployment: workers.Deployment, pool: JSON, *, machine: str,
         secret: str) -> JSON:
    image = pool.get("machineImage") or {}
    container: JSON = {"name": "node", "image": _image(view, image), "imagePullPolicy": "IfNotPresent",
                       "env": [{"name": "NODE_NAME", "value": machine}],
                       "volumeMounts": [{"name": "userdata", "mountPath": "/etc/machine", "readOnly": True}]}
    resources = _resources(view, str(pool.get("machineType", "")))
    if resources:
        container["resources"] = {"limits": resources, "requests": resources}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": _metadata(view, obj, deployment, pool, machine=machine),
            "spec": {"hostname": machine[:63], "containers": [container], "restartPolicy": "Always",
                     "volumes": [{"name": "userdata", "secret": {"secretName": secret}}]}}


def _update_in_place(ctx: Context, pod: JSON, wanted: JSON) -> None:
    """Labels and annotations that change without replacing the machine (patch version, node labels, taints)."""
    md = pod["metadata"]
    if all((md.get(k) or {}).get(key) == value for k in ("labels", "annotations") for key, value in wanted[k].items()):
        return
    ctx.seed.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {
        "name": md["name"], "namespace": md["namespace"], "labels": wanted["labels"],
        "annotations": wanted["annotations"]}})


def _image(view: ShootView, image: JSON) -> str:
    """The CloudProfile's node image for the machine image version (provider-local's ``CloudProfileConfig``)."""
    name, version = str(image.get("name", "")), str(image.get("version", ""))
    config = (view.cloud_profile.get("spec") or {}).get("providerConfig") or {}
    for offered in config.get("machineImages") or []:
        if offered.get("name") == name:
            for v in offered.get("versions") or []:
                if v.get("version") == version and v.get("image"):
                    return str(v["image"])
    return DEFAULT_IMAGE.format(version=version or "latest")


def _resources(view: ShootView, machine_type: str) -> dict[str, str]:
    for offered in (view.cloud_profile.get("spec") or {}).get("machineTypes") or []:
        if offered.get("name") == machine_type:
            return {k: str(offered[k]) for k in ("cpu", "memory") if offered.get(k) not in (None, "")}
    return {}


def _provider_status(view: ShootView, pools: Iterable[JSON]) -> JSON:
    images = []
    for pool in pools:
        image = pool.get("machineImage") or {}
        entry = {"name": image.get("name", ""), "version": image.get("version", ""), "image": _image(view, image)}
        if entry not in images:
            images.append(entry)
    return {"apiVersion": STATUS_API_VERSION, "kind": "WorkerStatus", "machineImages": images}


# --- machine classes (the user data) -----------------------------------------------------------------------


def _class_secret(deployment: workers.Deployment) -> str:
    return f"{deployment.name}-{deployment.class_hash[:5]}"[:253]


def _ensure_class_secret(ctx: Context, namespace: str, deployment: workers.Deployment, pool: JSON) -> str:
    name = _class_secret(deployment)
    ctx.seed.apply({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                    "metadata": {"name": name, "namespace": namespace,
                                 "labels": {PURPOSE_LABEL: "machineclass", DEPLOYMENT_LABEL: deployment.name}},
                    "data": {"userData": base64.b64encode(_user_data(ctx, namespace, pool)).decode()}})
    return name


def _user_data(ctx: Context, namespace: str, pool: JSON) -> bytes:
    """The pool's user data: the OperatingSystemConfig result its ``userDataSecretRef`` names, else ``userData``."""
    ref = pool.get("userDataSecretRef") or {}
    if ref.get("name"):
        secret = ctx.seed.get("v1", "Secret", ref["name"], namespace=namespace)
        if secret is None:
            raise errors.TemporaryError(f"pool {pool['name']}: user data Secret {ref['name']} does not exist (yet)")
        key = ref.get("key") or "cloud_config"
        value = decoded(secret).get(key)
        if not value:
            raise errors.PermanentError(f"pool {pool['name']}: Secret {ref['name']} has no {key} field or it's empty")
        return value.encode()
    inline = pool.get("userData")
    return base64.b64decode(str(inline)) if inline else b""


def _remove_unused_classes(ctx: Context, namespace: str, used: set[str]) -> None:
    for secret in ctx.seed.list("v1", "Secret", namespace=namespace, label_selector=f"{PURPOSE_LABEL}=machineclass"):
        if secret["metadata"]["name"] not in used:
            ctx.seed.delete("v1", "Secret", secret["metadata"]["name"], namespace=namespace)
