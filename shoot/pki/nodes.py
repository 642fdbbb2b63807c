"""A kubelet's client certificate and kubeconfig: what a node presents to the shoot's kube-apiserver.

Pure. For machines that join without TLS bootstrapping (the local provider's simulated ones); with
bootstrapping, kube-controller-manager signs the same shape from a CSR with ``ca-client``. CN
``system:node:<node>`` and O ``system:nodes`` are what the Node authorizer and NodeRestriction expect.
"""

from __future__ import annotations

import datetime as dt

from shoot.pki import certs, kubeconfig

NODES_GROUP = "system:nodes"
# Kubernetes' default for kubelet client certificates signed by kube-controller-manager (--cluster-signing-duration).
VALIDITY = dt.timedelta(hours=720)


def user(node: str) -> str:
    return f"system:node:{node}"


def kubelet_client(ca: certs.KeyPair, node: str, *, now: dt.datetime, validity: dt.timedelta = VALIDITY) -> (
        certs.KeyPair):
    """A client certificate of ``ca`` (the shoot's ``ca-client``) for the kubelet of ``node``."""
    return certs.issue(ca, common_name=user(node), organizations=(NODES_GROUP,), usages=("client",), now=now,
                       validity=validity)


def kubelet_kubeconfig(ca: certs.KeyPair, node: str, *, server: str, cluster_ca: bytes, now: dt.datetime) -> bytes:
    """The kubelet's kubeconfig for ``server`` (the shoot API), trusting ``cluster_ca``."""
    pair = kubelet_client(ca, node, now=now)
    endpoint = kubeconfig.Endpoint(name="shoot", server=server, ca_pem=cluster_ca)
    return kubeconfig.dump(kubeconfig.with_client_certificate([endpoint], user=user(node), cert_pem=pair.cert_pem,
                                                             key_pem=pair.key_pem))
