"""The conformance kit: drive an installed plugin through its whole lifecycle on a local seed cluster and check the
extension contract.

Called by ``hortus extension test NAME`` and by the pytest plugin (``hortus.kit.pytest_plugin``). For every
(kind, type) the plugin serves, in a namespace of its own on one local seed cluster (``hortus.kit.harness``), with
the object the seed agent would write (``hortus.kit.scenarios``), through the same driver the seed agent uses:

1. create — until it no longer asks to be retried; ``lastOperation`` Create/Succeeded, no ``lastError``,
   ``observedGeneration`` current, the kind's finalizer on the object; health conditions well-formed;
2. reconcile again — Reconcile/Succeeded, and nothing changed on the seed or in the shoot but the object's status;
3. an invalid providerConfig — refused with ``ERR_CONFIGURATION_PROBLEM`` in ``lastError``, then fixed again;
4. migrate — Migrate/Succeeded, the finalizer released (the seed agent then removes the object);
5. restore — from the migrated ``state``: Restore/Succeeded, the state kept; then a reconcile;
6. delete — the object gone and every object the plugin created on the seed and in the shoot gone too; deleting
   again is fine.

A ``TemporaryError`` means "not yet" (the kit calls again after its delay, as the flow engine does), up to
``timeout`` seconds per step; any other exception fails the step with the plugin's message.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from extensions import crds, driver, status
from extensions.contract import API_VERSION, JSON, Context, ExtensionObject, Kind, Operation, Registration
from extensions.converge import converge
from extensions.registry import Registry
from hortus.kit import scenarios
from hortus.kit.harness import LocalSeedCluster
from hortus.kit.recording import Change, Journal, RecordingApi
from shoot import errors
from shoot.errors import ErrorCode

log = logging.getLogger(__name__)
KNOWN_CODES = frozenset(code.value for code in ErrorCode)
# What the driver itself writes around every plugin: not the plugin's to clean up.
_DRIVER_KINDS = (f"{API_VERSION}/{crds.CLUSTER}", "apiextensions.k8s.io/v1/CustomResourceDefinition")
_VALID_STATUS = ("True", "False", "Unknown")
_ON_INFRASTRUCTURE = (Kind.CONTROL_PLANE, Kind.WORKER, Kind.BASTION)


class CheckFailed(Exception):
    """One step of the contract is broken; the message says how."""


@dataclasses.dataclass(frozen=True)
class Check:
    resource: str  # <Kind>/<type>
    step: str
    ok: bool
    detail: str = ""
    seconds: float = 0.0

    def __str__(self) -> str:
        mark = "PASS" if self.ok else "FAIL"
        detail = f": {self.detail}" if self.detail else ""
        return f"{mark} {self.resource} {self.step} ({self.seconds:.1f}s){detail}"


@dataclasses.dataclass
class Report:
    plugin: str
    version: str = ""
    checks: list[Check] = dataclasses.field(default_factory=list)
    problems: list[str] = dataclasses.field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems and bool(self.checks) and all(c.ok for c in self.checks)

    def text(self) -> str:
        lines = [f"conformance of extension plugin {self.plugin} {self.version}".rstrip()]
        lines += [f"FAIL {p}" for p in self.problems]
        lines += [str(c) for c in self.checks]
        failed = sum(1 for c in self.checks if not c.ok) + len(self.problems)
        lines.append(f"{len(self.checks) - failed + len(self.problems)} passed, {failed} failed" if failed
                     else f"{len(self.checks)} passed")
        return "\n".join(lines)


def run(name: str, *, registry: Registry | None = None, directory: Path | None = None, timeout: float = 120.0,
        credentials: Mapping[str, str] | None = None, settings: scenarios.Settings | None = None) -> Report:
    """Run the kit against the installed plugin ``name`` (its plugin name or its entry point's name).

    When the plugin serves the Infrastructure of a type, its ControlPlane and Worker of that type run on top of an
    Infrastructure created first (its providerStatus forwarded as ``infrastructureProviderStatus``, as the flow
    does), which goes after them."""
    registry = registry if registry is not None else Registry.load()
    report = Report(plugin=name)
    try:
        plugin = registry.plugin(name)
    except LookupError as exc:
        broken = [p for p in registry.problems if name in (p.plugin, p.entry_point)]
        report.problems += [f"{p.plugin} is not served: {p.message}" for p in broken] or [str(exc)]
        return report
    report.plugin, report.version = plugin.name, plugin.version
    with _directory(directory) as where, LocalSeedCluster.start(where / "seed") as cluster:
        primaries = [r for r in plugin.resources if r.primary]
        infrastructures = {r.type: r for r in primaries if r.kind is Kind.INFRASTRUCTURE}
        for index, registration in enumerate(primaries):
            namespace = f"shoot--kit--{index}-{_dns_label(registration.type)}"[:63].rstrip("-")
            below = infrastructures.get(registration.type) if registration.kind in _ON_INFRASTRUCTURE else None
            Lifecycle(cluster, registration, namespace, timeout=timeout, credentials=credentials or {},
                      settings=settings, infrastructure=below).run(report)
    return report


@contextlib.contextmanager
def _directory(directory: Path | None) -> Iterator[Path]:
    if directory is not None:
        yield directory
        return
    with tempfile.TemporaryDirectory(prefix="hortus-kit-") as tmp:
        yield Path(tmp)


class Lifecycle:
    """The steps for one (kind, type), sharing one object, one journal and one namespace."""

    def __init__(self, cluster: LocalSeedCluster, registration: Registration, namespace: str, *, timeout: float,
                 credentials: Mapping[str, str], settings: scenarios.Settings | None = None,
                 infrastructure: Registration | None = None) -> None:
        self.cluster = cluster
        self.registration = registration
        self.namespace = namespace
        self.timeout = timeout
        self.credentials = dict(credentials)
        self.settings = settings or scenarios.Settings()
        self.scenario = scenarios.scenario(registration, namespace=namespace, settings=self.settings)
        # The Infrastructure this kind builds on (created in ``prepare``, deleted after the last step).
        self.infrastructure = infrastructure
        self.journal = Journal()
        self.seed_api = RecordingApi(cluster.kube, self.journal, where="seed")
        self._shoot_apis: dict[str, RecordingApi] = {}
        self.first: ExtensionObject | None = None
        self.state: JSON = {}

    def run(self, report: Report) -> None:
        steps: list[tuple[str, Callable[[], str]]] = [
            ("create", self.create), ("reconcile again changes nothing", self.reconcile_again),
            ("invalid providerConfig is a configuration problem", self.invalid_config),
            ("migrate", self.migrate), ("restore", self.restore), ("delete cleans up", self.delete),
        ]
        try:
            self.prepare()
        except Exception as exc:
            report.checks.append(Check(self.registration.id, "prepare", False, _message(exc)))
            return
        try:
            self._steps(steps, report)
        finally:
            self._remove_infrastructure(report)

    def _steps(self, steps: list[tuple[str, Callable[[], str]]], report: Report) -> None:
        for step, call in steps:
            started = time.monotonic()
            try:
                detail = call()
            except Exception as exc:  # the plugin's failure, whatever it is, is the step's result
                report.checks.append(Check(self.registration.id, step, False, _message(exc),
                                           time.monotonic() - started))
                if step == "create":
                    return  # nothing to build on
                continue
            report.checks.append(Check(self.registration.id, step, True, detail, time.monotonic() - started))

    # --- set-up --------------------------------------------------------------------------------------------

    def prepare(self) -> None:
        self.cluster.ensure_namespace(self.namespace)
        data = dict(self.credentials) or {"provider": self.registration.type}
        self.cluster.kube.apply({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                                 "metadata": {"name": scenarios.SECRET, "namespace": self.namespace},
                                 "stringData": data})
        self.cluster.kube.apply({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                                 "metadata": {"name": scenarios.USER_DATA, "namespace": self.namespace},
                                 "stringData": {"cloud_config": "#!/bin/bash\necho conformance kit\n"}})
        self.cluster.serve_shoot_api(self.namespace, version=scenarios.KUBERNETES_VERSION)
        if self.infrastructure is not None:
            self._create_infrastructure(self.infrastructure)

    def _create_infrastructure(self, registration: Registration) -> None:
        """The Infrastructure this kind needs, outside the journal: its providerStatus goes into the spec."""
        below = scenarios.scenario(registration, namespace=self.namespace, settings=self.settings)
        ctx = dataclasses.replace(self.context(Operation.RECONCILE), seed=self.cluster.kube)
        done = converge(lambda: driver.run(registration, ctx, below.obj), timeout=self.timeout)
        forwarded = {**self.scenario.obj.spec, "infrastructureProviderStatus": done.status.get("providerStatus") or {}}
        self.scenario = dataclasses.replace(self.scenario, obj=dataclasses.replace(self.scenario.obj, spec=forwarded))

    def _remove_infrastructure(self, report: Report) -> None:
        if self.infrastructure is None:
            return
        below = scenarios.scenario(self.infrastructure, namespace=self.namespace, settings=self.settings)
        ctx = dataclasses.replace(self.context(Operation.DELETE), seed=self.cluster.kube)
        try:
            converge(lambda: driver.run(self.infrastructure, ctx, below.obj), timeout=self.timeout)  # type: ignore[arg-type]
        except Exception as exc:
            report.checks.append(Check(self.registration.id, "delete the Infrastructure below", False, _message(exc)))

    def context(self, operation: Operation) -> Context:
        s = self.scenario
        ctx = self.cluster.context(self.namespace, shoot=s.shoot, cloud_profile=s.cloud_profile, seed=s.seed,
                                   operation=operation, credentials=self.credentials)
        return dataclasses.replace(ctx, seed=self.seed_api, shoot_api=self._shoot_api)

    def _shoot_api(self) -> RecordingApi:
        if "shoot" not in self._shoot_apis:
            self._shoot_apis["shoot"] = RecordingApi(self.cluster.shoot_api(self.namespace), self.journal,
                                                     where="shoot")
        return self._shoot_apis["shoot"]

    def drive(self, operation: Operation, obj: ExtensionObject | None = None) -> ExtensionObject:
        target = obj or self.scenario.obj
        ctx = self.context(operation)
        return converge(lambda: driver.run(self.registration, ctx, target), timeout=self.timeout)

    def stored(self) -> JSON | None:
        obj = self.scenario.obj
        namespace = obj.namespace if crds.NAMES[obj.kind].namespaced else None
        return self.cluster.kube.get(API_VERSION, obj.kind, obj.name, namespace=namespace)

    # --- steps ---------------------------------------------------------------------------------------------

    def create(self) -> str:
        self.first = self.drive(Operation.RECONCILE)
        live = self._succeeded(Operation.CREATE)
        if driver.finalizer(self.registration.kind) not in (live["metadata"].get("finalizers") or []):
            raise CheckFailed(f"the object lacks its finalizer {driver.finalizer(self.registration.kind)}")
        conditions = driver.health(self.registration, self.context(Operation.RECONCILE), self.first)
        for condition in conditions:
            if not condition.get("type") or condition.get("status") not in _VALID_STATUS:
                raise CheckFailed(f"health condition {condition} needs a type and a status of True, False or Unknown")
        created = [c for c in self.journal.changes if c.what == "created" and c.key[1] not in _DRIVER_KINDS]
        return f"created {len(created) - 1} object(s), {len(conditions)} health condition(s)"

    def reconcile_again(self) -> str:
        mark = self.journal.mark()
        second = self.drive(Operation.RECONCILE)
        self._succeeded(Operation.RECONCILE)
        changed = [c for c in self.journal.since(mark) if not self._own_status(c)]
        if changed:
            raise CheckFailed("the second reconcile changed something: " + "; ".join(str(c) for c in changed))
        assert self.first is not None
        if second.status.get("providerStatus") != self.first.status.get("providerStatus"):
            raise CheckFailed("the second reconcile reported another providerStatus")
        return "no change"

    def invalid_config(self) -> str:
        obj = self.scenario.obj
        broken = dataclasses.replace(obj, spec={**obj.spec, "providerConfig": scenarios.INVALID_CONFIG})
        try:
            self.drive(Operation.RECONCILE, broken)
        except errors.PermanentError as exc:
            if ErrorCode.CONFIGURATION_PROBLEM not in exc.codes:
                raise CheckFailed(f"refused without {ErrorCode.CONFIGURATION_PROBLEM}: {exc}") from exc
        else:
            raise CheckFailed("a providerConfig that is not even an object was accepted")
        live = self.stored() or {}
        last_error = (live.get("status") or {}).get("lastError") or {}
        if ErrorCode.CONFIGURATION_PROBLEM not in (last_error.get("codes") or []):
            raise CheckFailed(f"lastError does not carry {ErrorCode.CONFIGURATION_PROBLEM}: {last_error}")
        if ((live.get("status") or {}).get("lastOperation") or {}).get("state") != status.ERROR:
            raise CheckFailed("lastOperation.state is not Error after a refused providerConfig")
        self.drive(Operation.RECONCILE)
        self._succeeded(Operation.RECONCILE)
        return "refused, then reconciled again"

    def migrate(self) -> str:
        migrated = self.drive(Operation.MIGRATE)
        live = self._succeeded(Operation.MIGRATE)
        if driver.finalizer(self.registration.kind) in (live["metadata"].get("finalizers") or []):
            raise CheckFailed("the finalizer is still on the object after migrate")
        self.state = migrated.state
        # The source seed's agent removes the released object (Gardener deletes the shoot's seed namespace).
        obj = self.scenario.obj
        self.cluster.kube.delete(API_VERSION, obj.kind, obj.name,
                                 namespace=obj.namespace if crds.NAMES[obj.kind].namespaced else None)
        converge(self._gone(self.stored), timeout=self.timeout)
        return f"state with {len(self.state)} key(s)"

    def restore(self) -> str:
        obj = dataclasses.replace(self.scenario.obj, status={"state": self.state} if self.state else {})
        restored = self.drive(Operation.RESTORE, obj)
        self._succeeded(Operation.RESTORE)
        if self.state and not restored.state:
            raise CheckFailed("the migrated state was lost on restore")
        self.drive(Operation.RECONCILE)
        self._succeeded(Operation.RECONCILE)
        return "restored and reconciled"

    def delete(self) -> str:
        self.drive(Operation.DELETE)
        converge(self._gone(self.stored), timeout=self.timeout)
        created = [key for key in self.journal.created if key[1] not in _DRIVER_KINDS and not self._is_object(key)]
        # What the plugin made in the shoot's seed namespace and in the shoot is the shoot's: it must go. What it
        # made elsewhere on the seed (a namespace or zone shared by all shoots) may stay; the report names it.
        owned = [key for key in created if key[0] == "shoot" or key[2] == self.namespace]
        for key in owned:
            converge(self._gone(lambda key=key: self._get(key)), timeout=self.timeout)  # type: ignore[misc]
        self.drive(Operation.DELETE)  # deleting what is gone is fine
        kept = [Change("kept", key) for key in created if key not in owned and self._get(key) is not None]
        shared = f"; outside the shoot's namespace: {', '.join(str(c) for c in kept)}" if kept else ""
        return f"{len(owned)} created object(s) gone{shared}"

    # --- helpers -------------------------------------------------------------------------------------------

    def _succeeded(self, operation: Operation) -> JSON:
        live = self.stored()
        if live is None:
            raise CheckFailed("the extension object is not on the seed")
        st = live.get("status") or {}
        last = st.get("lastOperation") or {}
        if (last.get("type"), last.get("state")) != (operation.value, status.SUCCEEDED):
            raise CheckFailed(f"lastOperation is {last.get('type')}/{last.get('state')}, not "
                              f"{operation.value}/{status.SUCCEEDED}")
        if st.get("lastError"):
            raise CheckFailed(f"lastError is still set: {st['lastError']}")
        if st.get("observedGeneration") != live["metadata"].get("generation", 1):
            raise CheckFailed("observedGeneration is not the object's generation")
        return live

    def _own_status(self, change: Change) -> bool:
        obj = self.scenario.obj
        return change.what == "status" and change.key[1] == f"{API_VERSION}/{obj.kind}" and change.key[3] == obj.name

    def _is_object(self, key: tuple[str, str, str, str]) -> bool:
        return key[1] == f"{API_VERSION}/{self.scenario.obj.kind}" and key[3] == self.scenario.obj.name

    def _get(self, key: tuple[str, str, str, str]) -> JSON | None:
        where, kind_path, namespace, name = key
        api_version, _, kind = kind_path.rpartition("/")
        api = self.cluster.kube if where == "seed" else self.cluster.shoot_api(self.namespace)
        try:
            return api.get(api_version, kind, name, namespace=namespace or None)
        except errors.TemporaryError:
            return None if where == "shoot" else {"metadata": {}}  # a shoot API gone with its namespace

    def _gone(self, get: Callable[[], Any]) -> Callable[[], None]:
        def check() -> None:
            found = get()
            if found is not None:
                md = found.get("metadata") or {}
                raise errors.TemporaryError(f"{found.get('kind', 'object')} {md.get('name', '')} is still there "
                                            f"after delete", delay=0.2)
        return check


def _message(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, errors.FlowError) and exc.codes:
        text += f" [{', '.join(exc.codes)}]"
    return text


def _dns_label(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower())
