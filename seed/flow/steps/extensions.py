"""Extension objects of a shoot (Gardener's ``extensions.gardener.cloud`` kinds), written and run through the driver.

Steps of ``seed.flow.reconcile`` and ``seed.flow.delete``: Infrastructure, ControlPlane, OperatingSystemConfig per
worker pool, Network, Worker and the DNSRecords each have a spec built from the Shoot as Gardener builds it, and are
reconciled by the extension registered for their (kind, type) via ``extensions.driver.run``. Within one operation,
an object already reconciled at its generation with the same spec is not reconciled again (the cheap no-op of a
retried flow); a new operation reconciles everything.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from typing import Any

from extensions import driver
from extensions.contract import API_VERSION, ExtensionObject, Kind, Operation
from seed.flow.context import JSON, ShootContext
from seed.flow.steps.namespace import CLOUDPROVIDER
from shoot import errors
from shoot.errors import ErrorCode

DNS_INTERNAL, DNS_EXTERNAL = "internal", "external"


def deploy(ctx: ShootContext, *, step: str, kind: Kind, name: str, spec: JSON) -> JSON:
    """Reconcile the extension object ``kind``/``name`` to ``spec``; its status once the extension is done."""
    registration = ctx.registry.find(kind=kind, type=str(spec.get("type", "")))
    if registration is None:
        raise errors.PermanentError(f"no extension serves {kind}/{spec.get('type')}: install a plugin for it",
                                    codes=[ErrorCode.CONFIGURATION_PROBLEM])
    try:
        driver.install_crds(ctx.kube, kind)  # once per client: the kind is served before it is read
        live = ctx.kube.get(API_VERSION, kind, name, namespace=ctx.namespace)
        if ctx.finished(step) and live is not None and _current(live, spec):
            return dict(live.get("status") or {})
        status = dict((live or {}).get("status") or {})
        obj = ExtensionObject(kind=kind, name=name, namespace=ctx.namespace, spec=spec, status=status)
        return driver.run(registration, ctx.extension_context(), obj).status
    except errors.PermanentError as exc:
        if "does not serve" not in exc.message:
            raise
        # Its CRD was established a moment ago; the API server serves the kind a moment later.
        raise errors.TemporaryError(exc.message, delay=0.2) from None


def _current(live: JSON, spec: JSON) -> bool:
    status = live.get("status") or {}
    return (live.get("spec") == spec and (status.get("lastOperation") or {}).get("state") == "Succeeded"
            and status.get("observedGeneration") == live["metadata"].get("generation")
            and not live["metadata"].get("deletionTimestamp"))


def destroy(ctx: ShootContext, *, kind: Kind, name: str, type_: str | None = None) -> None:
    """Delete the extension object (its actuator cleans up first); waiting while it goes."""
    try:
        live = ctx.kube.get(API_VERSION, kind, name, namespace=ctx.namespace)
    except errors.PermanentError:
        return  # the kind is not even served on the seed: no object of it exists
    if live is None:
        return  # never written, or gone already
    spec = dict(live.get("spec") or {})
    kind_type = str(spec.get("type") or type_ or "")
    registration = ctx.registry.find(kind=kind, type=kind_type) if kind_type else None
    if registration is None:
        _release(ctx, live)  # nobody serves it any more: nothing but the object itself is left to remove
        return
    obj = ExtensionObject(kind=kind, name=name, namespace=ctx.namespace, spec=spec or {"type": kind_type},
                          status=dict(live.get("status") or {}))
    driver.run(registration, ctx.extension_context(Operation.DELETE), obj)
    if ctx.kube.get(API_VERSION, kind, name, namespace=ctx.namespace) is not None:
        raise errors.TemporaryError(f"{kind} {name} is being deleted", delay=0.5)


def _release(ctx: ShootContext, live: JSON) -> None:
    md = live["metadata"]
    ctx.kube.delete(API_VERSION, live["kind"], md["name"], namespace=md.get("namespace"))
    if md.get("finalizers"):
        ctx.kube.apply({"apiVersion": API_VERSION, "kind": live["kind"],
                        "metadata": {"name": md["name"], "namespace": md.get("namespace"), "finalizers": []}})


def existing(ctx: ShootContext, kind: Kind) -> list[JSON]:
    """The objects of ``kind`` in the shoot's namespace (none when the kind is not served yet)."""
    try:
        return ctx.kube.list(API_VERSION, kind, namespace=ctx.namespace)
    except errors.PermanentError:
        return []


# --- specs, as Gardener's botanist builds them ------------------------------------------------------------------


def _secret_ref(ctx: ShootContext) -> JSON:
    return {"name": CLOUDPROVIDER, "namespace": ctx.namespace}


def _with_config(spec: JSON, config: Any) -> JSON:
    if config:
        spec["providerConfig"] = config
    return spec


def infrastructure_spec(ctx: ShootContext) -> JSON:
    provider = (ctx.shoot["spec"].get("provider") or {})
    return _with_config({"type": provider.get("type"), "region": ctx.shoot["spec"].get("region"),
                         "secretRef": _secret_ref(ctx)}, provider.get("infrastructureConfig"))


def _infrastructure_status(ctx: ShootContext) -> Any:
    return (ctx.facts.get("infrastructure") or {}).get("providerStatus")


