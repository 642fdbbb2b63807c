"""What a shoot's control plane needs in secrets: Gardener's CAs, certificates, keys and generated configs.

``catalog(cluster)`` lists them in dependency order (a signer before what it signs, a source before what is
derived from it); ``shoot.pki.plan`` makes them. Names are Gardener's secret-config names without the hash
suffix (``ca``, ``ca-client``, ``kube-apiserver``, ``etcd-server-main``...), so the Secrets in the control-plane
namespace read as gardenlet's. CN/O and SANs follow Gardener's secrets manager
(``pkg/gardenlet/operation/botanist/secrets.go``); keys are ECDSA P-256 rather than RSA 3072.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
from collections.abc import Sequence

from shoot.pki.certs import Usage

TEN_YEARS = dt.timedelta(days=3650)
ROLES = ("main", "events")
# CAs (Gardener's config names; the CN is the name, as Gardener overwrites it).
CA, CA_CLIENT, CA_ETCD, CA_ETCD_PEER, CA_FRONT_PROXY, CA_KUBELET = (
    "ca", "ca-client", "ca-etcd", "ca-etcd-peer", "ca-front-proxy", "ca-kubelet")
SERVICE_ACCOUNT_KEY, SERVICE_ACCOUNT_KEY_BUNDLE = "service-account-key", "service-account-key-bundle"
ENCRYPTION_KEY = "kube-apiserver-etcd-encryption-key"
ENCRYPTION_CONFIGURATION = "kube-apiserver-etcd-encryption-configuration"
STATIC_TOKEN = "kube-apiserver-static-token"
HEALTH_CHECK_USER = "health-check"
KUBE_APISERVER = "kube-apiserver"
APISERVER_SERVICE = "kube-apiserver"


def bundle_name(ca: str) -> str:
    """The Secret holding only the public certificate of CA ``ca`` (key ``bundle.crt``), what non-signers mount."""
    return f"{ca}-bundle"


def access_name(component: str) -> str:
    """The Secret with ``component``'s kubeconfig for the shoot API (``shoot-access-kube-controller-manager``)."""
    return f"shoot-access-{component}"


@dataclasses.dataclass(frozen=True)
class Cluster:
    """What the certificates depend on.

    ``namespace`` is the control-plane namespace (technical ID ``shoot--<project>--<name>``); ``service_cidrs``
    the shoot's service networks (the first address of each is the ``kubernetes`` Service IP);
    ``api_hostnames``/``api_addresses`` the names and IPs clients reach the kube-apiserver at (advertised
    addresses, ``api.<domain>``, a load balancer's IP); ``workers`` False for a workerless shoot (no kubelet CA).
    """

    namespace: str
    service_cidrs: Sequence[str]
    api_hostnames: Sequence[str] = ()
    api_addresses: Sequence[str] = ()
    workers: bool = True
    encrypted_resources: Sequence[str] = ("secrets",)


@dataclasses.dataclass(frozen=True)
class CASpec:
    name: str


@dataclasses.dataclass(frozen=True)
class BundleSpec:
    name: str
    ca: str


@dataclasses.dataclass(frozen=True)
class CertSpec:
    """A leaf certificate; ``kubeconfig`` adds a ``kubeconfig`` key reaching ``https://kube-apiserver`` with it."""

    name: str
    signer: str
    common_name: str
    usages: tuple[Usage, ...]
    organizations: tuple[str, ...] = ()
    dns_names: tuple[str, ...] = ()
    ip_addresses: tuple[str, ...] = ()
    kubeconfig: bool = False


@dataclasses.dataclass(frozen=True)
class KeySpec:
    """A service-account signing key (key ``id_rsa`` as Gardener names it, although it is EC)."""

    name: str


@dataclasses.dataclass(frozen=True)
class PublicKeySpec:
    """The public half of a ``KeySpec`` (key ``bundle.key``): what the kube-apiserver verifies tokens with."""

    name: str
    key: str


@dataclasses.dataclass(frozen=True)
class EncryptionKeySpec:
    """A persisted 32-byte key for etcd encryption at rest, with its name ``key<unix-time>``."""

    name: str


@dataclasses.dataclass(frozen=True)
class EncryptionConfigSpec:
    """The kube-apiserver's EncryptionConfiguration (aescbc with ``key``, then identity) for ``resources``."""

    name: str
    key: str
    resources: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class TokenSpec:
    """The kube-apiserver's static tokens (``static_tokens.csv``): the probes' ``health-check`` user."""

    name: str
    users: tuple[str, ...]


