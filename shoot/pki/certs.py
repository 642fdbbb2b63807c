"""ECDSA P-256 certificate primitives: create a CA, issue a leaf, read one back, judge whether it is still good.

Pure (no I/O; time is passed in). Used by ``shoot.pki.plan`` for the control-plane certificates and by the
garden's kubeconfig issuance for short-lived client certificates. Serial numbers are random (128 bits) and
NotBefore lies a minute in the past, as Gardener's secrets manager issues them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
from collections.abc import Iterable, Sequence
from typing import Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

Usage = Literal["server", "client"]
BACKDATE = dt.timedelta(minutes=1)
# Gardener renews at 80 % of the validity or 10 days before the end, whichever comes first.
RENEW_FRACTION = 0.8
RENEW_BEFORE = dt.timedelta(days=10)
_EKU: dict[Usage, x509.ObjectIdentifier] = {"server": ExtendedKeyUsageOID.SERVER_AUTH,
                                            "client": ExtendedKeyUsageOID.CLIENT_AUTH}


@dataclasses.dataclass(frozen=True)
class KeyPair:
    """A PEM certificate and its PEM (PKCS#8, unencrypted) private key."""

    cert_pem: bytes
    key_pem: bytes

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.cert_pem)


def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def private_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def public_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


def load_private_key(pem: bytes) -> ec.EllipticCurvePrivateKey:
    """The EC private key in ``pem``; ValueError for anything else."""
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError("not an EC private key")
    return key


def create_ca(common_name: str, *, now: dt.datetime, validity: dt.timedelta) -> KeyPair:
    """A self-signed CA (CertSign/CRLSign, path length 0)."""
    key = new_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    builder = _builder(subject=name, issuer=name, public_key=key.public_key(), now=now, validity=validity)
    builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
    builder = builder.add_extension(_key_usage(ca=True), critical=True)
    builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    return KeyPair(cert_pem=_pem(builder.sign(key, hashes.SHA256())), key_pem=private_pem(key))


def issue(
    ca: KeyPair,
    *,
    common_name: str,
    organizations: Sequence[str] = (),
    usages: Iterable[Usage] = ("server",),
    dns_names: Sequence[str] = (),
    ip_addresses: Sequence[str] = (),
    now: dt.datetime,
    validity: dt.timedelta,
) -> KeyPair:
    """A leaf certificate signed by ``ca``: CN the user, O the groups (as Kubernetes reads client certificates),
    extended key usages ``server``/``client``, the given SANs."""
    ca_key, ca_cert = load_private_key(ca.key_pem), ca.certificate
    key = new_key()
    attributes = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in organizations]
    subject = x509.Name([*attributes, x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    builder = _builder(subject=subject, issuer=ca_cert.subject, public_key=key.public_key(), now=now,
                       validity=validity)
    builder = builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    builder = builder.add_extension(_key_usage(ca=False), critical=True)
    builder = builder.add_extension(x509.ExtendedKeyUsage([_EKU[u] for u in dict.fromkeys(usages)]), critical=False)
    builder = builder.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                                    critical=False)
    sans = subject_alternative_names(dns_names, ip_addresses)
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return KeyPair(cert_pem=_pem(builder.sign(ca_key, hashes.SHA256())), key_pem=private_pem(key))


def subject_alternative_names(dns_names: Sequence[str], ip_addresses: Sequence[str]) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = [x509.DNSName(d) for d in dict.fromkeys(dns_names)]
    ips = dict.fromkeys(ipaddress.ip_address(ip) for ip in ip_addresses)
    return names + [x509.IPAddress(ip) for ip in ips]


# --- reading certificates back ---------------------------------------------------------------------------------


def load(cert_pem: bytes, key_pem: bytes | None = None) -> x509.Certificate | None:
    """The (first) certificate in ``cert_pem`` if it parses and, when ``key_pem`` is given, belongs to that key."""
    try:
        cert = x509.load_pem_x509_certificate(cert_pem)
        if key_pem is not None and load_private_key(key_pem).public_key() != cert.public_key():
            return None
    except (ValueError, TypeError):
        return None
    return cert


def signed_by(cert: x509.Certificate, ca: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def renewal_due(cert: x509.Certificate, *, now: dt.datetime) -> bool:
    """Whether ``cert`` is past 80 % of its validity, within 10 days of its end, or not yet valid."""
    start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
    renew_at = min(start + (end - start) * RENEW_FRACTION, end - RENEW_BEFORE)
    return not start <= now < renew_at


def is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def common_name(cert: x509.Certificate) -> str:
    values = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(values[0].value) if values else ""


def organizations(cert: x509.Certificate) -> tuple[str, ...]:
    return tuple(str(a.value) for a in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME))


def sans(cert: x509.Certificate) -> tuple[frozenset[str], frozenset[str]]:
    """The DNS names and the IP addresses (canonical text) a certificate covers."""
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return frozenset(), frozenset()
    return (frozenset(ext.get_values_for_type(x509.DNSName)),
            frozenset(str(ip) for ip in ext.get_values_for_type(x509.IPAddress)))


def usages(cert: x509.Certificate) -> frozenset[Usage]:
    try:
        ext = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return frozenset()
    return frozenset(u for u, oid in _EKU.items() if oid in ext)


# --- helpers ---------------------------------------------------------------------------------------------------


def _builder(*, subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey, now: dt.datetime,
             validity: dt.timedelta) -> x509.CertificateBuilder:
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - BACKDATE).not_valid_after(now + validity))


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=not ca,
                         data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                         encipher_only=False, decipher_only=False)


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)
