"""Kubeconfigs for people: the certificate names the user with Gardener's CN and group, lives as long as asked
(within Gardener's bounds), and the kubeconfig reaches every advertised address; the objects the seed publishes."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
import yaml
from cryptography import x509

from shoot.pki import access, certs, plan
from shoot.pki.catalog import Cluster

NOW = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
SHOOT = {"metadata": {"name": "local", "namespace": "garden-local", "uid": "u-1"},
         "status": {"advertisedAddresses": [
             {"name": "internal", "url": "https://api.local.local.internal.example.com"},
             {"name": "external", "url": "https://api.local.example.com"},
             {"name": "wildcard-tls-seed-bound", "url": "https://api-local.seed.example.com"}]}}


@pytest.fixture(scope="module")
def secrets() -> dict[str, dict[str, bytes]]:
    return plan.plan(Cluster(namespace="shoot--local--local", service_cidrs=("10.4.0.0/16",)), {}, now=NOW).secrets


@pytest.mark.parametrize(("request_body", "expected"), [
    ({}, 3600), ({"spec": {}}, 3600), ({"spec": {"expirationSeconds": 600}}, 600),
    ({"spec": {"expirationSeconds": 7 * 24 * 3600}}, 24 * 3600), ({"spec": {"expirationSeconds": None}}, 3600)])
def test_expiration_defaults_to_an_hour_and_is_capped_at_a_day(request_body: dict[str, object],
                                                               expected: int) -> None:
    assert access.expiration(request_body) == expected


@pytest.mark.parametrize("value", [599, 2**32, "3600", True])
def test_expiration_outside_gardeners_bounds_is_invalid(value: object) -> None:
    result = access.expiration({"spec": {"expirationSeconds": value}})
    assert isinstance(result, list) and result[0].field == "spec.expirationSeconds"


def test_an_admin_kubeconfig_reaches_every_address_with_a_certificate_of_the_client_ca(
        secrets: dict[str, dict[str, bytes]]) -> None:
    ca_pem = secrets["ca"]["ca.crt"]
    issued = access.issue(plan.ca_pair(secrets["ca-client"]), access="admin", user="alice@example.com",
                          operator=False, endpoints=access.endpoints(SHOOT, ca_pem=ca_pem), seconds=900, now=NOW)
    config = yaml.safe_load(issued.kubeconfig)
    names = [c["name"] for c in config["clusters"]]
    assert names == ["garden-local--local-external", "garden-local--local-wildcard-tls-seed-bound",
                     "garden-local--local-internal"]
    assert config["current-context"] == "garden-local--local-external"
    assert "certificate-authority-data" not in config["clusters"][1]["cluster"]
    assert base64.b64decode(config["clusters"][0]["cluster"]["certificate-authority-data"]) == ca_pem
    cert = x509.load_pem_x509_certificate(base64.b64decode(config["users"][0]["user"]["client-certificate-data"]))
    assert certs.common_name(cert) == "gardener.cloud:admin:alice@example.com"
    assert certs.organizations(cert) == ("gardener.cloud:project:admins",)
    assert certs.signed_by(cert, x509.load_pem_x509_certificate(secrets["ca-client"]["ca.crt"]))
    assert not certs.signed_by(cert, x509.load_pem_x509_certificate(ca_pem))
    assert cert.not_valid_after_utc == issued.expires == NOW + dt.timedelta(seconds=900)
    assert certs.usages(cert) == {"client"}


def test_operators_get_the_system_groups_and_viewers_the_viewer_ones(secrets: dict[str, dict[str, bytes]]) -> None:
    def groups(kind: access.Access, operator: bool) -> tuple[str, ...]:
        issued = access.issue(plan.ca_pair(secrets["ca-client"]), access=kind, user="bob", operator=operator,
                              endpoints=access.endpoints(SHOOT, ca_pem=b"x"), seconds=600, now=NOW)
        user = yaml.safe_load(issued.kubeconfig)["users"][0]["user"]
        cert = x509.load_pem_x509_certificate(base64.b64decode(user["client-certificate-data"]))
        return (certs.common_name(cert), *certs.organizations(cert))

    assert groups("admin", True) == ("gardener.cloud:admin:bob", "gardener.cloud:system:admins")
    assert groups("viewer", False) == ("gardener.cloud:viewer:bob", "gardener.cloud:project:viewers")
    assert groups("viewer", True) == ("gardener.cloud:viewer:bob", "gardener.cloud:system:viewers")


def test_the_seed_publishes_the_client_ca_and_the_cluster_ca_bundle(secrets: dict[str, dict[str, bytes]]) -> None:
    secret = access.client_ca_secret(SHOOT, secrets)
    assert secret["metadata"]["name"] == "local.ca-client" and secret["metadata"]["namespace"] == "garden-local"
    assert secret["metadata"]["labels"]["gardener.cloud/role"] == "ca-client"
    assert plan.decode(secret) == secrets["ca-client"]
    bundle = access.cluster_ca_bundle(secrets, extra=[b"-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n"])
    assert bundle.startswith(secrets["ca"]["ca.crt"].decode()) and bundle.count("BEGIN CERTIFICATE") == 2
