"""Kubernetes' own core kinds that every hortus API server serves: Namespace, Secret and ConfigMap.

Registered by the garden's app factory and the local seed cluster (which adds many more); their schemas
prune unknown fields the way the real API server's typed decoding does.
"""

from __future__ import annotations

import base64
import binascii
import copy
from typing import Any

from apiserver import errors
from apiserver.errors import Cause
from apiserver.registry import PrinterColumn, ResourceType
from apiserver.schema import list_merged_by

JSON = dict[str, Any]

_STRING_MAP: JSON = {"type": "object", "additionalProperties": {"type": "string"}}
_CONDITIONS: JSON = {"type": "array", "items": {"type": "object", "properties": {
    "type": {"type": "string"}, "status": {"type": "string"}, "reason": {"type": "string"},
    "message": {"type": "string"}, "lastTransitionTime": {"type": "string"}}}, **list_merged_by("type")}

def _object_schema(**properties: JSON) -> JSON:
    """A closed object schema: apiVersion, kind, metadata and ``properties``."""
    return {"type": "object", "properties": {
        "apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"}, **properties}}


NAMESPACE_SCHEMA = _object_schema(
    spec={"type": "object", "properties": {"finalizers": {"type": "array", "items": {"type": "string"},
                                                          "x-kubernetes-list-type": "atomic"}}},
    status={"type": "object", "properties": {"phase": {"type": "string"}, "conditions": _CONDITIONS}},
)
SECRET_SCHEMA = _object_schema(data=_STRING_MAP, stringData=_STRING_MAP, type={"type": "string"},
                               immutable={"type": "boolean"})
CONFIGMAP_SCHEMA = _object_schema(data=_STRING_MAP, binaryData=_STRING_MAP, immutable={"type": "boolean"})


def normalize_namespace(obj: JSON) -> JSON:
    out = copy.deepcopy(obj)
    spec = out.setdefault("spec", {})
    if "finalizers" not in spec:
        spec["finalizers"] = ["kubernetes"]
    status = out.setdefault("status", {})
    status["phase"] = "Terminating" if out["metadata"].get("deletionTimestamp") else "Active"
    return out


def normalize_secret(obj: JSON) -> JSON:
    """Fold ``stringData`` into base64 ``data`` and check that ``data`` values are base64, as Kubernetes does."""
    out = copy.deepcopy(obj)
    data = dict(out.get("data") or {})
    for key, value in (out.pop("stringData", None) or {}).items():
        data[key] = base64.b64encode(str(value).encode()).decode()
    causes = []
    for key, value in data.items():
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            causes.append(Cause(field=f"data[{key}]", message="Invalid value: illegal base64 data"))
    if causes:
        raise errors.invalid("Secret", out["metadata"].get("name", ""), causes)
    if data:
        out["data"] = data
    out.setdefault("type", "Opaque")
    return out


NAMESPACE = ResourceType(
    group="", version="v1", kind="Namespace", plural="namespaces", namespaced=False, short_names=("ns",),
    subresources=("status", "finalize"), schema=NAMESPACE_SCHEMA, normalize=normalize_namespace,
    field_selectors={"status.phase": "status.phase"},
    printer_columns=(PrinterColumn(name="Status", path=".status.phase"),
                     PrinterColumn(name="Age", path=".metadata.creationTimestamp", type="date")),
)

SECRET = ResourceType(
    group="", version="v1", kind="Secret", plural="secrets", namespaced=True, schema=SECRET_SCHEMA,
    normalize=normalize_secret, sensitive=True, field_selectors={"type": "type"},
    printer_columns=(PrinterColumn(name="Type", path=".type"),
                     PrinterColumn(name="Data", path=".data", type="integer", description="number of keys"),
                     PrinterColumn(name="Age", path=".metadata.creationTimestamp", type="date")),
)

CONFIGMAP = ResourceType(
    group="", version="v1", kind="ConfigMap", plural="configmaps", namespaced=True, short_names=("cm",),
    schema=CONFIGMAP_SCHEMA,
    printer_columns=(PrinterColumn(name="Data", path=".data", type="integer", description="number of keys"),
                     PrinterColumn(name="Age", path=".metadata.creationTimestamp", type="date")),
)
