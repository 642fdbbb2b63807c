"""A shoot's PKI: every certificate chains to its CA and covers the right names, planning is idempotent, and only
what is missing, changed or due for renewal is made again."""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress

import pytest
import yaml
from cryptography import x509
from cryptography.x509 import verification

from shoot.pki import catalog, certs, encryption, plan
from shoot.pki.catalog import Cluster

NOW = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
NAMESPACE = "shoot--dev--crazy-botany"
CLUSTER = Cluster(namespace=NAMESPACE, service_cidrs=("100.64.0.0/13",),
                  api_hostnames=("api.crazy-botany.dev.example.com",), api_addresses=("10.0.0.8",))


@pytest.fixture(scope="module")
def made() -> plan.Plan:
    return plan.plan(CLUSTER, {}, now=NOW)


def _cert(data: plan.Data, key: str = plan.TLS_CERT) -> x509.Certificate:
    return x509.load_pem_x509_certificate(data[key])


def _server_verifier(ca: x509.Certificate, name: x509.DNSName | x509.IPAddress) -> verification.ServerVerifier:
    store = verification.Store([ca])
    return verification.PolicyBuilder().store(store).time(NOW).build_server_verifier(name)


def test_a_new_shoot_gets_every_secret_of_its_catalog(made: plan.Plan) -> None:
    names = [s.name for s in catalog.catalog(CLUSTER)]
    assert [w.name for w in made.writes] == names
    assert {"ca", "ca-client", "ca-etcd", "ca-etcd-peer", "ca-front-proxy", "ca-kubelet", "kube-apiserver",
            "etcd-server-main", "etcd-server-events", "etcd-client", "service-account-key",
            "kube-apiserver-etcd-encryption-configuration"} <= set(names)
    assert {w.reason for w in made.writes} == {"missing"}


def test_the_apiserver_certificate_chains_to_the_cluster_ca_for_every_name_clients_use(made: plan.Plan) -> None:
    ca = _cert(made.secrets["ca"], plan.CA_CERT)
    leaf = _cert(made.secrets["kube-apiserver"])
    names: list[x509.DNSName | x509.IPAddress] = [
        x509.DNSName(n) for n in ("kube-apiserver", f"kube-apiserver.{NAMESPACE}.svc.cluster.local",
                                  "kubernetes.default.svc", "api.crazy-botany.dev.example.com")]
    names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ("100.64.0.1", "10.0.0.8")]
    for name in names:
        chain = _server_verifier(ca, name).verify(leaf, [])
        assert chain[-1] == ca
    with pytest.raises(verification.VerificationError):
        _server_verifier(ca, x509.DNSName("evil.example.com")).verify(leaf, [])


def test_etcd_certificates_chain_to_the_etcd_ca_and_not_to_the_cluster_ca(made: plan.Plan) -> None:
    etcd_ca, cluster_ca = _cert(made.secrets["ca-etcd"], plan.CA_CERT), _cert(made.secrets["ca"], plan.CA_CERT)
    server = _cert(made.secrets["etcd-server-main"])
    _server_verifier(etcd_ca, x509.DNSName(f"etcd-main-client.{NAMESPACE}.svc")).verify(server, [])
    _server_verifier(etcd_ca, x509.DNSName(f"etcd-main-0.etcd-main-peer.{NAMESPACE}.svc")).verify(server, [])
    with pytest.raises(verification.VerificationError):
        _server_verifier(cluster_ca, x509.DNSName("etcd-main-client")).verify(server, [])
    client = _cert(made.secrets["etcd-client"])
    assert certs.signed_by(client, etcd_ca) and certs.usages(client) == {"client"}
    peer = _cert(made.secrets["etcd-peer-server-events"])
    assert certs.signed_by(peer, _cert(made.secrets["ca-etcd-peer"], plan.CA_CERT))


