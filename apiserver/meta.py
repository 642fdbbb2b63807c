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


def path_segment_problems(name: str) -> list[str]:
    """Why ``name`` cannot be a path segment (Kubernetes' ``ValidatePathSegmentName``, used for RBAC kinds)."""
    if not name:
        return ["Required value: name or generateName is required"]
    if name in (".", ".."):
        return [f'Invalid value: "{name}": may not be \'{name}\'']
    return [f'Invalid value: "{name}": may not contain \'{c}\'' for c in ("/", "%") if c in name]


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
    return causes


def content(obj: JSON) -> JSON:
    """The object without metadata and status: what ``generation`` counts changes of."""
    return {k: v for k, v in obj.items() if k not in ("metadata", "status", "apiVersion", "kind")}


def same_ignoring_rv(a: JSON, b: JSON) -> bool:
    a2, b2 = copy.copy(a), copy.copy(b)
    a2["metadata"] = {k: v for k, v in a.get("metadata", {}).items() if k != "resourceVersion"}
    b2["metadata"] = {k: v for k, v in b.get("metadata", {}).items() if k != "resourceVersion"}
    return a2 == b2
