"""The shoot delete flow: Gardener's reconcile order in reverse, leaving nothing of the shoot on the seed.

``delete_flow()`` is run by the seed agent for a shoot with a ``deletionTimestamp``. Workers (machines) go first,
then the extensions that need them gone (Network, OperatingSystemConfigs, ControlPlane), then the control plane
(kube-controller-manager and kube-scheduler, kube-apiserver, etcd), DNS records, Infrastructure and the API
server's Service, the published CA, the ``Cluster`` object, and last the namespace, waited for until it is gone.
"""

from __future__ import annotations

from extensions import crds
from extensions.contract import API_VERSION, Kind
from seed.flow.context import ShootContext
from seed.flow.graph import Flow, Step
from seed.flow.steps import apiserver_service, extensions, namespace
from shoot import errors

NAME = "Shoot cluster deletion"
WORKER = "Deleting worker pools"
OSC = "Deleting operating system configs"
NETWORK = "Deleting shoot network plugin"
CONTROL_PLANE = "Deleting shoot control plane components"
CONTROLLERS = "Deleting Kubernetes controller manager and scheduler"
APISERVER = "Deleting Kubernetes API server"
ETCD = "Deleting main and events etcd"
DNS = "Deleting DNS records"
INFRASTRUCTURE = "Destroying Shoot infrastructure"
SERVICE = "Deleting Kubernetes API server service in the Seed cluster"
CA_CLUSTER = "Deleting the published cluster CA"
CLUSTER = "Deleting the Cluster resource"
NAMESPACE = "Deleting control plane namespace"
CONTROLPLANE_SELECTOR = "gardener.cloud/role=controlplane"


def destroy_worker(ctx: ShootContext) -> None:
    extensions.destroy(ctx, kind=Kind.WORKER, name=ctx.name)


def destroy_oscs(ctx: ShootContext) -> None:
    for obj in extensions.existing(ctx, Kind.OPERATING_SYSTEM_CONFIG):
        extensions.destroy(ctx, kind=Kind.OPERATING_SYSTEM_CONFIG, name=obj["metadata"]["name"])


def destroy_network(ctx: ShootContext) -> None:
    extensions.destroy(ctx, kind=Kind.NETWORK, name=ctx.name)


def destroy_control_plane_extension(ctx: ShootContext) -> None:
    extensions.destroy(ctx, kind=Kind.CONTROL_PLANE, name=ctx.name)


def destroy_infrastructure(ctx: ShootContext) -> None:
    extensions.destroy(ctx, kind=Kind.INFRASTRUCTURE, name=ctx.name)


def destroy_dns(ctx: ShootContext) -> None:
    for which in (extensions.DNS_EXTERNAL, extensions.DNS_INTERNAL):
        extensions.destroy(ctx, kind=Kind.DNS_RECORD, name=extensions.dns_record_name(ctx, which))


def _delete_workloads(ctx: ShootContext, kind: str, names: tuple[str, ...]) -> None:
    """Delete the named control-plane workloads and wait until their Pods are gone."""
    api_version = "apps/v1"
    left = []
    for name in names:
        live = ctx.kube.get(api_version, kind, name, namespace=ctx.namespace)
        if live is None:
            continue
        if not live["metadata"].get("deletionTimestamp"):
            ctx.kube.delete(api_version, kind, name, namespace=ctx.namespace)
        if ctx.kube.get(api_version, kind, name, namespace=ctx.namespace) is not None:
            left.append(name)
    if left:
        raise errors.TemporaryError(f"{kind.lower()}s {', '.join(left)} are being deleted", delay=0.5)


def delete_controllers(ctx: ShootContext) -> None:
    _delete_workloads(ctx, "Deployment", ("kube-controller-manager", "kube-scheduler"))


def delete_apiserver(ctx: ShootContext) -> None:
    _delete_workloads(ctx, "Deployment", ("kube-apiserver",))


def delete_etcd(ctx: ShootContext) -> None:
    _delete_workloads(ctx, "StatefulSet", ("etcd-main", "etcd-events"))


def delete_service(ctx: ShootContext) -> None:
    ctx.kube.delete("v1", "Service", apiserver_service.SERVICE, namespace=ctx.namespace)


def delete_cluster(ctx: ShootContext) -> None:
    try:
        ctx.kube.delete(API_VERSION, crds.CLUSTER, ctx.namespace)
    except errors.PermanentError as exc:
        if "does not serve" not in exc.message:
            raise  # else: no extension ever ran for this seed, so there is no Cluster either


def delete_ca(ctx: ShootContext) -> None:
    ctx.publish_ca("", None)


def delete_flow() -> Flow[ShootContext]:
    worker = Step.of(WORKER, destroy_worker, once=True)
    network = Step.of(NETWORK, destroy_network, after=[worker], once=True)
    oscs = Step.of(OSC, destroy_oscs, after=[worker], once=True)
    control_plane = Step.of(CONTROL_PLANE, destroy_control_plane_extension, after=[worker, network], once=True)
    controllers = Step.of(CONTROLLERS, delete_controllers, after=[worker], once=True)
    apiserver = Step.of(APISERVER, delete_apiserver, after=[controllers, control_plane, network], once=True)
    etcd = Step.of(ETCD, delete_etcd, after=[apiserver], once=True)
    dns = Step.of(DNS, destroy_dns, after=[apiserver], once=True)
    infrastructure = Step.of(INFRASTRUCTURE, destroy_infrastructure, after=[control_plane, worker, oscs], once=True)
    service = Step.of(SERVICE, delete_service, after=[apiserver, dns], once=True)
    ca = Step.of(CA_CLUSTER, delete_ca, after=[apiserver], once=True)
    cluster = Step.of(CLUSTER, delete_cluster, after=[infrastructure, dns, control_plane, network, oscs, worker],
                      once=True)
    ns = Step.of(NAMESPACE, namespace.delete_namespace, after=[etcd, service, infrastructure, cluster, ca])
    return Flow(NAME, [worker, network, oscs, control_plane, controllers, apiserver, etcd, dns, infrastructure,
                       service, ca, cluster, ns])