@pytest.mark.parametrize(("name", "signer", "user", "groups"), [
    ("shoot-access-kube-controller-manager", "ca-client", "system:kube-controller-manager", ()),
    ("shoot-access-kube-scheduler", "ca-client", "system:kube-scheduler", ()),
    ("kube-apiserver-kubelet", "ca-kubelet", "system:kube-apiserver:kubelet", ()),
    ("kube-aggregator", "ca-front-proxy", "system:kube-aggregator", ()),
])
def test_client_certificates_name_kubernetes_users(made: plan.Plan, name: str, signer: str, user: str,
                                                   groups: tuple[str, ...]) -> None:
    cert = _cert(made.secrets[name])
    ca = _cert(made.secrets[signer], plan.CA_CERT)
    # Kubernetes client certificates carry no SAN, which the web PKI's defaults for leaves demand.
    leaves = verification.ExtensionPolicy.webpki_defaults_ee().may_be_present(
        x509.SubjectAlternativeName, verification.Criticality.AGNOSTIC, None)
    builder = verification.PolicyBuilder().store(verification.Store([ca])).time(NOW)
    verifier = builder.extension_policies(ca_policy=verification.ExtensionPolicy.webpki_defaults_ca(),
                                          ee_policy=leaves).build_client_verifier()
    verified = verifier.verify(cert, [])
    assert verified.chain[-1] == ca
    assert certs.common_name(cert) == user and certs.organizations(cert) == groups


def test_controller_kubeconfigs_reach_the_apiserver_with_their_certificate(made: plan.Plan) -> None:
    data = made.secrets["shoot-access-kube-controller-manager"]
    config = yaml.safe_load(data[plan.KUBECONFIG])
    assert config["clusters"][0]["cluster"]["server"] == "https://kube-apiserver"
    assert base64.b64decode(config["clusters"][0]["cluster"]["certificate-authority-data"]) == \
        made.secrets["ca"][plan.CA_CERT]
    assert base64.b64decode(config["users"][0]["user"]["client-certificate-data"]) == data[plan.TLS_CERT]


def test_bundles_hold_only_the_public_certificate(made: plan.Plan) -> None:
    assert made.secrets["ca-client-bundle"] == {"bundle.crt": made.secrets["ca-client"][plan.CA_CERT]}
    public = made.secrets["service-account-key-bundle"]["bundle.key"]
    assert b"PRIVATE" not in public
    assert certs.public_pem(certs.load_private_key(made.secrets["service-account-key"]["id_rsa"])) == public


def test_the_encryption_configuration_encrypts_secrets_with_aescbc_first(made: plan.Plan) -> None:
    config = yaml.safe_load(made.secrets["kube-apiserver-etcd-encryption-configuration"][encryption.CONFIG_KEY])
    assert config["kind"] == "EncryptionConfiguration"
    resource = config["resources"][0]
    assert resource["resources"] == ["secrets"]
    key = resource["providers"][0]["aescbc"]["keys"][0]
    assert len(base64.b64decode(key["secret"])) == 32 and key["name"] == f"key{int(NOW.timestamp())}"
    assert resource["providers"][-1] == {"identity": {}}


def test_planning_again_writes_nothing(made: plan.Plan) -> None:
    again = plan.plan(CLUSTER, made.secrets, now=NOW + dt.timedelta(days=400))
    assert again.writes == []
    assert again.secrets == made.secrets


def test_a_changed_address_reissues_only_the_apiserver_certificate(made: plan.Plan) -> None:
    moved = Cluster(namespace=NAMESPACE, service_cidrs=CLUSTER.service_cidrs,
                    api_hostnames=(*CLUSTER.api_hostnames, "api.new.example.com"), api_addresses=("10.0.0.8",))
    again = plan.plan(moved, made.secrets, now=NOW)
    assert [(w.name, w.reason) for w in again.writes] == [("kube-apiserver", "configuration changed")]
    assert "api.new.example.com" in certs.sans(_cert(again.secrets["kube-apiserver"]))[0]


