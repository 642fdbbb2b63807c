"""Project static rules (rule 3 and members, owner, namespace; ``shoot.validation.project``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from shoot import validation

EXAMPLE = Path(__file__).parents[2] / "data" / "gardener-examples" / "05-project-dev.yaml"


def _project() -> dict[str, Any]:
    project: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text())
    return project


def _fields(project: dict[str, Any], old: dict[str, Any] | None = None) -> list[str]:
    return [error.field for error in validation.validate_project(project, old=old)]


def _only(project: dict[str, Any], field: str, words: str, old: dict[str, Any] | None = None) -> None:
    found = validation.validate_project(project, old=old)
    assert [error.field for error in found] == [field], [str(error) for error in found]
    assert words in found[0].message


def test_accepts_the_example_project() -> None:
    assert _fields(_project()) == []
    assert _fields(_project(), old=_project()) == []


def test_rule_3_rejects_project_name_longer_than_10() -> None:
    project = _project()
    project["metadata"]["name"] = "development"
    project["spec"]["namespace"] = "garden-development"
    _only(project, "metadata.name", "may not be more than 10")


def test_rule_3_rejects_project_name_with_two_consecutive_hyphens() -> None:
    project = _project()
    project["metadata"]["name"] = "my--dev"
    del project["spec"]["namespace"]
    _only(project, "metadata.name", "two consecutive hyphens")


def test_rule_3_rejects_project_name_that_is_not_a_dns_subdomain() -> None:
    project = _project()
    project["metadata"]["name"] = "Dev"
    del project["spec"]["namespace"]
    _only(project, "metadata.name", "RFC 1123 subdomain")


def test_namespace_must_be_garden_dash_name() -> None:
    project = _project()
    project["spec"]["namespace"] = "garden-other"
    _only(project, "spec.namespace", "must be 'garden-dev'")


def test_namespace_is_immutable() -> None:
    old, new = _project(), _project()
    del old["spec"]["namespace"]
    assert _fields(new, old=old) == []
    new["spec"]["namespace"] = "garden"
    old["spec"]["namespace"] = "garden-dev"
    assert _fields(new, old=old) == ["spec.namespace", "spec.namespace"]


def test_rejects_unknown_member_role() -> None:
    project = _project()
    project["spec"]["members"][0]["roles"] = ["viewer", "superuser"]
    _only(project, "spec.members[0].roles[1]", 'Unsupported value: "superuser"')


def test_accepts_extension_roles_up_to_20_characters() -> None:
    project = _project()
    project["spec"]["members"][0]["roles"] = ["extension:" + "a" * 20]
    assert _fields(project) == []
    project["spec"]["members"][0]["roles"] = ["extension:" + "a" * 21]
    assert _fields(project) == ["spec.members[0].roles[0]"]


def test_rejects_duplicate_roles_and_members() -> None:
    project = _project()
    project["spec"]["members"][0]["roles"] = ["admin"]
    _only(project, "spec.members[0].roles[0]", 'Duplicate value: "admin"')
    project = _project()
    project["spec"]["members"].append(dict(project["spec"]["members"][0]))
    _only(project, "spec.members[2]", "Duplicate value")


def test_rejects_second_owner_member() -> None:
    project = _project()
    project["spec"]["members"][0]["role"] = "owner"
    _only(project, "spec.members[0]", "only the subject in spec.owner")
    del project["spec"]["owner"]
    project["spec"]["members"][1]["role"] = "owner"
    _only(project, "spec.members[1]", "more than one member having the owner role")


def test_requires_an_owner() -> None:
    project = _project()
    del project["spec"]["owner"]
    _only(project, "spec.owner", "exactly one owner")


@pytest.mark.parametrize(
    ("subject", "field"),
    [
        ({"kind": "Robot", "name": "x"}, "spec.members[0].kind"),
        ({"kind": "User", "name": "x", "apiGroup": "example.com"}, "spec.members[0].apiGroup"),
        ({"kind": "ServiceAccount", "name": "robot"}, "spec.members[0].namespace"),
    ],
)
def test_rejects_invalid_member_subjects(subject: dict[str, Any], field: str) -> None:
    project = _project()
    project["spec"]["members"][0] = {**subject, "role": "admin"}
    assert _fields(project) == [field]
