"""``shoots/adminkubeconfig`` and ``shoots/viewerkubeconfig``: a short-lived kubeconfig for the caller, as Gardener's
API server issues it.

``install`` is called by ``garden.app.create_app``. A POST of an ``AdminKubeconfigRequest`` (or
``ViewerKubeconfigRequest``, ``authentication.gardener.cloud/v1alpha1``) answers the same object with
``status.kubeconfig`` (base64) and ``status.expirationTimestamp``; nothing is stored. The certificate is signed
with the shoot's client CA, which the seed agent publishes as the Secret ``<shoot>.ca-client`` in the project
namespace (hidden from project members by ``garden.auth.shoot_ca``); the kubeconfig trusts the bundle of the
``<shoot>.ca-cluster`` ConfigMap. The garden authorizer has already checked the caller's project role
(``create`` on the subresource: admins both, viewers only ``viewerkubeconfig``).
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from apiserver import errors
from apiserver.context import RequestContext
from apiserver.server import ApiServer
from garden.auth import identities
from shoot.pki import access
from shoot.pki.certs import KeyPair

JSON = dict[str, Any]
SHOOTS = "core.gardener.cloud/shoots"
SUBRESOURCES: dict[str, access.Access] = {"adminkubeconfig": "admin", "viewerkubeconfig": "viewer"}
AUTH_GROUP = "authentication.gardener.cloud"


class KubeconfigRequests:
    """The handler of one of the two subresources (``apiserver.server.SubresourceHandler``)."""

    def __init__(self, kind: access.Access, *, max_seconds: int = access.DEFAULT_MAX_SECONDS) -> None:
        self.kind, self.max_seconds = kind, max_seconds

    def __call__(self, api: ApiServer, target: Any, method: str, body: JSON | None, ctx: RequestContext) -> JSON:
        if method != "POST":
            raise errors.method_not_allowed(f"shoots/{target.subresource} only accepts POST (create)")
        request = self._decoded(body or {})
        seconds = access.expiration(request, maximum=self.max_seconds)
        if isinstance(seconds, list):
            causes = [errors.Cause(field=e.field, reason=e.reason, message=e.message) for e in seconds]
            raise errors.invalid(access.KINDS[self.kind], target.name, causes, group=AUTH_GROUP)
        shoot = api.service.get(target.rt, target.namespace or "", target.name)
        issued = self.issue(api, shoot, user=ctx.user.name, operator=identities.is_operator(ctx.user),
                            seconds=seconds)
        return {"apiVersion": access.API_VERSION, "kind": access.KINDS[self.kind],
                "metadata": {"name": target.name, "namespace": target.namespace, "creationTimestamp": None},
                "spec": {"expirationSeconds": seconds},
                "status": {"kubeconfig": base64.b64encode(issued.kubeconfig).decode(),
                           "expirationTimestamp": issued.expires.strftime("%Y-%m-%dT%H:%M:%SZ")}}

    def _decoded(self, body: JSON) -> JSON:
        kind, version = body.get("kind"), body.get("apiVersion")
        if (kind, version) != (None, None) and (kind, version) != (access.KINDS[self.kind], access.API_VERSION):
            raise errors.bad_request(f"the body must be a {access.KINDS[self.kind]} of {access.API_VERSION}, "
                                     f"not {kind} of {version}")
        return body

    def issue(self, api: ApiServer, shoot: JSON, *, user: str, operator: bool, seconds: int) -> access.Issued:
        md = shoot["metadata"]
        ca = client_ca(api, md["namespace"], md["name"])
        endpoints = access.endpoints(shoot, ca_pem=cluster_ca(api, md["namespace"], md["name"]))
        if not endpoints:
            raise errors.bad_request(f'shoot "{md["name"]}" has no advertised addresses yet '
                                     f"(status.advertisedAddresses): its control plane is not reachable yet")
        return access.issue(ca, access=self.kind, user=user, operator=operator, endpoints=endpoints,
                            seconds=seconds, now=dt.datetime.now(dt.UTC))


def _data(api: ApiServer, resource: str, namespace: str, name: str) -> JSON | None:
    rt = api.registry.get("", "v1", resource)
    assert rt is not None, f"the garden serves {resource}"
    try:
        return dict(api.service.get(rt, namespace, name).get("data") or {})
    except errors.ApiError as exc:
        if exc.code == 404:
            return None
        raise


def client_ca(api: ApiServer, namespace: str, shoot: str) -> KeyPair:
    """The shoot's client CA as the seed published it; 400 while it has not."""
    data = _data(api, "secrets", namespace, f"{shoot}{access.CA_CLIENT_SUFFIX}")
    if not data or "ca.crt" not in data or "ca.key" not in data:
        raise errors.bad_request(f'shoot "{shoot}" has no client CA yet: its seed creates it with the control '
                                 f"plane's secrets early in the first reconciliation; retry once that has run")
    return KeyPair(cert_pem=base64.b64decode(data["ca.crt"]), key_pem=base64.b64decode(data["ca.key"]))


def cluster_ca(api: ApiServer, namespace: str, shoot: str) -> bytes:
    """The ``ca.crt`` of ``<shoot>.ca-cluster`` (the ConfigMap, else Gardener's legacy Secret); 400 without."""
    name = f"{shoot}{access.CA_CLUSTER_SUFFIX}"
    config_map = _data(api, "configmaps", namespace, name)
    if config_map and config_map.get("ca.crt"):
        return str(config_map["ca.crt"]).encode()
    secret = _data(api, "secrets", namespace, name)
    if secret and secret.get("ca.crt"):
        return base64.b64decode(secret["ca.crt"])
    raise errors.bad_request(f'shoot "{shoot}" has no cluster CA yet (ConfigMap {name}): its seed publishes it '
                             f"early in the first reconciliation; retry once that has run")


def install(api: ApiServer, *, max_seconds: int = access.DEFAULT_MAX_SECONDS) -> None:
    for name, kind in SUBRESOURCES.items():
        api.subresources[(SHOOTS, name)] = KubeconfigRequests(kind, max_seconds=max_seconds)
