"""Client certificates on a local shoot's API, and what the people they name may do there.

Used by ``seed.local.shoots.endpoints`` for every shoot API it serves. As a kube-apiserver trusts its
``--client-ca-file``, a shoot API trusts the CA bundle its ``kube-apiserver`` Deployment mounts as volume
``ca-client`` (``shoot.controlplane.apiserver``: Secret ``ca-client-bundle``, key ``bundle.crt``), read from the seed.
The listener's TLS layer has verified the chain to one of the CAs of all shoots (``apiserver.client_certs``);
``ShootClientCertificates`` accepts only certificates of this shoot's CA, within their validity and meant for
client authentication — user from CN, groups from O. The local shoot API has no RBAC: it lets every identity do
everything, except Gardener's viewer groups, which read all but Secrets (Gardener's
``gardener.cloud:system:read-only`` role).
"""

from __future__ import annotations

import base64
import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from cryptography import x509

from apiserver import errors
from apiserver.auth import Attributes
from apiserver.context import UserInfo
from apiserver.registry import ResourceType
from apiserver.server import ApiServer
from shoot.pki import access, certs

JSON = dict[str, Any]
DEPLOYMENT = "kube-apiserver"
CA_VOLUME = "ca-client"
BUNDLE_KEYS = ("bundle.crt", "ca.crt")
READ = frozenset({"get", "list", "watch"})
# Reviews about oneself (``kubectl auth whoami``, ``auth can-i``): a create that changes nothing.
SELF_REVIEWS = frozenset({"selfsubjectreviews", "selfsubjectaccessreviews", "selfsubjectrulesreviews"})
ADMINS = access.ADMIN_GROUPS | {"system:masters"}


def _get(seed: ApiServer, group: str, plural: str, namespace: str, name: str) -> JSON | None:
    rt = seed.registry.get(group, "v1", plural)
    assert rt is not None, f"the local seed serves {plural}"
    try:
        return seed.service.get(rt, namespace, name)
    except errors.ApiError as exc:
        if exc.code == 404:
            return None
        raise


def client_ca_bundle(seed: ApiServer, namespace: str) -> bytes | None:
    """The PEM CA bundle the shoot's kube-apiserver Deployment mounts as ``ca-client``, or None."""
    deployment = _get(seed, "apps", "deployments", namespace, DEPLOYMENT)
    volumes = ((((deployment or {}).get("spec") or {}).get("template") or {}).get("spec") or {}).get("volumes") or []
    secret_name = next((v["secret"].get("secretName") for v in volumes
                        if v.get("name") == CA_VOLUME and isinstance(v.get("secret"), dict)), None)
    secret = _get(seed, "", "secrets", namespace, secret_name) if secret_name else None
    data = (secret or {}).get("data") or {}
    value = next((data[k] for k in BUNDLE_KEYS if data.get(k)), None)
    return base64.b64decode(value) if value else None


class ShootClientCertificates:
    """The certificate authenticator of one shoot API (``apiserver.auth.CertificateAuthenticator``); the bundle is
    re-read at most every ``ttl`` seconds, and whenever a certificate of an unknown issuer comes."""

    def __init__(self, seed: ApiServer, namespace: str, *, trust: Callable[[bytes], None], ttl: float = 2.0) -> None:
        self.seed, self.namespace, self.trust, self.ttl = seed, namespace, trust, ttl
        self._cas: list[x509.Certificate] = []
        self._read_at = float("-inf")

    def refresh(self) -> list[x509.Certificate]:
        bundle = client_ca_bundle(self.seed, self.namespace)
        self._cas = x509.load_pem_x509_certificates(bundle) if bundle else []
        self._read_at = time.monotonic()
        if bundle:
            self.trust(bundle)  # the listener accepts this CA's certificates from the next handshake on
        return self._cas

    def authenticate_certificate(self, cert: x509.Certificate) -> UserInfo | None:
        now = dt.datetime.now(dt.UTC)
        if not cert.not_valid_before_utc <= now < cert.not_valid_after_utc or "client" not in certs.usages(cert):
            return None
        cas = self._cas if time.monotonic() - self._read_at <= self.ttl else self.refresh()
        if not any(certs.signed_by(cert, ca) for ca in cas) and not any(
                certs.signed_by(cert, ca) for ca in self.refresh()):
            return None
        return UserInfo(name=certs.common_name(cert), groups=(*certs.organizations(cert), "system:authenticated"))


class ShootAuthorizer:
    """Everything for everyone, but read-only without Secrets for Gardener's viewer groups."""

    def authorize(self, user: UserInfo, attrs: Attributes) -> str | None:
        groups = set(user.groups)
        if not groups & access.VIEWER_GROUPS or groups & ADMINS:
            return None
        if not attrs.is_resource_request:
            return None if attrs.verb == "get" else "viewers may only read"
        if attrs.verb in READ and attrs.resource != "secrets" and attrs.subresource in ("", "status", "log"):
            return None
        if attrs.verb == "create" and attrs.resource in SELF_REVIEWS:
            return None
        return "viewers may read everything but Secrets (gardener.cloud:system:read-only)"

    def visible(self, user: UserInfo, rt: ResourceType, obj: JSON) -> bool:
        return True
