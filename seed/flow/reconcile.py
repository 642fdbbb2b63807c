"""The shoot reconcile flow (Create, Reconcile, and hibernation as a reconcile), Gardener's order condensed.

``reconcile_flow()`` is run by the seed agent (``seed.agent.reconcile``). Namespace -> cloud-provider secret and
secrets -> Infrastructure and the kube-apiserver Service (advertised addresses, DNS records) -> etcd ->
kube-apiserver -> its API answering -> kube-controller-manager, kube-scheduler, ControlPlane extension ->
OperatingSystemConfigs, Network, system components -> Worker -> nodes -> health. Steps without a dependency between
them run at the same time; a hibernated shoot keeps its etcd volumes and scales everything else to zero; a
workerless shoot has no Infrastructure, ControlPlane extension, Network, system components or Worker.
"""

from __future__ import annotations

from extensions.contract import Kind
from seed.flow.context import ShootContext
from seed.flow.graph import Flow, Step
from seed.flow.steps import apiserver_service, controlplane, extensions, namespace, system

NAME = "Shoot cluster reconciliation"
NAMESPACE = "Deploying control plane namespace"
CLOUDPROVIDER = "Deploying cloud provider account secret"
SECRETS = "Initializing secrets management"
INFRASTRUCTURE = "Deploying Shoot infrastructure"
SERVICE = "Deploying Kubernetes API server service in the Seed cluster"
ETCD = "Deploying main and events etcd"
APISERVER = "Deploying Kubernetes API server"
API_READY = "Waiting until the Kubernetes API server answers"
CONTROLLER_MANAGER = "Deploying Kubernetes controller manager"
SCHEDULER = "Deploying Kubernetes scheduler"
CONTROL_PLANE = "Deploying shoot control plane components"
CA_CLUSTER = "Publishing the cluster CA"
OSC = "Deploying operating system specific configuration for shoot workers"
NETWORK = "Deploying shoot network plugin"
SYSTEM = "Deploying shoot system components"
WORKER = "Configuring shoot worker pools"
NODES = "Waiting until shoot worker nodes have been reconciled"
HEALTH = "Waiting until the shoot cluster is healthy"


def _no_workers(ctx: ShootContext) -> bool:
    return ctx.workerless


def _asleep_or_no_workers(ctx: ShootContext) -> bool:
    return ctx.workerless or ctx.hibernated


def deploy_infrastructure(ctx: ShootContext) -> None:
    ctx.remember("infrastructure", extensions.deploy(ctx, step=INFRASTRUCTURE, kind=Kind.INFRASTRUCTURE,
                                                     name=ctx.name, spec=extensions.infrastructure_spec(ctx)))


def deploy_control_plane_extension(ctx: ShootContext) -> None:
    extensions.deploy(ctx, step=CONTROL_PLANE, kind=Kind.CONTROL_PLANE, name=ctx.name,
                      spec=extensions.control_plane_spec(ctx))


def deploy_osc(ctx: ShootContext) -> None:
    pools = (ctx.shoot["spec"].get("provider") or {}).get("workers") or []
    wanted = {extensions.osc_name(p) for p in pools}
    for pool in pools:
        extensions.deploy(ctx, step=OSC, kind=Kind.OPERATING_SYSTEM_CONFIG, name=extensions.osc_name(pool),
                          spec=extensions.osc_spec(ctx, pool))
    for stale in extensions.existing(ctx, Kind.OPERATING_SYSTEM_CONFIG):
        if stale["metadata"]["name"] not in wanted:
            extensions.destroy(ctx, kind=Kind.OPERATING_SYSTEM_CONFIG, name=stale["metadata"]["name"])


def deploy_network(ctx: ShootContext) -> None:
    extensions.deploy(ctx, step=NETWORK, kind=Kind.NETWORK, name=ctx.name, spec=extensions.network_spec(ctx))


def deploy_worker(ctx: ShootContext) -> None:
    extensions.deploy(ctx, step=WORKER, kind=Kind.WORKER, name=ctx.name, spec=extensions.worker_spec(ctx))


def publish_ca(ctx: ShootContext) -> None:
    ctx.publish_ca(ctx.components.ca_bundle(ctx), ctx.components.client_ca(ctx))


def reconcile_flow() -> Flow[ShootContext]:
    ns = Step.of(NAMESPACE, namespace.deploy_namespace, once=True)
    cloudprovider = Step.of(CLOUDPROVIDER, namespace.deploy_cloudprovider_secret, after=[ns], once=True)
    service = Step.of(SERVICE, apiserver_service.deploy_service, after=[ns])
    # The kube-apiserver's certificate names the addresses the Service got.
    secrets = Step.of(SECRETS, lambda c: controlplane.deploy_secrets(c, c.components), after=[ns, service],
                      once=True)
    ca = Step.of(CA_CLUSTER, publish_ca, after=[secrets], once=True)
    infrastructure = Step.of(INFRASTRUCTURE, deploy_infrastructure, after=[cloudprovider, ns],
                             skip_if=_no_workers)
    internal_dns = Step.of(apiserver_service.STEP_INTERNAL_DNS, apiserver_service.deploy_internal_dns,
                           after=[service, cloudprovider], skip_if=apiserver_service.no_dns, once=True)
    external_dns = Step.of(apiserver_service.STEP_EXTERNAL_DNS, apiserver_service.deploy_external_dns,
                           after=[service, cloudprovider], skip_if=apiserver_service.no_external_dns, once=True)
    etcd = Step.of(ETCD, lambda c: controlplane.rollout(c, c.components.etcd(c)), after=[secrets], once=True)
    apiserver = Step.of(APISERVER, lambda c: controlplane.rollout(c, c.components.kube_apiserver(c)),
                        after=[etcd, service, secrets], once=True)
    api_ready = Step.of(API_READY, controlplane.wait_for_api, after=[apiserver], once=True)
    kcm = Step.of(CONTROLLER_MANAGER, lambda c: controlplane.rollout(c, c.components.kube_controller_manager(c)),
                  after=[api_ready], once=True)
    scheduler = Step.of(SCHEDULER, lambda c: controlplane.rollout(c, c.components.kube_scheduler(c)),
                        after=[api_ready], skip_if=_no_workers, once=True)
    control_plane = Step.of(CONTROL_PLANE, deploy_control_plane_extension, after=[infrastructure, apiserver],
                            skip_if=_no_workers, once=True)
    osc = Step.of(OSC, deploy_osc, after=[infrastructure, control_plane], skip_if=_no_workers, once=True)
    network = Step.of(NETWORK, deploy_network, after=[api_ready, control_plane], skip_if=_asleep_or_no_workers,
                      once=True)
    system_components = Step.of(SYSTEM, system.deploy_system_components, after=[api_ready, kcm],
                                skip_if=_asleep_or_no_workers, once=True)
    worker = Step.of(WORKER, deploy_worker, after=[osc, network, system_components, scheduler],
                     skip_if=_no_workers, once=True)
    nodes = Step.of(NODES, system.wait_for_nodes, after=[worker], skip_if=_asleep_or_no_workers)
    health = Step.of(HEALTH, system.wait_until_healthy, after=[nodes, internal_dns, external_dns, ca],
                     skip_if=lambda c: c.hibernated)
    return Flow(NAME, [ns, cloudprovider, secrets, ca, infrastructure, service, internal_dns, external_dns, etcd,
                       apiserver, api_ready, kcm, scheduler, control_plane, osc, network, system_components, worker,
                       nodes, health])
