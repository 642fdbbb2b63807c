"""The size limits Kubernetes puts on requests and objects, and the per-kind ones of ConfigMaps and Secrets.

``MAX_REQUEST_BODY_BYTES`` is enforced by ``apiserver.bodylimit`` on every request; ``object_causes`` is called by
``apiserver.service`` before every write (the total size of annotations is ``apiserver.meta``'s).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from apiserver.errors import Cause
from apiserver.registry import ResourceType

JSON = dict[str, Any]

MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024
# core.MaxSecretSize: the data of a ConfigMap or of a Secret, all keys together.
MAX_DATA_BYTES = 1024 * 1024


def object_causes(rt: ResourceType, obj: JSON) -> list[Cause]:
    """Why ``obj`` is too large for its kind: ConfigMap ``data`` + ``binaryData``, Secret ``data``, decoded."""
    if rt.group != "" or rt.kind not in ("ConfigMap", "Secret"):
        return []
    if rt.kind == "Secret":
        total = sum(_decoded_size(v) for v in _strings(obj.get("data")))
        field = "data"
    else:
        total = sum(len(v.encode()) for v in _strings(obj.get("data")))
        total += sum(_decoded_size(v) for v in _strings(obj.get("binaryData")))
        field = "[]"  # the whole object, as ValidateConfigMap reports it
    if total <= MAX_DATA_BYTES:
        return []
    return [Cause(field=field, reason="FieldValueTooLong",
                  message=f"Too long: must have at most {MAX_DATA_BYTES} bytes")]


def _strings(data: Any) -> list[str]:
    return [v for v in data.values() if isinstance(v, str)] if isinstance(data, dict) else []


def _decoded_size(value: str) -> int:
    try:
        return len(base64.b64decode(value, validate=True))
    except (binascii.Error, ValueError):
        return len(value)
