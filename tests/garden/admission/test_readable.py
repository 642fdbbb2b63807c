"""References across tenants through the real HTTPS garden and kubectl: a project member may bind only Secrets,
WorkloadIdentities and Quotas they may read, with one 403 whether the foreign object exists or not; a seed may not
point its Seed at a Secret it may not read. Operators keep their access.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from apiserver import errors
from apiserver.auth import Attributes
from apiserver.context import UserInfo
from garden import bootstrap
from garden import seeds as garden_seeds
from garden.admission import shoots
from garden.admission.readable import ReadGuard
from garden.admission.reader import Reader
from garden.auth import identities
from tests.e2e.kubectl import Kubectl
from tests.support.tenants import CORE, SECURITY, Tenants, client_for, two_tenants

JSON = dict[str, Any]
CREDENTIALS_BINDINGS = "/apis/security.gardener.cloud/v1alpha1/namespaces/garden-a/credentialsbindings"
SECRET_BINDINGS = "/apis/core.gardener.cloud/v1beta1/namespaces/garden-a/secretbindings"
FORBIDDEN_SECRET = ('credentialsbindings.security.gardener.cloud "stolen" is forbidden: CredentialsBinding cannot '
                    "reference a secret you are not allowed to read")


@pytest.fixture(scope="module")
def tenants(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tenants]:
    directory = tmp_path_factory.mktemp("tenants")
    with two_tenants(f"sqlite:///{directory / 'garden.db'}", directory) as running:
        yield running


def credentials_binding(name: str, *, namespace: str, secret: str = "creds", kind: str = "Secret",
                        quotas: list[JSON] | None = None) -> JSON:
    return {"apiVersion": SECURITY, "kind": "CredentialsBinding",
            "metadata": {"name": name, "namespace": "garden-a"}, "provider": {"type": "local"},
            "credentialsRef": {"apiVersion": "v1", "kind": kind, "name": secret, "namespace": namespace},
            "quotas": quotas or []}


def secret_binding(name: str, *, namespace: str, secret: str = "creds") -> JSON:
    return {"apiVersion": CORE, "kind": "SecretBinding", "metadata": {"name": name, "namespace": "garden-a"},
            "provider": {"type": "local"}, "secretRef": {"name": secret, "namespace": namespace}}


def test_binding_to_a_foreign_secret_is_refused_alike_whether_it_exists_or_not(tenants: Tenants) -> None:
    anna = tenants("anna")
    existing = anna.post(CREDENTIALS_BINDINGS, json=credentials_binding("stolen", namespace="garden-b"))
    missing = anna.post(CREDENTIALS_BINDINGS, json=credentials_binding("stolen", namespace="garden-b",
                                                                     secret="no-such-secret"))
    no_namespace = anna.post(CREDENTIALS_BINDINGS, json=credentials_binding("stolen", namespace="garden-nowhere"))
    operators = anna.post(CREDENTIALS_BINDINGS, json=credentials_binding("stolen", namespace="garden-local",
                                                                       secret="local"))
    assert existing.status_code == missing.status_code == no_namespace.status_code == operators.status_code == 403
    assert existing.json() == missing.json() == no_namespace.json() == operators.json()
    assert existing.json()["reason"] == "Forbidden"
    assert existing.json()["message"] == FORBIDDEN_SECRET
    assert anna.get(f"{CREDENTIALS_BINDINGS}/stolen").status_code == 404


def test_secret_binding_to_a_foreign_secret_is_refused(tenants: Tenants) -> None:
    anna = tenants("anna")
    response = anna.post(SECRET_BINDINGS, json=secret_binding("stolen", namespace="garden-b"))
    missing = anna.post(SECRET_BINDINGS, json=secret_binding("stolen", namespace="garden-b", secret="nope"))
    assert response.status_code == missing.status_code == 403
    assert response.json() == missing.json()
    assert response.json()["message"] == ('secretbindings.core.gardener.cloud "stolen" is forbidden: SecretBinding '
                                          "cannot reference a secret you are not allowed to read")
    assert anna.get(f"{SECRET_BINDINGS}/stolen").status_code == 404


def test_member_binds_their_own_secret_and_a_missing_own_secret_is_named(tenants: Tenants) -> None:
    anna = tenants("anna")
    created = anna.post(CREDENTIALS_BINDINGS, json=credentials_binding("own", namespace="garden-a"))
    assert created.status_code == 201, created.text
    missing = anna.post(CREDENTIALS_BINDINGS, json=credentials_binding("own-missing", namespace="garden-a",
                                                                     secret="absent"))
    assert missing.status_code == 422
    assert missing.json()["details"]["causes"][0]["field"] == "credentialsRef.name"


def test_foreign_workload_identity_and_quota_are_refused(tenants: Tenants) -> None:
    anna = tenants("anna")
    identity = anna.post(CREDENTIALS_BINDINGS, json=credentials_binding("wi", namespace="garden-b",
                                                                      kind="WorkloadIdentity"))
    assert identity.status_code == 403
    assert "cannot reference a workload identity you are not allowed to read" in identity.json()["message"]
    quota = anna.post(CREDENTIALS_BINDINGS, json=credentials_binding(
        "quota", namespace="garden-a", quotas=[{"name": "q", "namespace": "garden-b"}]))
    assert quota.status_code == 403
    assert "cannot reference a quota you are not allowed to read" in quota.json()["message"]


def test_operator_binds_any_namespace(tenants: Tenants) -> None:
    created = tenants.operator.post(CREDENTIALS_BINDINGS, json=credentials_binding("by-operator",
                                                                                  namespace="garden-b"))
    assert created.status_code == 201, created.text
    # The binding's owner may still relabel it: the reference did not change, so it is not checked again.
    relabel = tenants("anna").patch(f"{CREDENTIALS_BINDINGS}/by-operator", json={"metadata": {"labels": {"x": "y"}}},
                                    headers={"Content-Type": "application/merge-patch+json"})
    assert relabel.status_code == 200, relabel.text


def test_changing_a_binding_to_a_foreign_secret_is_refused(tenants: Tenants) -> None:
    anna = tenants("anna")
    created = anna.post(CREDENTIALS_BINDINGS, json=credentials_binding("moving", namespace="garden-a"))
    assert created.status_code == 201, created.text
    moved = anna.patch(f"{CREDENTIALS_BINDINGS}/moving", json={"credentialsRef": {"namespace": "garden-b"}},
                       headers={"Content-Type": "application/merge-patch+json"})
    assert moved.status_code == 403
    assert anna.get(f"{CREDENTIALS_BINDINGS}/moving").json()["credentialsRef"]["namespace"] == "garden-a"


def test_kubectl_apply_of_a_binding_to_a_foreign_secret_prints_the_refusal(tenants: Tenants, tmp_path: Path) -> None:
    kubectl = Kubectl(tenants.kubeconfigs["anna"], tmp_path)
    manifest = yaml.safe_dump(credentials_binding("stolen", namespace="garden-b"))
    result = kubectl("apply", "-f", "-", stdin=manifest)
    assert result.returncode == 1
    assert "Error from server (Forbidden)" in result.stderr
    assert "CredentialsBinding cannot reference a secret you are not allowed to read" in result.stderr


def test_a_seed_may_not_point_its_seed_at_a_secret_it_may_not_read(tenants: Tenants) -> None:
    service = tenants.garden.api.service
    garden_seeds.register(service, copy.deepcopy(bootstrap.SEED), capacity=10)
    known = identities.for_engine(service.store.engine)
    known.ensure_seed("local")
    seed = client_for(tenants.garden, known.issue_token(identities.seed_user("local")).token)
    url = "/apis/core.gardener.cloud/v1beta1/seeds/local"
    backup = {"spec": {"backup": {"provider": "local", "credentialsRef": {
        "apiVersion": "v1", "kind": "Secret", "namespace": "garden-b", "name": "creds"}}}}
    try:
        stolen = seed.patch(url, json=backup, headers={"Content-Type": "application/merge-patch+json"})
        assert stolen.status_code == 403
        assert stolen.json()["message"] == ('seeds.core.gardener.cloud "local" is forbidden: Seed cannot reference a '
                                            "secret you are not allowed to read")
        assert seed.get(url).json()["spec"].get("backup") is None
        labelled = seed.patch(url, json={"metadata": {"labels": {"seed": "labels-itself"}}},
                              headers={"Content-Type": "application/merge-patch+json"})
        assert labelled.status_code == 200, labelled.text
        by_operator = tenants.operator.patch(url, json=backup, headers={"Content-Type": "application/merge-patch+json"})
        assert by_operator.status_code == 200, by_operator.text
        # Now that its Seed names that Secret, the seed keeps writing its Seed (the reference is unchanged).
        relabelled = seed.patch(url, json={"metadata": {"labels": {"seed": "again"}}},
                                headers={"Content-Type": "application/merge-patch+json"})
        assert relabelled.status_code == 200, relabelled.text
    finally:
        seed.close()


class DeniesSecrets:
    """An authorizer under which the writer may read everything but Secrets."""

    def authorize(self, user: UserInfo, attrs: Attributes) -> str | None:
        return "no secrets" if attrs.resource == "secrets" else None

    def visible(self, user: UserInfo, rt: Any, obj: JSON) -> bool:
        return True


def test_a_shoot_names_only_resources_its_author_may_read(tenants: Tenants) -> None:
    registry = tenants.garden.api.registry
    admission = shoots.ShootAdmission(Reader(tenants.garden.api.store), ReadGuard(DeniesSecrets()),
                                      resolve=registry.by_kind)
    shoot: JSON = {"metadata": {"name": "s", "namespace": "garden-a"}, "spec": {
        "credentialsBindingName": "own",
        "resources": [{"name": "r", "resourceRef": {"apiVersion": "v1", "kind": "ConfigMap", "name": "cm"}}],
        "dns": {"providers": [{"type": "local", "secretName": "dns-creds"}]}}}
    assert [(r.resource, r.name) for r in admission.references(shoot)] == [
        ("credentialsbindings", "own"), ("configmaps", "cm"), ("secrets", "dns-creds")]
    with pytest.raises(errors.ApiError) as refused:
        admission(operation="CREATE", new=shoot, old=None, subresource="", user=UserInfo(name="anna"))
    assert refused.value.code == 403
    assert refused.value.message == ('shoots.core.gardener.cloud "s" is forbidden: Shoot cannot reference a '
                                     "resource you are not allowed to read")
