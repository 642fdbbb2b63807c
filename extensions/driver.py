"""Gardener's generic extension reconciler, condensed into one synchronous call: ``run(registration, ctx, obj)``.

Called by the seed agent's flow steps (``seed.flows``) and by the conformance kit. It installs the
``extensions.gardener.cloud`` CRDs and the ``Cluster`` object on the seed, writes the extension object (kind
``obj.kind`` in ``ctx.namespace``, with its finalizer), records ``lastOperation`` Processing, calls the actuator for
``ctx.operation`` and records the outcome — ``lastOperation``, ``providerStatus``, ``state``, the kind's own status
fields, ``conditions``, ``observedGeneration``, no ``lastError`` — and returns the object as stored. A failure is
recorded as ``lastError`` (with Gardener's codes) and ``lastOperation`` Error, then re-raised as it was. Delete runs
the actuator's delete, then lets the object go; Migrate leaves the object (and its ``state``) without finalizer.
"""

from __future__ import annotations

import contextlib
import dataclasses
import weakref
from typing import Any

from extensions import crds, status, validation
from extensions.contract import API_VERSION, JSON, Api, Context, ExtensionObject, Kind, Operation, Outcome, Registration
from shoot import errors
from shoot.errors import ErrorCode

# The common status fields the driver owns; an actuator's kind-specific fields may not replace them.
OWNED = frozenset({"lastOperation", "lastError", "observedGeneration", "providerStatus", "state", "conditions"})
_installed: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


def finalizer(kind: str) -> str:
    return f"extensions.gardener.cloud/{kind.lower()}"


def run(registration: Registration, ctx: Context, obj: ExtensionObject) -> ExtensionObject:
    """Do ``ctx.operation`` to ``obj`` with ``registration``'s actuator; the object with its new status."""
    if (registration.kind, registration.type) != (obj.kind, obj.type):
        raise errors.PermanentError(f"{registration.id} cannot handle {obj.kind}/{obj.type} {obj.name}")
    install_crds(ctx.seed, obj.kind)
    apply_cluster(ctx)
    if ctx.operation is Operation.DELETE:
        return _delete(registration, ctx, obj)
    live = _apply_object(ctx.seed, obj)
    current = _as_object(obj.kind, live)
    if ctx.operation is Operation.RESTORE and obj.state and not current.state:
        # The destination seed starts from the state the source seed recorded (saved in the garden).
        live = _write_status(ctx.seed, live, {**current.status, "state": obj.state})
        current = _as_object(obj.kind, live)
    operation = _operation_type(ctx.operation, current)
    live = _write_status(ctx.seed, live, {**current.status, "lastOperation": status.last_operation(
        operation, status.PROCESSING, kind=obj.kind)})
    current = _as_object(obj.kind, live)
    try:
        if operation is not Operation.MIGRATE:
            _validate(registration, current)
        outcome = _call(registration, ctx, current)
    except Exception as exc:
        _record_error(ctx.seed, live, operation, exc, kind=obj.kind)
        raise
    live = _write_status(ctx.seed, live, _succeeded(current, outcome, operation, live))
    if operation is Operation.MIGRATE:
        live = _drop_finalizer(ctx.seed, live) or live
    return _as_object(obj.kind, live)


def health(registration: Registration, ctx: Context, obj: ExtensionObject) -> list[JSON]:
    """The actuator's current health conditions, recorded in the stored object's ``status.conditions``."""
    conditions = registration.actuator.health(ctx, obj)
    live = ctx.seed.get(API_VERSION, obj.kind, obj.name, namespace=_namespace(obj))
    if live is not None and conditions:
        _write_status(ctx.seed, live, {**(live.get("status") or {}), "conditions": conditions})
    return conditions


def install_crds(api: Api, kind: str) -> None:
    """The CRDs of ``kind`` and ``Cluster`` on the cluster ``api`` speaks to (checked once per client)."""
    try:
        done = _installed.setdefault(api, set())
    except TypeError:  # an Api that cannot be weakly referenced: no memo
        done = set()
    wanted = [k for k in (kind, crds.CLUSTER) if k not in done]
    if wanted:
        crds.ensure(api, wanted)
        done.update(wanted)


