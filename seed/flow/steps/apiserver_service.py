"""The kube-apiserver's Service on the seed, its load-balancer address, the advertised addresses and DNS records.

Steps of ``seed.flow.reconcile``: the Service is a LoadBalancer in front of the kube-apiserver Pods (the local seed
hands out addresses; a real seed's cloud does); once it has an address, the shoot's ``advertisedAddresses`` are
known (``external``: where the API is reached from outside, ``internal`` and ``service-account-issuer``: the
internal domain's name, as Gardener computes them) and the DNS records point the names at it.
"""

from __future__ import annotations

from extensions.contract import Kind
from seed.flow.context import JSON, ShootContext
from seed.flow.steps import extensions
from shoot import errors

SERVICE = "kube-apiserver"
SELECTOR = {"app": "kubernetes", "role": "apiserver"}
DEFAULT_INTERNAL_DOMAIN = "internal.local.gardener.cloud"


def service_object(ctx: ShootContext) -> JSON:
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": SERVICE, "namespace": ctx.namespace,
                         "labels": {**SELECTOR, "metrics-scrape-target": "true"},
                         "annotations": {"networking.resources.gardener.cloud/from-all-scrape-targets-allowed-ports":
                                         '[{"protocol":"TCP","port":443}]'}},
            "spec": {"type": "LoadBalancer", "selector": dict(SELECTOR), "ipFamilyPolicy": "PreferDualStack",
                     "ports": [{"name": SERVICE, "port": 443, "targetPort": 443, "protocol": "TCP"}]}}


def internal_domain(ctx: ShootContext) -> str:
    internal = ((ctx.seed.get("spec") or {}).get("dns") or {}).get("internal") or {}
    return str(internal.get("domain") or DEFAULT_INTERNAL_DOMAIN)


def internal_host(ctx: ShootContext) -> str:
    """``api.<shoot>.<project>.<internal domain>`` (no second ``internal.`` where the domain starts with one)."""
    domain = internal_domain(ctx)
    infix = "" if domain.startswith("internal.") else "internal."
    return f"api.{ctx.name}.{ctx.project}.{infix}{domain}"


def external_host(ctx: ShootContext) -> str | None:
    domain = (ctx.shoot["spec"].get("dns") or {}).get("domain")
    return f"api.{domain}" if domain else None


def advertised_addresses(ctx: ShootContext) -> list[JSON]:
    internal = f"https://{internal_host(ctx)}"
    return [{"name": "external", "url": ctx.shoot_url},
            {"name": "internal", "url": internal},
            {"name": "service-account-issuer", "url": internal}]


def deploy_service(ctx: ShootContext) -> None:
    service = ctx.kube.apply(ctx.components.service(ctx))  # the stored object, with its status
    ingress = ((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    address = next((str(i.get("ip") or i.get("hostname")) for i in ingress if i.get("ip") or i.get("hostname")), None)
    if address is None:
        raise errors.TemporaryError(f"service {SERVICE} is waiting for its load-balancer address", delay=0.2)
    ctx.remember("load_balancer", address)
    ctx.remember("cluster_ip", str((service.get("spec") or {}).get("clusterIP") or ""))
    ctx.remember("advertised_addresses", advertised_addresses(ctx))


def _load_balancer(ctx: ShootContext) -> str:
    address = ctx.facts.get("load_balancer")
    if not address:
        raise errors.TemporaryError("the kube-apiserver's load-balancer address is not known yet", delay=0.5)
    return str(address)


def deploy_internal_dns(ctx: ShootContext) -> None:
    extensions.deploy(ctx, step=STEP_INTERNAL_DNS, kind=Kind.DNS_RECORD,
                      name=extensions.dns_record_name(ctx, extensions.DNS_INTERNAL),
                      spec=extensions.dns_spec(ctx, host=internal_host(ctx), address=_load_balancer(ctx)))


def deploy_external_dns(ctx: ShootContext) -> None:
    host = external_host(ctx)
    assert host is not None, "skipped without spec.dns.domain"
    extensions.deploy(ctx, step=STEP_EXTERNAL_DNS, kind=Kind.DNS_RECORD,
                      name=extensions.dns_record_name(ctx, extensions.DNS_EXTERNAL),
                      spec=extensions.dns_spec(ctx, host=host, address=_load_balancer(ctx)))


def no_dns(ctx: ShootContext) -> bool:
    return extensions.dns_type(ctx) is None


def no_external_dns(ctx: ShootContext) -> bool:
    return no_dns(ctx) or external_host(ctx) is None


STEP_INTERNAL_DNS = "Deploying internal domain DNS record"
STEP_EXTERNAL_DNS = "Deploying external domain DNS record"
