"""A control plane and its PKI together: which secrets to store for it, and the control plane completed with what
its pods need from them (the probes' token, the checksums that roll pods when a secret changes).

Called by the seed agent's binding of the flow's renderers: its secrets step stores ``to_store(...)`` (idempotent:
nothing once everything is good), the deploy steps render from ``with_secrets(cp, stored)``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit

from shoot.controlplane.spec import ControlPlane
from shoot.pki import catalog, plan

JSON = dict[str, Any]


def split_hosts(urls: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The DNS names and the IP addresses of ``urls`` (advertised addresses), for the serving certificate."""
    names, ips = [], []
    for url in urls:
        host = urlsplit(url).hostname
        if not host:
            continue
        try:
            ips.append(str(ipaddress.ip_address(host)))
        except ValueError:
            names.append(host)
    return tuple(dict.fromkeys(names)), tuple(dict.fromkeys(ips))


def pki_cluster(cp: ControlPlane, *, advertised: Sequence[str] = ()) -> catalog.Cluster:
    """What the certificates of ``cp`` depend on; ``advertised`` the URLs clients reach its API at."""
    names, ips = split_hosts(advertised)
    return catalog.Cluster(namespace=cp.namespace, service_cidrs=tuple(cp.service_cidrs),
                           api_hostnames=tuple(dict.fromkeys([cp.api_hostname, *names])), api_addresses=ips,
                           workers=cp.workers, encrypted_resources=tuple(cp.encrypted_resources))


def to_store(cp: ControlPlane, existing: Iterable[JSON], *, advertised: Sequence[str] = (),
             now: dt.datetime) -> list[JSON]:
    """The ``v1`` Secrets to create or replace in the control-plane namespace, given the Secrets there."""
    made = plan.plan(pki_cluster(cp, advertised=advertised), plan.stored(existing), now=now)
    return [plan.manifest(secret, namespace=cp.namespace) for secret in made.writes]


def with_secrets(cp: ControlPlane, existing: Iterable[JSON]) -> ControlPlane:
    """``cp`` with the health-check token and secret checksums of the stored Secrets (after ``to_store``)."""
    stored = plan.stored(existing)
    return dataclasses.replace(cp, health_check_token=plan.health_check_token(stored),
                               secret_checksums=plan.checksums(stored))
