"""Which of a shoot's secrets must be written: the missing ones, the unreadable ones and those due for renewal.

``plan(cluster, stored, now=...)`` is idempotent: a secret that exists and is still good is never regenerated,
so running it again on its own result writes nothing. A certificate is redone when it is unreadable, does not
match its key, is not signed by its (current) CA, no longer has the configured CN/O/SANs/usages, or is past
80 % of its validity (10 days before its end at the latest); a new CA therefore reissues everything it signs.
Called by the seed agent's secrets step, which reads the Secrets labelled ``SELECTOR`` in the control-plane
namespace, passes their decoded data, and stores ``Plan.writes`` with ``manifest``.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import ipaddress
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from cryptography import x509

from shoot.pki import catalog, certs, encryption, kubeconfig
from shoot.pki.catalog import (
    BundleSpec,
    CASpec,
    CertSpec,
    Cluster,
    EncryptionConfigSpec,
    EncryptionKeySpec,
    KeySpec,
    PublicKeySpec,
    Spec,
    TokenSpec,
)

JSON = dict[str, Any]
Data = Mapping[str, bytes]
CA_CERT, CA_KEY, BUNDLE_CERT, TLS_CERT, TLS_KEY = "ca.crt", "ca.key", "bundle.crt", "tls.crt", "tls.key"
KUBECONFIG, SIGNING_KEY, PUBLIC_KEY, TOKENS = "kubeconfig", "id_rsa", "bundle.key", "static_tokens.csv"
# In-namespace address of the shoot's kube-apiserver, as in Gardener's generic kubeconfig.
IN_CLUSTER_SERVER = "https://kube-apiserver"
MANAGED_BY, MANAGER_IDENTITY = "secrets-manager", "gardenlet"
SELECTOR = f"managed-by={MANAGED_BY},manager-identity={MANAGER_IDENTITY}"


@dataclasses.dataclass(frozen=True)
class Secret:
    """One secret to store: its data (raw bytes per key), labels, and why it is written."""

    name: str
    data: dict[str, bytes]
    labels: dict[str, str]
    reason: str


@dataclasses.dataclass(frozen=True)
class Plan:
    """``writes`` in dependency order; ``secrets`` the data of every secret once they are stored."""

    writes: list[Secret]
    secrets: dict[str, dict[str, bytes]]

    def ca(self, name: str) -> certs.KeyPair:
        """The CA ``name`` (``catalog.CA_CLIENT``...) as a key pair."""
        return ca_pair(self.secrets[name])


def ca_pair(data: Data) -> certs.KeyPair:
    return certs.KeyPair(cert_pem=data[CA_CERT], key_pem=data[CA_KEY])


def plan(cluster: Cluster, stored: Mapping[str, Data], *, now: dt.datetime) -> Plan:
    """What to write so that every secret of ``catalog(cluster)`` exists and is good (``stored``: name -> data)."""
    current = {name: dict(data) for name, data in stored.items()}
    writes = []
    for spec in catalog.catalog(cluster):
        reason = _problem(spec, current.get(spec.name), current, now)
        if reason is None:
            continue
        data = _make(spec, current, now)
        current[spec.name] = data
        writes.append(Secret(name=spec.name, data=data, labels=_labels(spec, data), reason=reason))
    return Plan(writes=writes, secrets=current)


def manifest(secret: Secret, *, namespace: str) -> JSON:
    """The ``v1`` Secret to store ``secret`` in ``namespace``."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": secret.name, "namespace": namespace, "labels": dict(secret.labels)},
        "type": "Opaque",
        "data": {key: base64.b64encode(value).decode("ascii") for key, value in secret.data.items()},
    }


def decode(secret: Mapping[str, Any]) -> dict[str, bytes]:
    """The raw data of a stored ``v1`` Secret (its base64 ``data``)."""
    return {key: base64.b64decode(value) for key, value in (secret.get("data") or {}).items()}