def control_plane_spec(ctx: ShootContext) -> JSON:
    provider = (ctx.shoot["spec"].get("provider") or {})
    spec = _with_config({"type": provider.get("type"), "region": ctx.shoot["spec"].get("region"),
                         "secretRef": _secret_ref(ctx), "purpose": "normal"}, provider.get("controlPlaneConfig"))
    if (status := _infrastructure_status(ctx)) is not None:
        spec["infrastructureProviderStatus"] = status
    return spec


def network_spec(ctx: ShootContext) -> JSON:
    networking = ctx.shoot["spec"].get("networking") or {}
    spec: JSON = {"type": networking.get("type"), "podCIDR": networking.get("pods"),
                  "serviceCIDR": networking.get("services"),
                  "ipFamilies": list(networking.get("ipFamilies") or ["IPv4"])}
    return _with_config({k: v for k, v in spec.items() if v is not None}, networking.get("providerConfig"))


def osc_name(pool: JSON) -> str:
    return f"cloud-config-{pool['name']}"


def osc_spec(ctx: ShootContext, pool: JSON) -> JSON:
    """The provision OperatingSystemConfig of a pool: its OS (the machine image), the kubelet unit and config."""
    image = (pool.get("machine") or {}).get("image") or {}
    kubelet = {**((ctx.shoot["spec"].get("kubernetes") or {}).get("kubelet") or {}),
               **(((pool.get("kubernetes") or {}).get("kubelet")) or {})}
    config = {"apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": "KubeletConfiguration", **kubelet}
    cri = str((pool.get("cri") or {}).get("name") or "containerd")
    return _with_config({
        "type": image.get("name"), "purpose": "provision", "criConfig": {"name": cri},
        "units": [{"name": "kubelet.service", "enable": True, "command": "start",
                   "content": _KUBELET_UNIT}],
        "files": [{"path": "/var/lib/kubelet/config/kubelet", "permissions": 0o644,
                   "content": {"inline": {"encoding": "", "data": json.dumps(config, sort_keys=True, indent=2)}}}],
    }, image.get("providerConfig"))


_KUBELET_UNIT = """\
[Unit]
Description=kubelet daemon
After=containerd.service
[Service]
Restart=always
ExecStart=/opt/bin/kubelet --config=/var/lib/kubelet/config/kubelet --kubeconfig=/var/lib/kubelet/kubeconfig
[Install]
WantedBy=multi-user.target
"""


def worker_spec(ctx: ShootContext) -> JSON:
    spec = ctx.shoot["spec"]
    version = str((spec.get("kubernetes") or {}).get("version") or "")
    pools = []
    for pool in (spec.get("provider") or {}).get("workers") or []:
        machine = pool.get("machine") or {}
        image = machine.get("image") or {}
        entry: JSON = {
            "name": pool["name"], "machineType": machine.get("type"),
            "machineImage": {"name": image.get("name"), "version": image.get("version")},
            "minimum": pool.get("minimum", 0), "maximum": pool.get("maximum", 0),
            "maxSurge": pool.get("maxSurge", 1), "maxUnavailable": pool.get("maxUnavailable", 0),
            "zones": list(pool.get("zones") or []),
            "kubernetesVersion": str((pool.get("kubernetes") or {}).get("version") or version),
            "userDataSecretRef": {"name": f"osc-result-{osc_name(pool)}", "key": "cloud_config"},
            "architecture": machine.get("architecture") or "amd64",
        }
        for key in ("labels", "annotations", "taints", "volume", "dataVolumes", "providerConfig"):
            if pool.get(key):
                entry[key] = pool[key]
        if ctx.hibernated:
            entry["minimum"] = entry["maximum"] = 0
        pools.append(entry)
    provider = spec.get("provider") or {}
    out: JSON = {"type": provider.get("type"), "region": spec.get("region"), "secretRef": _secret_ref(ctx),
                 "pools": pools}
    if (status := _infrastructure_status(ctx)) is not None:
        out["infrastructureProviderStatus"] = status
    return out


def dns_type(ctx: ShootContext) -> str | None:
    """The DNS provider of the seed's internal domain, else the shoot's primary one, else the shoot's provider's
    own (the local provider serves DNSRecords), None when nobody serves DNSRecords of such a type."""
    seed_dns = ((ctx.seed.get("spec") or {}).get("dns") or {})
    candidates = [((seed_dns.get("internal") or {}).get("type")), ((seed_dns.get("provider") or {}).get("type"))]
    candidates += [p.get("type") for p in ((ctx.shoot["spec"].get("dns") or {}).get("providers") or [])]
    candidates.append((ctx.shoot["spec"].get("provider") or {}).get("type"))
    for candidate in candidates:
        if candidate and ctx.registry.find(kind=Kind.DNS_RECORD, type=str(candidate)) is not None:
            return str(candidate)
    return None


def dns_record_name(ctx: ShootContext, which: str) -> str:
    return f"{ctx.name}-{which}"


def dns_spec(ctx: ShootContext, *, host: str, address: str) -> JSON:
    try:
        record_type = "A" if ipaddress.ip_address(address).version == 4 else "AAAA"
    except ValueError:
        record_type = "CNAME"  # a load balancer known by its host name
    return {"type": dns_type(ctx), "secretRef": _secret_ref(ctx), "name": host, "recordType": record_type,
            "values": [address], "ttl": 120}


def spec_hash(spec: JSON) -> str:
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:8]
