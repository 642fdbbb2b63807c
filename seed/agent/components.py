"""The control-plane renderers the seed agent's flows use: the shoot domain's PKI (``shoot.pki``) and manifests
(``shoot.controlplane``), bound to what only the seed knows.

``default()`` is called by ``workers.agent.build_agent``. The secrets are planned from those already stored in the
control-plane namespace (only what is missing, changed or due for renewal is written); the manifests carry the
health-check token and the checksums of the secrets they mount, so that a renewed secret rolls its pods.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from typing import Any
from urllib.parse import urlparse

from seed.flow.context import ShootContext
from seed.flow.steps import apiserver_service
from shoot.controlplane import apiserver, controllers, etcd, policies
from shoot.controlplane.spec import ControlPlane
from shoot.pki import access, catalog, plan

JSON = dict[str, Any]
PLANNED = "pki_secrets"


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class ShootComponents:
    """``seed.flow.components.Components`` over ``shoot.pki`` and ``shoot.controlplane``."""

    def __init__(self, *, seed_ca: bytes | None = None, service_type: str = "LoadBalancer") -> None:
        # The CA of the seed's serving certificate: what clients meet at a shoot URL the seed itself serves.
        self.seed_ca = seed_ca
        self.service_type = service_type

    def _spec(self, ctx: ShootContext, **seed_side: Any) -> ControlPlane:
        return ControlPlane.of(ctx.shoot, namespace=ctx.namespace, api_hostname=apiserver_service.internal_host(ctx),
                               apiserver_service_type=self.service_type, **seed_side)

    def _cluster(self, ctx: ShootContext) -> catalog.Cluster:
        cp = self._spec(ctx)
        hosts = [urlparse(str(a["url"])).hostname or "" for a in ctx.facts.get("advertised_addresses") or []]
        hosts.append(apiserver_service.internal_host(ctx))
        if external := apiserver_service.external_host(ctx):
            hosts.append(external)
        addresses = [h for h in hosts if _is_ip(h)]
        if ctx.facts.get("load_balancer") and _is_ip(str(ctx.facts["load_balancer"])):
            addresses.append(str(ctx.facts["load_balancer"]))
        return catalog.Cluster(namespace=ctx.namespace, service_cidrs=cp.service_cidrs,
                               api_hostnames=sorted({h for h in hosts if h and not _is_ip(h)}),
                               api_addresses=sorted(set(addresses)), workers=not ctx.workerless,
                               encrypted_resources=cp.encrypted_resources)

    def _planned(self, ctx: ShootContext, existing: list[JSON] | None = None) -> plan.Plan:
        if existing is None:
            existing = ctx.kube.list("v1", "Secret", namespace=ctx.namespace)
        return plan.plan(self._cluster(ctx), plan.stored(existing), now=dt.datetime.now(dt.UTC))

    def _secrets(self, ctx: ShootContext) -> dict[str, dict[str, bytes]]:
        found = ctx.facts.get(PLANNED)
        if found is None:
            found = self._planned(ctx).secrets
            ctx.remember(PLANNED, found)
        return dict(found)

    def _rendered(self, ctx: ShootContext) -> ControlPlane:
        secrets = self._secrets(ctx)
        return self._spec(ctx, health_check_token=plan.health_check_token(secrets),
                          secret_checksums=plan.checksums(secrets))

    # --- Components ---

    def secrets(self, ctx: ShootContext, existing: list[JSON]) -> list[JSON]:
        planned = self._planned(ctx, existing)
        ctx.remember(PLANNED, planned.secrets)
        return [plan.manifest(w, namespace=ctx.namespace) for w in planned.writes]

    def service(self, ctx: ShootContext) -> JSON:
        return apiserver.service(self._spec(ctx))

    def policies(self, ctx: ShootContext) -> list[JSON]:
        return policies.manifests(self._spec(ctx))

    def etcd(self, ctx: ShootContext) -> list[JSON]:
        cp = self._rendered(ctx)
        return [*etcd.manifests(cp, "main"), *etcd.manifests(cp, "events")]

    def kube_apiserver(self, ctx: ShootContext) -> list[JSON]:
        return apiserver.manifests(self._rendered(ctx))

    def kube_controller_manager(self, ctx: ShootContext) -> list[JSON]:
        return controllers.kube_controller_manager(self._rendered(ctx))

    def kube_scheduler(self, ctx: ShootContext) -> list[JSON]:
        return controllers.kube_scheduler(self._rendered(ctx))

    def ca_bundle(self, ctx: ShootContext) -> str:
        extra = [self.seed_ca] if self.seed_ca and ctx.shoot_url.startswith("https://") else []
        return access.cluster_ca_bundle(self._secrets(ctx), extra=extra)

    def client_ca(self, ctx: ShootContext) -> JSON:
        return access.client_ca_secret(ctx.shoot, self._secrets(ctx))


def default(*, seed_ca: bytes | None = None) -> ShootComponents:
    return ShootComponents(seed_ca=seed_ca)