def stored(secrets: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, bytes]]:
    """Name -> data of the ``v1`` Secrets among ``secrets`` that this module made (labels ``SELECTOR``)."""
    out = {}
    for secret in secrets:
        labels = (secret.get("metadata") or {}).get("labels") or {}
        if labels.get("managed-by") == MANAGED_BY and labels.get("manager-identity") == MANAGER_IDENTITY:
            out[secret["metadata"]["name"]] = decode(secret)
    return out


def health_check_token(secrets: Mapping[str, Data]) -> str:
    """The ``health-check`` user's static token (what the kube-apiserver's probes send)."""
    for line in secrets[catalog.STATIC_TOKEN][TOKENS].decode().splitlines():
        token, user, *_ = [*line.split(","), "", ""]
        if user == catalog.HEALTH_CHECK_USER:
            return token
    raise KeyError(f"{catalog.STATIC_TOKEN} has no {catalog.HEALTH_CHECK_USER} token")


def checksums(secrets: Mapping[str, Data]) -> dict[str, str]:
    """Secret name -> SHA-256 of its data, for the pod templates (``ControlPlane.secret_checksums``)."""
    out = {}
    for name, data in secrets.items():
        digest = hashlib.sha256()
        for key in sorted(data):
            digest.update(key.encode() + b"\0" + data[key] + b"\0")
        out[name] = digest.hexdigest()
    return out


# --- judging what is stored ------------------------------------------------------------------------------------


def _problem(spec: Spec, data: Data | None, current: Mapping[str, Data], now: dt.datetime) -> str | None:
    """None while ``data`` is a good ``spec``; else why it must be (re)made."""
    if data is None:
        return "missing"
    match spec:
        case CASpec():
            return _ca_problem(data, now)
        case BundleSpec(ca=ca):
            return None if data.get(BUNDLE_CERT) == current[ca][CA_CERT] else "CA changed"
        case CertSpec():
            return _cert_problem(spec, data, current, now)
        case KeySpec():
            return None if _readable_key(data.get(SIGNING_KEY)) else "unreadable"
        case PublicKeySpec(key=key):
            expected = certs.public_pem(certs.load_private_key(current[key][SIGNING_KEY]))
            return None if data.get(PUBLIC_KEY) == expected else "key changed"
        case EncryptionKeySpec():
            return None if encryption.is_key(data) else "unreadable"
        case EncryptionConfigSpec():
            return None if data.get(encryption.CONFIG_KEY) == _encryption_config(spec, current) else "key changed"
        case TokenSpec(users=users):
            return None if _tokens_cover(data.get(TOKENS), users) else "users changed"
    raise AssertionError(spec)


def _ca_problem(data: Data, now: dt.datetime) -> str | None:
    cert = certs.load(data.get(CA_CERT, b""), data.get(CA_KEY, b""))
    if cert is None or not certs.is_ca(cert):
        return "unreadable"
    return "renewal due" if certs.renewal_due(cert, now=now) else None


def _cert_problem(spec: CertSpec, data: Data, current: Mapping[str, Data], now: dt.datetime) -> str | None:
    cert = certs.load(data.get(TLS_CERT, b""), data.get(TLS_KEY, b""))
    if cert is None:
        return "unreadable"
    if not certs.signed_by(cert, x509_ca(current, spec.signer)):
        return "CA changed"
    if not _matches(spec, cert):
        return "configuration changed"
    if certs.renewal_due(cert, now=now):
        return "renewal due"
    if spec.kubeconfig and data.get(KUBECONFIG) != _kubeconfig(spec, data, current):
        return "CA changed"
    return None


def x509_ca(current: Mapping[str, Data], name: str) -> x509.Certificate:
    """The certificate of CA ``name``, already judged good (CAs come first in the catalog)."""
    return x509.load_pem_x509_certificate(current[name][CA_CERT])


