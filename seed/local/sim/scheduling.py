"""Where a Pod may run: the default scheduler's filters that matter in a simulation, as pure functions.

Used by ``seed.local.sim.kubelet`` (binding) and ``seed.local.sim.daemonsets`` (which Nodes want a daemon Pod):
ready Nodes, ``nodeSelector``, required node affinity (labels and ``metadata.name`` fields), taints against
tolerations, and ``spec.unschedulable``.
"""

from __future__ import annotations

from typing import Any

from seed.local.sim import nodes

JSON = dict[str, Any]
UNSCHEDULABLE_TAINT = {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}


def feasible(pod_spec: JSON, node: JSON) -> bool:
    """Whether a Pod with ``pod_spec`` fits ``node`` (resources are not counted: the simulation has plenty)."""
    if not nodes.ready(node):
        return False
    labels = node["metadata"].get("labels") or {}
    if any(labels.get(k) != v for k, v in (pod_spec.get("nodeSelector") or {}).items()):
        return False
    if not _affinity_allows(pod_spec, node):
        return False
    spec = node.get("spec") or {}
    taints = list(spec.get("taints") or []) + ([UNSCHEDULABLE_TAINT] if spec.get("unschedulable") else [])
    tolerations = pod_spec.get("tolerations") or []
    return all(_tolerated(t, tolerations) for t in taints if t.get("effect") in ("NoSchedule", "NoExecute"))


def _affinity_allows(pod_spec: JSON, node: JSON) -> bool:
    required = (((pod_spec.get("affinity") or {}).get("nodeAffinity") or {})
                .get("requiredDuringSchedulingIgnoredDuringExecution") or {})
    terms = required.get("nodeSelectorTerms") or []
    return not terms or any(_term_matches(term, node) for term in terms)


def _term_matches(term: JSON, node: JSON) -> bool:
    labels = node["metadata"].get("labels") or {}
    fields = {"metadata.name": node["metadata"]["name"]}
    expressions = term.get("matchExpressions") or []
    field_expressions = term.get("matchFields") or []
    if not expressions and not field_expressions:
        return False  # an empty term matches no objects
    return (all(requirement_matches(e, labels) for e in expressions)
            and all(requirement_matches(e, fields) for e in field_expressions))


def requirement_matches(expr: JSON, values: dict[str, str]) -> bool:
    """A ``NodeSelectorRequirement``: In, NotIn, Exists, DoesNotExist, Gt, Lt."""
    key, op, wanted = expr.get("key", ""), expr.get("operator"), [str(v) for v in expr.get("values") or []]
    present, value = key in values, values.get(key)
    if op == "In":
        return present and value in wanted
    if op == "NotIn":
        return not present or value not in wanted
    if op == "Exists":
        return present
    if op == "DoesNotExist":
        return not present
    if op in ("Gt", "Lt") and present and len(wanted) == 1:
        try:
            left, right = int(str(value)), int(wanted[0])
        except ValueError:
            return False
        return left > right if op == "Gt" else left < right
    return False


def _tolerated(taint: JSON, tolerations: list[JSON]) -> bool:
    for tol in tolerations:
        if tol.get("effect") and tol.get("effect") != taint.get("effect"):
            continue
        if tol.get("operator") == "Exists" and (not tol.get("key") or tol.get("key") == taint.get("key")):
            return True
        if tol.get("key") == taint.get("key") and tol.get("value", "") == taint.get("value", ""):
            return True
    return False