def apply_cluster(ctx: Context) -> JSON:
    """Gardener's ``Cluster`` object (named after the shoot namespace): the context an extension may read."""
    body = {"apiVersion": API_VERSION, "kind": crds.CLUSTER, "metadata": {"name": ctx.namespace},
            "spec": {"shoot": ctx.cluster.shoot, "cloudProfile": ctx.cluster.cloud_profile, "seed": ctx.cluster.seed}}
    return _apply_exact(ctx.seed, body)


# --- the object ----------------------------------------------------------------------------------------------


def _namespace(obj: ExtensionObject) -> str | None:
    return obj.namespace if crds.NAMES[obj.kind].namespaced else None


def _apply_object(api: Api, obj: ExtensionObject) -> JSON:
    md: JSON = {"name": obj.name, "finalizers": [finalizer(obj.kind)]}
    if (namespace := _namespace(obj)) is not None:
        md["namespace"] = namespace
    live = api.get(API_VERSION, obj.kind, obj.name, namespace=_namespace(obj))
    if live is not None:
        others = [f for f in live["metadata"].get("finalizers") or [] if f != finalizer(obj.kind)]
        md["finalizers"] = [*others, finalizer(obj.kind)]
        if live["metadata"].get("deletionTimestamp"):
            raise errors.TemporaryError(f"{obj.kind} {obj.name} is being deleted; it is created again once gone")
    return _apply_exact(api, {"apiVersion": API_VERSION, "kind": obj.kind, "metadata": md, "spec": obj.spec},
                        live=live)


def _apply_exact(api: Api, body: JSON, *, live: JSON | None = None) -> JSON:
    """Apply ``body`` so that the stored spec equals its spec: keys the stored spec has beyond it are removed."""
    md = body["metadata"]
    if live is None:
        live = api.get(body["apiVersion"], body["kind"], md["name"], namespace=md.get("namespace"))
    if live is not None:
        body = {**body, "spec": status.merge_patch(live.get("spec") or {}, body["spec"])}
    return api.apply(body)


def _drop_finalizer(api: Api, live: JSON) -> JSON | None:
    """Let the object go (or stay without our finalizer); the object afterwards, None when it is gone."""
    md = live["metadata"]
    kept = [f for f in md.get("finalizers") or [] if f != finalizer(live["kind"])]
    if kept == (md.get("finalizers") or []):
        return live
    body: JSON = {"apiVersion": live["apiVersion"], "kind": live["kind"],
                  "metadata": {"name": md["name"], "finalizers": kept}}
    if md.get("namespace"):
        body["metadata"]["namespace"] = md["namespace"]
    try:
        api.apply(body)
    except errors.PermanentError:
        if api.get(live["apiVersion"], live["kind"], md["name"], namespace=md.get("namespace")) is None:
            return None  # gone as its last finalizer went: the patch found nothing to answer with
        raise
    return api.get(live["apiVersion"], live["kind"], md["name"], namespace=md.get("namespace"))


def _as_object(kind: Kind, live: JSON) -> ExtensionObject:
    md = live["metadata"]
    return ExtensionObject(kind=kind, name=md["name"], namespace=md.get("namespace") or "",
                           spec=live.get("spec") or {}, status=live.get("status") or {})


# --- the operation -------------------------------------------------------------------------------------------


def _operation_type(requested: Operation, obj: ExtensionObject) -> Operation:
    """Gardener's ``ComputeOperationType``: Create until a first create succeeded, then Reconcile."""
    if requested not in (Operation.CREATE, Operation.RECONCILE):
        return requested
    last = obj.status.get("lastOperation") or {}
    if not last or (last.get("type") == Operation.CREATE and last.get("state") != status.SUCCEEDED):
        return Operation.CREATE
    return Operation.RECONCILE


def _validate(registration: Registration, obj: ExtensionObject) -> None:
    found = validation.provider_config_errors(registration, obj.spec.get("providerConfig"),
                                              path="spec.providerConfig")
    if found:
        raise errors.PermanentError("; ".join(str(e) for e in found), codes=[ErrorCode.CONFIGURATION_PROBLEM])