def _matches(spec: CertSpec, cert: x509.Certificate) -> bool:
    dns, ips = certs.sans(cert)
    wanted_ips = frozenset(str(ipaddress.ip_address(i)) for i in spec.ip_addresses)
    return (certs.common_name(cert) == spec.common_name and certs.organizations(cert) == spec.organizations
            and dns == frozenset(spec.dns_names) and ips == wanted_ips and certs.usages(cert) == frozenset(spec.usages))


def _readable_key(pem: bytes | None) -> bool:
    try:
        certs.load_private_key(pem or b"")
    except (ValueError, TypeError):
        return False
    return True


def _tokens_cover(csv: bytes | None, users: tuple[str, ...]) -> bool:
    rows = [line.split(",") for line in (csv or b"").decode(errors="replace").splitlines() if line.strip()]
    return sorted(row[1] for row in rows if len(row) >= 3 and row[0]) == sorted(users)


# --- making ----------------------------------------------------------------------------------------------------


def _make(spec: Spec, current: Mapping[str, Data], now: dt.datetime) -> dict[str, bytes]:
    match spec:
        case CASpec(name=name):
            pair = certs.create_ca(name, now=now, validity=catalog.TEN_YEARS)
            return {CA_CERT: pair.cert_pem, CA_KEY: pair.key_pem}
        case BundleSpec(ca=ca):
            return {BUNDLE_CERT: current[ca][CA_CERT]}
        case CertSpec():
            return _make_cert(spec, current, now)
        case KeySpec():
            return {SIGNING_KEY: certs.private_pem(certs.new_key())}
        case PublicKeySpec(key=key):
            return {PUBLIC_KEY: certs.public_pem(certs.load_private_key(current[key][SIGNING_KEY]))}
        case EncryptionKeySpec():
            return encryption.new_key(now=now)
        case EncryptionConfigSpec():
            return {encryption.CONFIG_KEY: _encryption_config(spec, current)}
        case TokenSpec(users=users):
            return {TOKENS: "".join(f"{secrets.token_urlsafe(32)},{u},{u}\n" for u in users).encode()}
    raise AssertionError(spec)


def _make_cert(spec: CertSpec, current: Mapping[str, Data], now: dt.datetime) -> dict[str, bytes]:
    pair = certs.issue(ca_pair(current[spec.signer]), common_name=spec.common_name,
                       organizations=spec.organizations, usages=spec.usages, dns_names=spec.dns_names,
                       ip_addresses=spec.ip_addresses, now=now, validity=catalog.TEN_YEARS)
    data = {TLS_CERT: pair.cert_pem, TLS_KEY: pair.key_pem}
    if spec.kubeconfig:
        data[KUBECONFIG] = _kubeconfig(spec, data, current)
    return data


def _kubeconfig(spec: CertSpec, data: Data, current: Mapping[str, Data]) -> bytes:
    endpoint = kubeconfig.Endpoint(name="kube-apiserver", server=IN_CLUSTER_SERVER, ca_pem=current[catalog.CA][CA_CERT])
    return kubeconfig.dump(kubeconfig.with_client_certificate([endpoint], user=spec.common_name,
                                                             cert_pem=data[TLS_CERT], key_pem=data[TLS_KEY]))


def _encryption_config(spec: EncryptionConfigSpec, current: Mapping[str, Data]) -> bytes:
    return encryption.configuration(current[spec.key], resources=spec.resources)


def _labels(spec: Spec, data: Data) -> dict[str, str]:
    labels = {"name": spec.name, "managed-by": MANAGED_BY, "manager-identity": MANAGER_IDENTITY}
    if isinstance(spec, catalog.PERSISTED):
        labels["persist"] = "true"
    pem = data.get(CA_CERT) or data.get(TLS_CERT)
    cert = certs.load(pem) if pem else None
    if cert is not None:
        labels["issued-at-time"] = str(int(cert.not_valid_before_utc.timestamp()))
        labels["valid-until-time"] = str(int(cert.not_valid_after_utc.timestamp()))
    return labels
