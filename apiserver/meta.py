"""Object metadata rules: names, labels, timestamps, generation and the system fields a client cannot set.

Called by ``apiserver.service`` on every write.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import secrets
import uuid
from typing import Any

from apiserver.errors import Cause

JSON = dict[str, Any]

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
SYSTEM_FIELDS = ("uid", "creationTimestamp", "generation", "deletionTimestamp", "deletionGracePeriodSeconds")
TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024

# ObjectMeta's fields and the Go types their JSON must decode into ("time": metav1.Time, a string or null).
_STRING_FIELDS = ("name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "creationTimestamp",
                  "deletionTimestamp")
_INT_FIELDS = ("generation", "deletionGracePeriodSeconds")
_MAP_FIELDS = ("labels", "annotations")
_OWNER_STRINGS = ("apiVersion", "kind", "name", "uid")
_OWNER_BOOLS = ("controller", "blockOwnerDeletion")
_MANAGED_STRINGS = ("manager", "operation", "apiVersion", "time", "fieldsType", "subresource")
_GO_TYPES = {"generation": "int64", "deletionGracePeriodSeconds": "int64", "labels": "map[string]string",
             "annotations": "map[string]string", "finalizers": "[]string", "ownerReferences": "[]v1.OwnerReference",
             "managedFields": "[]v1.ManagedFieldsEntry", "creationTimestamp": "v1.Time",
             "deletionTimestamp": "v1.Time"}


def now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_uid() -> str:
    return str(uuid.uuid4())


def generated_name(prefix: str) -> str:
    alphabet = "bcdfghjklmnpqrstvwxz2456789"
    return prefix + "".join(secrets.choice(alphabet) for _ in range(5))


def name_problems(name: str, *, label: bool) -> list[str]:
    """Why ``name`` is not a valid DNS-1123 label (namespaces) or subdomain (everything else)."""
    if not name:
        return ["Required value: name or generateName is required"]
    limit, pattern = (63, _DNS_LABEL) if label else (253, _DNS_SUBDOMAIN)
    problems = []
    if len(name) > limit:
        problems.append(f"must be no more than {limit} characters")
    if not pattern.match(name):
        what = "RFC 1123 label" if label else "lowercase RFC 1123 subdomain"
        problems.append(
            f"a {what} must consist of lower case alphanumeric characters, '-'"
            + ("" if label else " or '.'")
            + ", and must start and end with an alphanumeric character"
        )
    return [f'Invalid value: "{name}": {p}' for p in problems] if problems and name else problems


def _key_problem(key: str) -> str | None:
    prefix, _, name = key.rpartition("/")
    if prefix and (len(prefix) > 253 or not _DNS_SUBDOMAIN.match(prefix)):
        return "prefix part must be a lowercase RFC 1123 subdomain"
    if not name or len(name) > 63 or not _QUALIFIED_NAME.match(name):
        return (
            "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an"
            " alphanumeric character (at most 63 characters)"
        )
    return None


def metadata_causes(meta: JSON) -> list[Cause]:
    """Label and annotation keys and label values that Kubernetes would refuse."""
    causes = []
    labels = meta.get("labels") or {}
    for key, value in labels.items():
        problem = _key_problem(key)
        if problem:
            causes.append(Cause(field="metadata.labels", message=f'Invalid value: "{key}": {problem}'))
        if not isinstance(value, str) or len(value) > 63 or not _LABEL_VALUE.match(value):
            causes.append(
                Cause(
                    field="metadata.labels",
                    message=f'Invalid value: "{value}": a valid label must be an empty string or consist of'
                    " alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric"
                    " character (at most 63 characters)",
                )
            )
    for key in (meta.get("annotations") or {}):
        problem = _key_problem(key)
        if problem:
            causes.append(Cause(field="metadata.annotations", message=f'Invalid value: "{key}": {problem}'))
    return causes + annotation_size_causes(meta)


def json_type(value: Any) -> str:
    """The JSON type of a value, as Go's decoding errors name it."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else "null"


def type_problem(md: Any) -> tuple[str, str, str] | None:
    """The first metadata field whose JSON cannot decode into ObjectMeta: (field path, Go type, JSON type found).

    ``null`` is accepted everywhere, as Go decodes it to the zero value."""
    if not isinstance(md, dict):
        return "metadata", "v1.ObjectMeta", json_type(md)
    for key, value in md.items():
        if value is None:
            continue
        field = f"metadata.{key}"
        if key in _STRING_FIELDS and not isinstance(value, str):
            return field, _GO_TYPES.get(key, "string"), json_type(value)
        if key in _INT_FIELDS and (isinstance(value, bool) or not isinstance(value, int)):
            return field, "int64", json_type(value)
        if key in _MAP_FIELDS:
            problem = _string_map_problem(field, value)
            if problem:
                return problem
        if key == "finalizers":
            problem = _list_problem(field, value, "[]string", lambda item: isinstance(item, str), "string")
            if problem:
                return problem
        if key == "ownerReferences":
            problem = _objects_problem(field, value, "v1.OwnerReference", _OWNER_STRINGS, _OWNER_BOOLS)
            if problem:
                return problem
        if key == "managedFields":
            problem = _objects_problem(field, value, "v1.ManagedFieldsEntry", _MANAGED_STRINGS, ())
            if problem:
                return problem
    return None


def _string_map_problem(field: str, value: Any) -> tuple[str, str, str] | None:
    if not isinstance(value, dict):
        return field, "map[string]string", json_type(value)
    for item in value.values():
        if not isinstance(item, str):
            return field, "string", json_type(item)
    return None


def _list_problem(field: str, value: Any, go_type: str, ok: Any, item_type: str) -> tuple[str, str, str] | None:
    if not isinstance(value, list):
        return field, go_type, json_type(value)
    for item in value:
        if not ok(item):
            return field, item_type, json_type(item)
    return None


def _objects_problem(
    field: str, value: Any, go_type: str, strings: tuple[str, ...], bools: tuple[str, ...]
) -> tuple[str, str, str] | None:
    problem = _list_problem(field, value, f"[]{go_type}", lambda item: isinstance(item, dict), go_type)
    if problem:
        return problem
    for item in value:
        for key in strings:
            if item.get(key) is not None and not isinstance(item[key], str):
                return f"{field}.{key}", "string", json_type(item[key])
        for key in bools:
            if item.get(key) is not None and not isinstance(item[key], bool):
                return f"{field}.{key}", "bool", json_type(item[key])
    return None


def annotation_size_causes(meta: JSON) -> list[Cause]:
    """Kubernetes' limit on all annotations together (keys and values, in bytes)."""
    annotations = meta.get("annotations") or {}
    total = sum(len(k.encode()) + len(v.encode()) for k, v in annotations.items())
    if total <= TOTAL_ANNOTATION_SIZE_LIMIT:
        return []
    return [Cause(field="metadata.annotations", reason="FieldValueTooLong",
                  message=f"Too long: must have at most {TOTAL_ANNOTATION_SIZE_LIMIT} bytes")]


def content(obj: JSON) -> JSON:
    """The object without metadata and status: what ``generation`` counts changes of."""
    return {k: v for k, v in obj.items() if k not in ("metadata", "status", "apiVersion", "kind")}


def same_ignoring_rv(a: JSON, b: JSON) -> bool:
    a2, b2 = copy.copy(a), copy.copy(b)
    a2["metadata"] = {k: v for k, v in a.get("metadata", {}).items() if k != "resourceVersion"}
    b2["metadata"] = {k: v for k, v in b.get("metadata", {}).items() if k != "resourceVersion"}
    return a2 == b2
