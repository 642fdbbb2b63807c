"""One run of a shoot's flow under its lock: build the context, run the steps, write what came of it.

Called by ``seed.agent.reconcile`` once it holds the shoot's lock. The outcome follows Gardener's state machine:
Succeeded (progress 100, lastErrors cleared, the health conditions checked at once); Processing while steps wait
(retried after the delay they ask for); Error with ``lastErrors`` (retried with backoff); Failed on a
non-retryable code or once the retry window has passed (no more retries until ``gardener.cloud/operation=retry``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from extensions.contract import Operation
from extensions.sdk.secrets import decoded
from seed.agent import care, metadata, status
from seed.agent.garden import GardenError
from seed.agent.lock import Holding
from seed.flow import engine, records
from seed.flow.context import ShootContext
from seed.flow.delete import delete_flow
from seed.flow.graph import Flow
from seed.flow.reconcile import reconcile_flow
from shoot import conditions, errors, operation, triggers

if TYPE_CHECKING:
    from seed.agent.reconcile import Agent

JSON = dict[str, Any]
log = logging.getLogger(__name__)
GARDEN_IDENTITY = "garden"


def run(agent: Agent, shoot: JSON, holding: Holding) -> str:
    op = operation.operation_type(shoot)
    if op == "Delete" and metadata.FINALIZER not in (shoot["metadata"].get("finalizers") or []):
        return "deleted"  # nothing of ours to clean up
    if op != "Delete":
        shoot = metadata.ensure_finalizer(agent.garden, shoot)
    flow = delete_flow() if op == "Delete" else reconcile_flow()
    now = agent.clock()
    current = shoot.get("status") or {}
    continuing = operation.continues(shoot, op)
    previous = records.carried_over([s.name for s in flow.steps], current.get("lastOperationSteps") or []) \
        if continuing else {}
    cycle_start = (conditions.parse_timestamp(current.get("retryCycleStartTime")) if continuing else None) or now
    ctx = context(agent, shoot, op=op, previous=previous)
    reporter = status.Reporter(agent.garden, shoot, op=op, flow=flow.name, lost=lambda: holding.lost,
                               clock=agent.clock)
    snapshot = list(previous.values()) or [records.StepRecord(s.name) for s in flow.steps]
    start = reporter.progress_status(snapshot)
    if not continuing:
        start["lastOperation"]["description"] = operation.started_description(op)
    start.update(_identity(agent, shoot, ctx, cycle_start=cycle_start))
    # A continued operation's status holds all of this already: its first step transition is the next write.
    reporter.start(None if continuing else start)
    try:
        result = engine.run(flow, ctx, previous=previous, on_change=reporter.update, fence=holding.check,
                            hook=agent.hook, workers=agent.flow_workers, clock=agent.clock)
    finally:
        reporter.stop()
    return _finish(agent, shoot, op=op, flow=flow, result=result, ctx=ctx, reporter=reporter,
                   cycle_start=cycle_start)


def context(agent: Agent, shoot: JSON, *, op: str, previous: dict[str, records.StepRecord]) -> ShootContext:
    spec = shoot.get("spec") or {}
    profile_name = (spec.get("cloudProfile") or {}).get("name") or spec.get("cloudProfileName") or ""
    namespace = triggers.technical_id(shoot)
    reads = agent.reads
    cloud_profile = reads.get(f"cloudprofile/{profile_name}", lambda: agent.garden.get_cloud_profile(profile_name))
    seed = reads.get(f"seed/{agent.seed}", lambda: agent.garden.get_seed(agent.seed))
    binding = spec.get("credentialsBindingName") or spec.get("secretBindingName") or ""
    credentials = reads.get(f"credentials/{shoot['metadata']['namespace']}/{binding}",
                            lambda: agent.garden.get_credentials(shoot))
    return ShootContext(
        shoot=shoot, cloud_profile=cloud_profile or {}, seed=seed or {}, namespace=namespace, kube=agent.api,
        registry=agent.registry, shoot_api=lambda: agent.access.api(namespace),
        shoot_url=agent.access.url(namespace), components=agent.components,
        publish_ca=lambda ca, client: publish_ca(agent, shoot, ca, client), credentials=decoded(credentials),
        operation=Operation(op), previous=previous, clock=agent.clock,
        log=logging.getLogger(f"hortus.flow.{namespace}"))


def _identity(agent: Agent, shoot: JSON, ctx: ShootContext, *, cycle_start: float) -> JSON:
    uid = str(shoot["metadata"]["uid"])
    return {"technicalID": ctx.namespace, "uid": uid, "seedName": agent.seed,
            "clusterIdentity": f"{ctx.namespace}-{uid}-{GARDEN_IDENTITY}",
            "gardener": {"id": agent.identity, "name": agent.identity},
            "observedGeneration": shoot["metadata"]["generation"],
            "retryCycleStartTime": conditions.timestamp(cycle_start)}


def _finish(agent: Agent, shoot: JSON, *, op: str, flow: Flow[ShootContext], result: engine.Result,
            ctx: ShootContext, reporter: status.Reporter, cycle_start: float) -> str:
    steps = [r.to_status() for r in result.records]
    now = agent.clock()
    if result.fenced:
        raise errors.TemporaryError("the shoot's lock was lost; the agent holding it now goes on", delay=1.0)
    if result.succeeded:
        return _succeeded(agent, shoot, op=op, steps=steps, ctx=ctx, reporter=reporter)
    progress = records.progress(result.records)
    if result.failed:
        failures = {name: (e.message, [str(c) for c in e.codes]) for name, e in result.failed.items()}
    elif now - cycle_start >= agent.retry_duration:
        failures = {name: (f"still waiting after the retry window: {e.message}", [str(c) for c in e.codes])
                    for name, e in result.waiting.items()}
    else:
        extra = {"lastErrors": None} if current_errors(shoot) else {}
        written = reporter.write_progress(result.records, **extra)
        if written is not None:
            metadata.set_status_label(agent.garden, written, written.get("status") or {})
        raise errors.TemporaryError("; ".join(f"{n}: {e.message}" for n, e in result.waiting.items()),
                                    delay=result.delay)
    codes = [c for _, found in failures.values() for c in found]
    final = bool(not result.failed or operation.failed_for_good(codes, cycle_start=cycle_start, now=now,
                                                                 retry_duration=agent.retry_duration))
    state = "Failed" if final else "Error"
    description = operation.error_description(flow.name, {n: m for n, (m, _) in failures.items()}, final=final)
    written = reporter.write({"lastOperation": status.operation(op, state, progress=progress, description=description,
                                                                now=now),
                              "lastOperationSteps": steps, "lastErrors": operation.last_errors(failures, now=now)})
    if written is not None:
        metadata.set_status_label(agent.garden, written, written.get("status") or {})
    if final:
        metadata.clear_operation(agent.garden, shoot)
        return "failed"
    attempt = max(r.retries for r in result.records if r.name in result.failed)
    raise errors.TemporaryError(description, delay=operation.backoff(attempt, base=agent.error_backoff))


def current_errors(shoot: JSON) -> bool:
    return bool((shoot.get("status") or {}).get("lastErrors"))


def _succeeded(agent: Agent, shoot: JSON, *, op: str, steps: list[JSON], ctx: ShootContext,
               reporter: status.Reporter) -> str:
    now = agent.clock()
    done: JSON = {"lastOperation": status.operation(op, "Succeeded", progress=100,
                                              description=operation.succeeded_description(op), now=now),
            "lastOperationSteps": steps, "lastErrors": None, "retryCycleStartTime": None}
    if op == "Delete":
        reporter.write(done)
        metadata.remove_finalizer(agent.garden, shoot)
        agent.access.forget(ctx.namespace)
        return "deleted"
    done.update(hibernated=ctx.hibernated, seedName=agent.seed,
                advertisedAddresses=ctx.facts.get("advertised_addresses"))
    written = reporter.write(done)
    if written is not None:
        try:
            care.care_shoot(agent.garden, agent.api, ctx.shoot_api, written, now=now, thresholds=agent.thresholds)
        except errors.FlowError as exc:  # the care loop will try again
            log.info("shoot %s: health not checked after the reconcile: %s", ctx.namespace, exc)
    metadata.clear_operation(agent.garden, shoot)
    return "reconciled"


def publish_ca(agent: Agent, shoot: JSON, ca: str, client: JSON | None) -> None:
    """The ``<shoot>.ca-cluster`` ConfigMap (Gardener's labels, owned by the Shoot) and the ``<shoot>.ca-client``
    Secret in the project namespace; both removed when ``ca`` is empty."""
    md = shoot["metadata"]
    name = f"{md['name']}.ca-cluster"
    try:
        if ca:
            agent.garden.apply_config_map(_ca_config_map(md, name, ca))
        else:
            agent.garden.delete_config_map(md["namespace"], name)
        if client is not None:
            agent.garden.apply_secret(client)
        elif not ca:
            agent.garden.delete_secret(md["namespace"], f"{md['name']}.ca-client")
    except GardenError as exc:
        raise errors.TemporaryError(f"the garden did not take the CAs of {md['namespace']}/{md['name']}: {exc}",
                                    delay=2.0) from None


def _ca_config_map(md: JSON, name: str, ca: str) -> JSON:
    return {
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": md["namespace"],
                     "labels": {"gardener.cloud/role": "ca-cluster", "discovery.gardener.cloud/public": "shoot-ca",
                                "shoot.gardener.cloud/name": md["name"], "shoot.gardener.cloud/uid": md["uid"],
                                "gardener.cloud/update-restriction": "true"},
                     "ownerReferences": [{"apiVersion": "core.gardener.cloud/v1beta1", "kind": "Shoot",
                                          "name": md["name"], "uid": md["uid"]}]},
        "data": {"ca.crt": ca}}
