"""Tests for shoot.api.project: Project and Quota."""

from __future__ import annotations

from shoot.api.project import Project, Quota


def test_project_without_spec_gets_an_empty_spec_like_gardener() -> None:
    project = Project.model_validate({"metadata": {"name": "dev"}})

    assert project.spec.namespace is None
    assert project.to_wire()["spec"] == {}


def test_project_members_carry_subject_and_roles() -> None:
    project = Project.model_validate(
        {
            "metadata": {"name": "dev"},
            "spec": {
                "namespace": "garden-dev",
                "members": [
                    {
                        "apiGroup": "rbac.authorization.k8s.io",
                        "kind": "User",
                        "name": "alice",
                        "role": "admin",
                        "roles": ["uam"],
                    }
                ],
                "tolerations": {"whitelist": [{"key": "seed.gardener.cloud/protected"}]},
            },
            "status": {"phase": "Ready", "observedGeneration": 1},
        }
    )

    assert project.spec.members is not None
    assert (project.spec.members[0].name, project.spec.members[0].role) == ("alice", "admin")
    assert project.status is not None
    assert project.status.phase == "Ready"


def test_quota_metrics_keep_dotted_resource_names() -> None:
    document = {
        "apiVersion": "core.gardener.cloud/v1beta1",
        "kind": "Quota",
        "metadata": {"name": "trial", "namespace": "garden-trial"},
        "spec": {
            "scope": {"apiVersion": "core.gardener.cloud/v1beta1", "kind": "Project"},
            "clusterLifetimeDays": 14,
            "metrics": {"cpu": "200", "storage.standard": "8000Gi", "loadbalancer": 100},
        },
    }

    quota = Quota.model_validate(document)

    assert quota.spec.metrics["storage.standard"] == "8000Gi"
    assert quota.to_wire() == document
