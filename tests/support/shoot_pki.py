"""What the seed agent's flow does with a shoot's PKI, for tests of the pieces that read it: make the secrets
(``shoot.pki.plan``), store them in the control-plane namespace of a seed, publish the client CA and the
cluster CA bundle to the garden, and set the shoot's advertised address.

Used by the kubeconfig tests (garden and local seed); the flow's own steps are tested with the flows.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from apiserver.context import system_context
from apiserver.server import ApiServer
from shoot.pki import access, catalog, plan

JSON = dict[str, Any]
NOW = dt.datetime.now(dt.UTC)


def make(namespace: str, *, services: str = "10.4.0.0/16") -> plan.Plan:
    return plan.plan(catalog.Cluster(namespace=namespace, service_cidrs=(services,)), {}, now=dt.datetime.now(dt.UTC))


def _rt(api: ApiServer, group: str, version: str, plural: str) -> Any:
    rt = api.registry.get(group, version, plural)
    assert rt is not None, plural
    return rt


def publish(garden: ApiServer, shoot: JSON, secrets: plan.Plan, *, url: str, extra_ca: tuple[bytes, ...] = ()) -> JSON:
    """The ``<shoot>.ca-cluster`` ConfigMap and ``<shoot>.ca-client`` Secret, and ``url`` as the shoot's
    ``external`` advertised address; returns the shoot as stored."""
    md = shoot["metadata"]
    config_map = {"apiVersion": "v1", "kind": "ConfigMap",
                  "metadata": {"name": f"{md['name']}.ca-cluster", "namespace": md["namespace"],
                               "labels": {"gardener.cloud/role": "ca-cluster"}},
                  "data": {"ca.crt": access.cluster_ca_bundle(secrets.secrets, extra=extra_ca)}}
    garden.service.create(_rt(garden, "", "v1", "configmaps"), md["namespace"], config_map, system_context())
    garden.service.create(_rt(garden, "", "v1", "secrets"), md["namespace"],
                          access.client_ca_secret(shoot, secrets.secrets), system_context())
    return advertise(garden, shoot, url=url)


def advertise(garden: ApiServer, shoot: JSON, *, url: str) -> JSON:
    md = shoot["metadata"]
    body = json.dumps({"status": {"advertisedAddresses": [{"name": "external", "url": url}]}}).encode()
    stored: JSON = garden.service.patch(_rt(garden, "core.gardener.cloud", "v1beta1", "shoots"), md["namespace"],
                                        md["name"], body, "application/merge-patch+json", system_context(),
                                        subresource="status")
    return stored