def _call(registration: Registration, ctx: Context, obj: ExtensionObject) -> Outcome:
    actuator, operation = registration.actuator, ctx.operation
    if operation is Operation.MIGRATE:
        return actuator.migrate(ctx, obj)
    if operation is Operation.RESTORE:
        return actuator.restore(ctx, obj)
    return actuator.reconcile(ctx, obj)


def _succeeded(obj: ExtensionObject, outcome: Outcome, operation: Operation, live: JSON) -> JSON:
    new: JSON = {k: v for k, v in obj.status.items() if k not in OWNED}
    new.update({k: v for k, v in outcome.status.items() if k not in OWNED})
    new["lastOperation"] = status.last_operation(operation, status.SUCCEEDED, kind=obj.kind)
    new["observedGeneration"] = live["metadata"].get("generation", 1)
    if outcome.provider_status is not None:
        new["providerStatus"] = outcome.provider_status
    state = outcome.state if outcome.state is not None else obj.status.get("state")
    if state is not None:
        new["state"] = state
    conditions = outcome.conditions or obj.status.get("conditions")
    if conditions:
        new["conditions"] = conditions
    return new


def _record_error(api: Api, live: JSON, operation: Operation, exc: Exception, *, kind: str) -> None:
    if isinstance(exc, errors.FlowError):
        description, codes = exc.message, exc.codes
    else:  # an actuator's bug: recorded like any failure, so the status never claims more than is true
        description, codes = f"internal error in the actuator: {type(exc).__name__}: {exc}", ()
    new = {**(live.get("status") or {}),
           "lastOperation": status.last_operation(operation, status.ERROR, kind=kind, description=description),
           "lastError": status.last_error(description, codes),
           "observedGeneration": live["metadata"].get("generation", 1)}
    # When the seed is unreachable too, the error itself is what the caller must see.
    with contextlib.suppress(errors.FlowError):
        _write_status(api, live, new)


def _write_status(api: Api, live: JSON, new: JSON) -> JSON:
    return api.apply_status({"apiVersion": live["apiVersion"], "kind": live["kind"],
                             "metadata": {k: v for k, v in live["metadata"].items() if k in ("name", "namespace")},
                             "status": new})


# --- delete --------------------------------------------------------------------------------------------------


def _delete(registration: Registration, ctx: Context, obj: ExtensionObject) -> ExtensionObject:
    namespace = _namespace(obj)
    live = ctx.seed.get(API_VERSION, obj.kind, obj.name, namespace=namespace)
    if live is None:
        # Nothing on the seed (never written, or removed by hand): what the actuator made outside may remain.
        registration.actuator.delete(ctx, obj)
        return dataclasses.replace(obj, status={**obj.status, "lastOperation": status.last_operation(
            Operation.DELETE, status.SUCCEEDED, kind=obj.kind)})
    if not live["metadata"].get("deletionTimestamp"):
        ctx.seed.delete(API_VERSION, obj.kind, obj.name, namespace=namespace)
        gone = live
        live = ctx.seed.get(API_VERSION, obj.kind, obj.name, namespace=namespace)
        if live is None:
            # It had no finalizer of ours: released by a migrate, there is nothing of it for this seed to clean up.
            return _as_object(obj.kind, gone)
    current = _as_object(obj.kind, live)
    if not current.state and obj.state:
        current = dataclasses.replace(current, status={**current.status, "state": obj.state})
    live = _write_status(ctx.seed, live, {**current.status, "lastOperation": status.last_operation(
        Operation.DELETE, status.PROCESSING, kind=obj.kind)})
    try:
        registration.actuator.delete(ctx, current)
    except Exception as exc:
        _record_error(ctx.seed, live, Operation.DELETE, exc, kind=obj.kind)
        raise
    done = {**(live.get("status") or {}), "lastOperation": status.last_operation(
        Operation.DELETE, status.SUCCEEDED, kind=obj.kind)}
    done.pop("lastError", None)
    live = _write_status(ctx.seed, live, done)
    _drop_finalizer(ctx.seed, live)
    return _as_object(obj.kind, live)
