"""A running garden with two tenants: project ``a`` owned by user anna, project ``b`` owned by bob.

Used by the tenancy tests (references across namespaces, continue tokens, impersonation): each user has a token,
an HTTPS client and a kubeconfig; the operator has the server's own. Objects are made with the operator's rights.
"""

from __future__ import annotations

import contextlib
import dataclasses
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import yaml

from garden import bootstrap
from tests.support.garden import Garden, running_garden

JSON = dict[str, Any]
CORE = "core.gardener.cloud/v1beta1"
SECURITY = "security.gardener.cloud/v1alpha1"
USERS = {"a": "anna", "b": "bob"}


@dataclasses.dataclass
class Tenants:
    garden: Garden
    operator: httpx.Client
    clients: dict[str, httpx.Client]
    kubeconfigs: dict[str, Path]

    def __call__(self, user: str) -> httpx.Client:
        return self.clients[user]

    def ensure(self, obj: JSON) -> JSON:
        return bootstrap.ensure(self.garden.api.service, obj)

    def add_user(self, name: str, *, groups: tuple[str, ...] = ()) -> httpx.Client:
        """A further user with a token, a client and a kubeconfig (member of no project until made one)."""
        path = self.garden.user_kubeconfig(name, groups=groups)
        self.kubeconfigs[name] = path
        self.clients[name] = client_for(self.garden, token_of(path))
        return self.clients[name]

    def close(self) -> None:
        for client in [self.operator, *self.clients.values()]:
            client.close()


def client_for(garden: Garden, token: str) -> httpx.Client:
    context = ssl.create_default_context(cafile=str(garden.server.ca_file))
    return httpx.Client(base_url=garden.server.url, verify=context, timeout=30,
                        headers={"Authorization": f"Bearer {token}"})


def token_of(kubeconfig: Path) -> str:
    return str(yaml.safe_load(kubeconfig.read_text())["users"][0]["user"]["token"])


def project(name: str, owner: str) -> JSON:
    return {"apiVersion": CORE, "kind": "Project", "metadata": {"name": name},
            "spec": {"namespace": f"garden-{name}",
                     "owner": {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": owner}}}


def secret(namespace: str, name: str) -> JSON:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": namespace},
            "type": "Opaque", "stringData": {"token": f"credentials of {namespace}"}}


@contextlib.contextmanager
def two_tenants(db_url: str, directory: Path) -> Iterator[Tenants]:
    """Projects ``a`` and ``b`` (namespaces ``garden-a``/``garden-b``) with a Secret ``creds`` each, next to
    Gardener's local setup (project ``local`` with the Secret ``local`` in ``garden-local``)."""
    with running_garden(db_url, directory) as garden:
        service = garden.api.service
        bootstrap.ensure_local(service)  # the operators' project ``local`` with its credentials
        for name, owner in USERS.items():
            bootstrap.ensure(service, project(name, owner))
            bootstrap.ensure_namespace(service, f"garden-{name}", project=name)
            bootstrap.ensure(service, secret(f"garden-{name}", "creds"))
        tenants = Tenants(garden=garden, operator=client_for(garden, garden.server.token), clients={},
                          kubeconfigs={})
        for owner in USERS.values():
            tenants.add_user(owner)
        try:
            yield tenants
        finally:
            tenants.close()