Spec = CASpec | BundleSpec | CertSpec | KeySpec | PublicKeySpec | EncryptionKeySpec | EncryptionConfigSpec | TokenSpec
PERSISTED = (CASpec, KeySpec, EncryptionKeySpec)


def service_forms(service: str, namespace: str) -> tuple[str, ...]:
    """A Service's four DNS forms inside the seed: ``x``, ``x.<ns>``, ``x.<ns>.svc``, ``x.<ns>.svc.cluster.local``."""
    return (service, f"{service}.{namespace}", f"{service}.{namespace}.svc", f"{service}.{namespace}.svc.cluster.local")


def kubernetes_service_ips(service_cidrs: Sequence[str]) -> tuple[str, ...]:
    """The ``kubernetes`` Service IP of each service network: its first host address (``100.64.0.1``)."""
    return tuple(str(ipaddress.ip_network(c, strict=False).network_address + 1) for c in service_cidrs)


def catalog(cluster: Cluster) -> list[Spec]:
    """Every secret the control plane of ``cluster`` needs, signers and sources first."""
    cas = [CA, CA_CLIENT, CA_ETCD, CA_ETCD_PEER, CA_FRONT_PROXY] + ([CA_KUBELET] if cluster.workers else [])
    specs: list[Spec] = [CASpec(name) for name in cas]
    specs += [BundleSpec(bundle_name(name), name) for name in cas]
    specs += [KeySpec(SERVICE_ACCOUNT_KEY), PublicKeySpec(SERVICE_ACCOUNT_KEY_BUNDLE, SERVICE_ACCOUNT_KEY),
              EncryptionKeySpec(ENCRYPTION_KEY),
              EncryptionConfigSpec(ENCRYPTION_CONFIGURATION, ENCRYPTION_KEY, tuple(cluster.encrypted_resources)),
              TokenSpec(STATIC_TOKEN, (HEALTH_CHECK_USER,))]
    specs += [_apiserver_server(cluster), *_apiserver_clients(cluster), *_etcd(cluster.namespace)]
    specs += _controllers(cluster.namespace)
    return specs


def _apiserver_server(cluster: Cluster) -> CertSpec:
    ns = cluster.namespace
    dns = [*service_forms(APISERVER_SERVICE, ns), ns, *cluster.api_hostnames]
    if cluster.workers:
        dns += ["kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"]
    ips = [*kubernetes_service_ips(cluster.service_cidrs), *cluster.api_addresses]
    return CertSpec(KUBE_APISERVER, CA, "kube-apiserver", ("server",), dns_names=tuple(dict.fromkeys(dns)),
                    ip_addresses=tuple(dict.fromkeys(ips)))


def _apiserver_clients(cluster: Cluster) -> list[Spec]:
    specs: list[Spec] = [CertSpec("kube-aggregator", CA_FRONT_PROXY, "system:kube-aggregator", ("client",)),
                         CertSpec("etcd-client", CA_ETCD, "etcd-client", ("client",))]
    if cluster.workers:
        specs.append(CertSpec("kube-apiserver-kubelet", CA_KUBELET, "system:kube-apiserver:kubelet", ("client",)))
    return specs


def _etcd(namespace: str) -> list[Spec]:
    specs: list[Spec] = []
    loopback = ("127.0.0.1", "::1")
    for role in ROLES:
        peers = tuple(f"*.{n}" for n in service_forms(f"etcd-{role}-peer", namespace))
        server_dns = (f"etcd-{role}-local", *service_forms(f"etcd-{role}-client", namespace), *peers)
        specs.append(CertSpec(f"etcd-server-{role}", CA_ETCD, "etcd-server", ("server", "client"),
                              dns_names=server_dns, ip_addresses=loopback))
        peer_dns = (*service_forms(f"etcd-{role}-peer", namespace), *peers)
        specs.append(CertSpec(f"etcd-peer-server-{role}", CA_ETCD_PEER, "etcd-server", ("server", "client"),
                              dns_names=peer_dns, ip_addresses=loopback))
    return specs


def _controllers(namespace: str) -> list[Spec]:
    specs: list[Spec] = []
    for component in ("kube-controller-manager", "kube-scheduler"):
        specs.append(CertSpec(f"{component}-server", CA, component, ("server",),
                              dns_names=service_forms(component, namespace)))
        specs.append(CertSpec(access_name(component), CA_CLIENT, f"system:{component}", ("client",),
                              kubeconfig=True))
    return specs
