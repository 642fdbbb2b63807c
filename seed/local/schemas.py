"""The built-in kinds' schemas, read from ``schemas.json`` (written offline by ``seed.local.gen_schemas``).

Called by ``seed.local.kinds`` when it builds the ResourceTypes. References are resolved to shared dicts, so
the PodSpec under Deployment, ReplicaSet, StatefulSet and DaemonSet is held in memory once.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

JSON = dict[str, Any]
_PREFIX = "#/definitions/"


@functools.cache
def _document() -> JSON:
    text = resources.files("seed.local").joinpath("schemas.json").read_text(encoding="utf-8")
    doc: JSON = json.loads(text)
    return doc


def kind_schema(api_version: str, kind: str) -> JSON:
    """The resolved schema of ``kind`` (KeyError for a kind the file does not hold)."""
    doc = _document()
    model = doc["kinds"][f"{api_version}/{kind}"]
    return definition(model)


@functools.cache
def definition(name: str) -> JSON:
    """One model's schema with every ``$ref`` replaced by the (shared) referenced schema."""
    resolved: JSON = _resolve(_document()["definitions"][name])
    return resolved


def _resolve(node: Any) -> Any:
    if isinstance(node, list):
        return [_resolve(item) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str):
        target = definition(ref.removeprefix(_PREFIX))
        siblings = {k: v for k, v in node.items() if k != "$ref"}  # patch strategy tags beside a reference
        return {**target, **siblings} if siblings else target
    return {key: _resolve(value) for key, value in node.items()}
