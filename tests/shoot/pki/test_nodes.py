"""A kubelet's client certificate names its node as the Node authorizer expects, signed by the client CA."""

from __future__ import annotations

import base64
import datetime as dt

import yaml
from cryptography import x509

from shoot.pki import certs, nodes

NOW = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)


def test_a_kubelet_certificate_names_its_node_in_the_nodes_group() -> None:
    ca = certs.create_ca("ca-client", now=NOW, validity=dt.timedelta(days=3650))
    pair = nodes.kubelet_client(ca, "machine-0", now=NOW)
    cert = pair.certificate
    assert certs.common_name(cert) == "system:node:machine-0"
    assert certs.organizations(cert) == ("system:nodes",)
    assert certs.usages(cert) == {"client"} and certs.signed_by(cert, ca.certificate)
    assert cert.not_valid_after_utc == NOW + dt.timedelta(days=30)


def test_a_kubelet_kubeconfig_reaches_the_shoot_api_with_it() -> None:
    ca = certs.create_ca("ca-client", now=NOW, validity=dt.timedelta(days=3650))
    config = yaml.safe_load(nodes.kubelet_kubeconfig(ca, "machine-1", server="https://api.example.com",
                                                     cluster_ca=b"CA", now=NOW))
    assert config["clusters"][0]["cluster"] == {"server": "https://api.example.com",
                                                "certificate-authority-data": base64.b64encode(b"CA").decode()}
    cert = x509.load_pem_x509_certificate(base64.b64decode(config["users"][0]["user"]["client-certificate-data"]))
    assert certs.common_name(cert) == "system:node:machine-1"
