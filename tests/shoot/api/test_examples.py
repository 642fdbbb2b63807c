"""Gardener's own example manifests load into the typed models and dump back to the same document.

The examples are verbatim Gardener YAML (Apache-2.0), kept in ``tests/data/gardener-examples``.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from shoot.api import ALL_KINDS, Shoot, model_for

EXAMPLES = Path(__file__).resolve().parents[2] / "data" / "gardener-examples"


class KubectlLoader(yaml.SafeLoader):
    """YAML as kubectl reads it: unquoted timestamps stay strings (sigs.k8s.io/yaml converts to JSON)."""


KubectlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

# Templates whose placeholders sit where Gardener expects an object (a RawExtension), not a string.
PLACEHOLDER_OBJECTS: dict[tuple[str, str], list[tuple[str, ...]]] = {
    ("30-cloudprofile.yaml", "CloudProfile"): [("spec", "providerConfig")],
    ("90-shoot.yaml", "Shoot"): [
        ("spec", "provider", "infrastructureConfig"),
        ("spec", "provider", "controlPlaneConfig"),
    ],
}


def _documents() -> list[tuple[str, dict[str, Any]]]:
    if EXAMPLES is None:
        return []
    found = []
    for path in sorted(EXAMPLES.rglob("*.yaml")):
        for document in yaml.load_all(path.read_text(), Loader=KubectlLoader):
            if document and model_for(document["apiVersion"], document["kind"]) is not None:
                found.append((str(path.relative_to(EXAMPLES)), document))
    return found


DOCUMENTS = _documents()


def _without_nulls(value: Any) -> Any:
    # A key whose YAML value is only comments reads as null; the API drops it like an unset field.
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def _filled(name: str, document: dict[str, Any]) -> dict[str, Any]:
    filled = copy.deepcopy(document)
    for path in PLACEHOLDER_OBJECTS.get((Path(name).name, document["kind"]), []):
        parent = filled
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = {"apiVersion": "example.provider/v1alpha1", "kind": "Config", "placeholder": True}
    return filled


def _case_id(case: tuple[str, dict[str, Any]]) -> str:
    name, document = case
    return f"{name}:{document['kind']}:{document['metadata'].get('name')}"


def test_examples_cover_every_gardener_kind_but_workload_identity() -> None:
    kinds = {document["kind"] for _, document in DOCUMENTS}
    assert kinds == {info.kind for info, _ in ALL_KINDS} - {"WorkloadIdentity"}


@pytest.mark.parametrize("case", DOCUMENTS, ids=[_case_id(case) for case in DOCUMENTS])
def test_example_round_trips_to_the_same_document(case: tuple[str, dict[str, Any]]) -> None:
    name, document = case
    document = _filled(name, document)
    model = model_for(document["apiVersion"], document["kind"])
    assert model is not None

    loaded = model.model_validate(document)

    assert loaded.model_dump(by_alias=True, exclude_none=True, mode="json") == _without_nulls(document)


@pytest.mark.parametrize("case", sorted(PLACEHOLDER_OBJECTS))
def test_template_fails_only_where_a_placeholder_replaces_an_object(case: tuple[str, str]) -> None:
    file_name, kind = case
    [document] = [doc for name, doc in DOCUMENTS if Path(name).name == file_name and doc["kind"] == kind]
    model = model_for(document["apiVersion"], kind)
    assert model is not None

    with pytest.raises(ValidationError) as caught:
        model.model_validate(document)

    failing = {tuple(error["loc"]) for error in caught.value.errors()}
    assert failing == set(PLACEHOLDER_OBJECTS[case])


def test_local_shoot_keeps_worker_numbers_and_kubelet_settings() -> None:
    [document] = [doc for name, doc in DOCUMENTS if name == "provider-local/shoot.yaml"]
    shoot = Shoot.model_validate(document)

    assert shoot.spec.provider.workers is not None
    [worker] = shoot.spec.provider.workers
    assert (worker.minimum, worker.maximum, worker.max_surge, worker.max_unavailable) == (1, 2, 1, 0)
    assert shoot.spec.kubernetes is not None
    assert shoot.spec.kubernetes.kubelet is not None
    assert shoot.spec.kubernetes.kubelet.registry_pull_qps == 10
