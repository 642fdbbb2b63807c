"""Validate objects against the Kubernetes OpenAPI schemas bundled with ``kubernetes-validate``, strictly (unknown
fields are errors), with one validator per (version, kind) kept across calls.

``kubernetes_validate.validate`` reads its 2 MB definitions file on every call; the control-plane tests validate
hundreds of objects, so they use ``validate`` here, which gives the same verdicts on the same schemas.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import jsonschema
import kubernetes_validate
from kubernetes_validate import utils
from referencing import Registry, Resource


@functools.cache
def _validator(version: str, kind: str, api_version: str) -> jsonschema.protocols.Validator:
    schema_version = [v for v in utils.all_versions() if utils.major_minor(v) <= utils.major_minor(version)][-1]
    directory = f"kubernetes-json-schema/v{schema_version}-local-strict"
    group = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    schema = utils.schema_contents(f"{directory}/{kind.lower()}-{group}.json", version)
    definitions = utils.schema_contents(f"{directory}/_definitions.json", version)
    registry: Registry[Any] = Resource.from_contents(definitions) @ (Resource.from_contents(schema) @ Registry())
    return jsonschema.validators.Draft202012Validator(schema, registry=registry)


def validate(obj: dict[str, Any], version: str) -> None:
    """Raise ``kubernetes_validate.ValidationError`` unless ``obj`` is a valid object of Kubernetes ``version``."""
    try:
        _validator(version, obj["kind"], obj["apiVersion"]).validate(obj)
    except jsonschema.ValidationError as exc:
        raise kubernetes_validate.ValidationError(exc, version=utils.major_minor(version)) from exc
