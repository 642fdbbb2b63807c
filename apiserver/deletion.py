"""What a delete does to an object: remove it now, or mark it with a deletionTimestamp and let finalizers hold it.

Called by ``apiserver.service.ResourceService`` on DELETE (``marked``, ``check_preconditions``) and on every update
(``finalized``: the last finalizer removed lets the object go). Covers metadata finalizers, the namespace's
``spec.finalizers``, the garbage collector's foreground/orphan finalizers and the graceful deletion of Pods.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from apiserver import errors, meta
from apiserver.registry import ResourceType

JSON = dict[str, Any]


def marked(rt: ResourceType, old: JSON, options: JSON, *, gc_enabled: bool, graceful: bool) -> JSON | None:
    """The object marked for deletion when finalizers hold it, or None when it can go now.

    ``gc_enabled``: a garbage collector carries out propagationPolicy Foreground and Orphan through finalizers.
    ``graceful``: the kind is deleted gracefully, as Pods are where a kubelet runs.
    """
    finalizers = list(old["metadata"].get("finalizers") or [])
    policy = _propagation_finalizer(options) if gc_enabled else None
    if policy and not old["metadata"].get("deletionTimestamp") and policy not in finalizers:
        finalizers.append(policy)
    grace = _grace_period(old, options) if graceful else 0
    if grace and not finalizers:
        return _gracefully_marked(old, grace)
    if _spec_finalizers(rt, old):
        new = copy.deepcopy(old)
        _stamp(new["metadata"])
        return rt.normalize(new) if rt.normalize else new
    if not finalizers:
        return None
    new = copy.deepcopy(old)
    new["metadata"]["finalizers"] = finalizers
    _stamp(new["metadata"])
    return new


def finalized(rt: ResourceType, new: JSON) -> bool:
    """Whether an object being deleted has lost its last finalizer, so an update deletes it instead."""
    md = new["metadata"]
    return bool(md.get("deletionTimestamp")) and not md.get("finalizers") and not _spec_finalizers(rt, new)


def check_preconditions(rt: ResourceType, old: JSON, pre: JSON) -> None:
    md = old["metadata"]
    if pre.get("uid") and pre["uid"] != md.get("uid"):
        raise errors.conflict(rt.qualified, md["name"], f"Precondition failed: UID in precondition: {pre['uid']}, "
                              f"UID in object meta: {md.get('uid')}")
    if pre.get("resourceVersion") and pre["resourceVersion"] != md.get("resourceVersion"):
        raise errors.conflict(rt.qualified, md["name"], "Precondition failed: ResourceVersion in precondition: "
                              f"{pre['resourceVersion']}, ResourceVersion in meta: {md.get('resourceVersion')}")


def _stamp(md: JSON) -> None:
    md.setdefault("deletionTimestamp", meta.now())
    md.setdefault("deletionGracePeriodSeconds", 0)


def _propagation_finalizer(options: JSON) -> str | None:
    """The finalizer through which the garbage collector carries out a delete's propagationPolicy."""
    policy = options.get("propagationPolicy")
    if policy is None and options.get("orphanDependents") is not None:
        policy = "Orphan" if options["orphanDependents"] else "Background"
    return {"Foreground": "foregroundDeletion", "Orphan": "orphan"}.get(str(policy))


def _grace_period(obj: JSON, options: JSON) -> int:
    """Seconds a Pod is given to stop: 0 when no kubelet runs it (unbound or finished), as Kubernetes does."""
    spec, md = obj.get("spec") or {}, obj["metadata"]
    if not spec.get("nodeName") or (obj.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
        return 0
    wanted = options.get("gracePeriodSeconds")
    grace = wanted if isinstance(wanted, int) else spec.get("terminationGracePeriodSeconds", 30)
    current = md.get("deletionGracePeriodSeconds")
    if md.get("deletionTimestamp") and isinstance(current, int) and current <= grace:
        return -1  # already terminating with a grace period at most as long: nothing changes
    return max(int(grace), 0)


def _gracefully_marked(old: JSON, grace: int) -> JSON:
    if grace < 0:
        return old
    new = copy.deepcopy(old)
    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=grace)
    new["metadata"]["deletionTimestamp"] = deadline.strftime("%Y-%m-%dT%H:%M:%SZ")
    new["metadata"]["deletionGracePeriodSeconds"] = grace
    return new


def _spec_finalizers(rt: ResourceType, obj: JSON) -> list[str]:
    """Namespaces are also held by ``spec.finalizers`` (the namespace controller's ``kubernetes``)."""
    if rt.group == "" and rt.plural == "namespaces":
        return list((obj.get("spec") or {}).get("finalizers") or [])
    return []