def test_a_certificate_near_its_end_is_renewed_under_the_same_ca(made: plan.Plan) -> None:
    short = certs.issue(plan.ca_pair(made.secrets["ca-etcd"]), common_name="etcd-client", usages=("client",),
                        now=NOW, validity=dt.timedelta(days=20))
    stored = {**made.secrets, "etcd-client": {plan.TLS_CERT: short.cert_pem, plan.TLS_KEY: short.key_pem}}
    assert plan.plan(CLUSTER, stored, now=NOW + dt.timedelta(days=5)).writes == []
    later = plan.plan(CLUSTER, stored, now=NOW + dt.timedelta(days=12))
    assert [(w.name, w.reason) for w in later.writes] == [("etcd-client", "renewal due")]
    renewed = _cert(later.secrets["etcd-client"])
    assert renewed.not_valid_after_utc > NOW + dt.timedelta(days=3000)
    assert certs.signed_by(renewed, _cert(made.secrets["ca-etcd"], plan.CA_CERT))


def test_a_new_ca_reissues_what_it_signs_and_its_bundle(made: plan.Plan) -> None:
    stored = {name: data for name, data in made.secrets.items() if name != "ca-etcd"}
    again = plan.plan(CLUSTER, stored, now=NOW)
    assert [w.name for w in again.writes] == ["ca-etcd", "ca-etcd-bundle", "etcd-client", "etcd-server-main",
                                              "etcd-server-events"]
    assert [w.reason for w in again.writes][1:] == ["CA changed"] * 4


def test_ageing_cas_are_renewed_with_everything_they_sign(made: plan.Plan) -> None:
    again = plan.plan(CLUSTER, made.secrets, now=NOW + dt.timedelta(days=365 * 8 + 10))
    renewed = {w.name for w in again.writes}
    assert {"ca", "ca-client", "kube-apiserver", "etcd-client"} <= renewed
    assert "service-account-key" not in renewed and "kube-apiserver-etcd-encryption-key" not in renewed


def test_unreadable_secrets_are_made_again(made: plan.Plan) -> None:
    stored = {**made.secrets, "service-account-key": {"id_rsa": b"garbage"},
              "kube-apiserver": {plan.TLS_CERT: made.secrets["kube-apiserver"][plan.TLS_CERT],
                                 plan.TLS_KEY: made.secrets["etcd-client"][plan.TLS_KEY]}}
    again = plan.plan(CLUSTER, stored, now=NOW)
    assert {(w.name, w.reason) for w in again.writes} == {
        ("service-account-key", "unreadable"), ("service-account-key-bundle", "key changed"),
        ("kube-apiserver", "unreadable")}


def test_workerless_shoots_have_no_kubelet_ca() -> None:
    names = {s.name for s in catalog.catalog(Cluster(namespace=NAMESPACE, service_cidrs=("10.0.0.0/24",),
                                                     workers=False))}
    assert "ca-kubelet" not in names and "kube-apiserver-kubelet" not in names


def test_secret_manifests_carry_gardener_labels(made: plan.Plan) -> None:
    ca = next(w for w in made.writes if w.name == "ca")
    manifest = plan.manifest(ca, namespace=NAMESPACE)
    labels = manifest["metadata"]["labels"]
    assert labels["managed-by"] == "secrets-manager" and labels["persist"] == "true" and labels["name"] == "ca"
    assert int(labels["valid-until-time"]) > int(labels["issued-at-time"])
    assert plan.decode(manifest) == made.secrets["ca"]


def test_the_health_check_token_and_checksums_follow_the_secrets(made: plan.Plan) -> None:
    token = plan.health_check_token(made.secrets)
    assert len(token) >= 32 and token in made.secrets["kube-apiserver-static-token"]["static_tokens.csv"].decode()
    sums = plan.checksums(made.secrets)
    assert sums == plan.checksums(plan.plan(CLUSTER, made.secrets, now=NOW).secrets)
    renewed = plan.plan(CLUSTER, {k: v for k, v in made.secrets.items() if k != "etcd-client"}, now=NOW)
    changed = {k for k, v in plan.checksums(renewed.secrets).items() if sums[k] != v}
    assert changed == {"etcd-client"}


def test_stored_reads_back_only_the_secrets_it_made(made: plan.Plan) -> None:
    manifests = [plan.manifest(w, namespace=NAMESPACE) for w in made.writes]
    foreign = {"metadata": {"name": "kube-apiserver-token", "labels": {}}, "data": {"token": "eA=="}}
    assert plan.stored([*manifests, foreign]) == made.secrets
    assert plan.plan(CLUSTER, plan.stored(manifests), now=NOW).writes == []
