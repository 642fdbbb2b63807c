"""Short-lived kubeconfigs for people (``shoots/adminkubeconfig`` and ``viewerkubeconfig``), and the garden objects
the seed agent publishes so that the garden can issue them.

Pure. The seed agent publishes ``client_ca_secret`` (the shoot's ``ca-client`` certificate and key, as Gardener's
InternalSecret ``<shoot>.ca-client``; the garden hides it from project members) next to the ``<shoot>.ca-cluster``
ConfigMap (``cluster_ca_bundle``). The garden's kubeconfig subresources call ``expiration`` and ``issue``: a client
certificate signed by ``ca-client``, CN ``gardener.cloud:admin:<user>`` (or ``viewer``), O one group, valid for
``spec.expirationSeconds`` (default 1 h, at least 10 min, capped at 24 h) — Gardener's
``pkg/apiserver/registry/core/shoot/storage/kubeconfig.go``.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from shoot import fielderrors
from shoot.fielderrors import FieldError
from shoot.pki import catalog, certs, kubeconfig
from shoot.pki.plan import CA_CERT, CA_KEY, Data

JSON = dict[str, Any]
Access = Literal["admin", "viewer"]
CA_CLIENT_SUFFIX, CA_CLUSTER_SUFFIX = ".ca-client", ".ca-cluster"
ROLE_LABEL = "gardener.cloud/role"
DEFAULT_SECONDS, MIN_SECONDS, MAX_WIRE_SECONDS = 3600, 600, 2**32 - 1
DEFAULT_MAX_SECONDS = 24 * 3600
# The groups of Gardener's kubeconfig certificates: operators ("may list Secrets cluster-wide") get the system one.
GROUPS: Mapping[tuple[Access, bool], str] = {
    ("admin", True): "gardener.cloud:system:admins", ("admin", False): "gardener.cloud:project:admins",
    ("viewer", True): "gardener.cloud:system:viewers", ("viewer", False): "gardener.cloud:project:viewers",
}
ADMIN_GROUPS = frozenset({GROUPS["admin", True], GROUPS["admin", False]})
VIEWER_GROUPS = frozenset({GROUPS["viewer", True], GROUPS["viewer", False]})
KINDS: Mapping[Access, str] = {"admin": "AdminKubeconfigRequest", "viewer": "ViewerKubeconfigRequest"}
API_VERSION = "authentication.gardener.cloud/v1alpha1"
# Gardener's advertised-address names, in the order their clusters appear in the kubeconfig.
ADDRESS_ORDER = ("external", "wildcard-tls-seed-bound", "internal", "unmanaged")
SEED_BOUND = "wildcard-tls-seed-bound"


# --- published by the seed agent -------------------------------------------------------------------------------


def cluster_ca_bundle(secrets: Mapping[str, Data], *, extra: Sequence[bytes] = ()) -> str:
    """The ``ca.crt`` of ``<shoot>.ca-cluster``: the cluster CA, plus ``extra`` CAs that sign a serving certificate
    clients meet at an advertised address (the local seed's own, which serves every shoot's API)."""
    pems = [secrets[catalog.CA][CA_CERT], *extra]
    return "".join(p.decode().rstrip("\n") + "\n" for p in dict.fromkeys(pems))


def client_ca_secret(shoot: Mapping[str, Any], secrets: Mapping[str, Data]) -> JSON:
    """The garden Secret ``<shoot>.ca-client`` in the project namespace: the client CA the garden signs with."""
    md = shoot["metadata"]
    ca = secrets[catalog.CA_CLIENT]
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": f"{md['name']}{CA_CLIENT_SUFFIX}", "namespace": md["namespace"],
                     "labels": {ROLE_LABEL: "ca-client", "shoot.gardener.cloud/name": md["name"],
                                "shoot.gardener.cloud/uid": md.get("uid", "")},
                     "ownerReferences": [{"apiVersion": "core.gardener.cloud/v1beta1", "kind": "Shoot",
                                          "name": md["name"], "uid": md.get("uid", "")}]},
        "type": "Opaque",
        "data": {CA_CERT: base64.b64encode(ca[CA_CERT]).decode(), CA_KEY: base64.b64encode(ca[CA_KEY]).decode()},
    }


# --- issued by the garden --------------------------------------------------------------------------------------


def expiration(request: Mapping[str, Any], *, maximum: int = DEFAULT_MAX_SECONDS) -> int | list[FieldError]:
    """The validity (seconds) a request gets, or why it is invalid; more than ``maximum`` is silently capped."""
    spec = request.get("spec")
    if spec is None:
        spec = {}
    if not isinstance(spec, Mapping):
        return [fielderrors.invalid("spec", spec, "must be an object")]
    seconds = spec.get("expirationSeconds", DEFAULT_SECONDS)
    if seconds is None:
        seconds = DEFAULT_SECONDS
    if not isinstance(seconds, int) or isinstance(seconds, bool):
        return [fielderrors.invalid("spec.expirationSeconds", seconds, "must be an integer")]
    if seconds < MIN_SECONDS:
        return [fielderrors.invalid("spec.expirationSeconds", seconds, f"may not specify a duration less than "
                                                                       f"{MIN_SECONDS // 60} minutes")]
    if seconds > MAX_WIRE_SECONDS:
        return [fielderrors.invalid("spec.expirationSeconds", seconds, "may not specify a duration larger than "
                                                                       "2^32 seconds")]
    return min(seconds, maximum)


@dataclasses.dataclass(frozen=True)
class Issued:
    kubeconfig: bytes
    expires: dt.datetime


def endpoints(shoot: Mapping[str, Any], *, ca_pem: bytes) -> list[kubeconfig.Endpoint]:
    """One kubeconfig cluster per advertised address (``<namespace>--<shoot>-<address name>``), Gardener's order."""
    md = shoot["metadata"]
    addresses = [a for a in (shoot.get("status") or {}).get("advertisedAddresses") or []
                 if isinstance(a, Mapping) and a.get("url") and a.get("name")]
    addresses.sort(key=lambda a: ADDRESS_ORDER.index(a["name"]) if a["name"] in ADDRESS_ORDER else len(ADDRESS_ORDER))
    return [kubeconfig.Endpoint(name=f"{md['namespace']}--{md['name']}-{a['name']}", server=str(a["url"]),
                                ca_pem=None if a["name"] == SEED_BOUND else ca_pem) for a in addresses]


def issue(ca: certs.KeyPair, *, access: Access, user: str, operator: bool, endpoints: Sequence[kubeconfig.Endpoint],
          seconds: int, now: dt.datetime) -> Issued:
    """A kubeconfig whose user is a fresh client certificate for ``user`` signed by ``ca``."""
    pair = certs.issue(ca, common_name=f"gardener.cloud:{access}:{user}", organizations=(GROUPS[access, operator],),
                       usages=("client",), now=now, validity=dt.timedelta(seconds=seconds))
    config = kubeconfig.with_client_certificate(endpoints, user=endpoints[0].name, cert_pem=pair.cert_pem,
                                                key_pem=pair.key_pem)
    return Issued(kubeconfig=kubeconfig.dump(config), expires=pair.certificate.not_valid_after_utc)
