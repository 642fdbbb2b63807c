"""What a shoot flow's steps work on: the shoot as the garden serves it, the seed, the extensions, the shoot's API.

Built by the seed agent (``seed.agent.reconcile``) once per run; every step of ``seed.flow.reconcile`` and
``seed.flow.delete`` gets the same ``ShootContext``. Steps share results through ``facts`` (the kube-apiserver's
load-balancer address, the advertised addresses, ...), each under its own key.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from extensions.contract import Api, Cluster, Context, Operation
from extensions.registry import Registry
from extensions.sdk.shoot import ShootView
from seed.flow.components import Components
from seed.flow.records import StepRecord
from shoot.api.shoot import StepState

JSON = dict[str, Any]


@dataclasses.dataclass
class ShootContext:
    shoot: JSON
    cloud_profile: JSON
    seed: JSON
    # The control-plane namespace on the seed: ``shoot--<project>--<name>`` (the technical ID).
    namespace: str
    kube: Api
    registry: Registry
    # The shoot's own API; raises ``shoot.errors.TemporaryError`` while its kube-apiserver does not serve.
    shoot_api: Callable[[], Api]
    # The URL the shoot's API is reached at from outside (what the seed's load balancer or path prefix serves).
    shoot_url: str
    components: Components
    # Publishes the cluster CA bundle (``<shoot>.ca-cluster`` ConfigMap) and the client CA (``<shoot>.ca-client``
    # Secret) in the project namespace; ("", None) removes them.
    publish_ca: Callable[[str, JSON | None], None] = lambda _ca, _client: None
    credentials: Mapping[str, str] = dataclasses.field(default_factory=dict)
    operation: Operation = Operation.RECONCILE
    # The records of the previous run of this same operation: a step finished there may stay a cheap no-op.
    previous: Mapping[str, StepRecord] = dataclasses.field(default_factory=dict)
    facts: dict[str, Any] = dataclasses.field(default_factory=dict)
    clock: Callable[[], float] = time.time
    log: logging.Logger = dataclasses.field(default_factory=lambda: logging.getLogger("hortus.flow"))
    _lock: threading.Lock = dataclasses.field(default_factory=threading.Lock, repr=False)

    @property
    def view(self) -> ShootView:
        return ShootView(raw=self.shoot, technical_id=self.namespace, cloud_profile=self.cloud_profile)

    @property
    def name(self) -> str:
        return str(self.shoot["metadata"]["name"])

    @property
    def project_namespace(self) -> str:
        return str(self.shoot["metadata"]["namespace"])

    @property
    def project(self) -> str:
        namespace = self.project_namespace
        return "garden" if namespace == "garden" else namespace.removeprefix("garden-")

    @property
    def hibernated(self) -> bool:
        return self.view.hibernated

    @property
    def workerless(self) -> bool:
        return not self.view.workers

    def finished(self, step: str) -> bool:
        """Whether ``step`` succeeded in an earlier run of this operation (its work needs no repeating)."""
        record = self.previous.get(step)
        return record is not None and record.state is StepState.SUCCEEDED

    def extension_context(self, operation: Operation | None = None) -> Context:
        """The ``Context`` an extension actuator gets for this shoot."""
        return Context(cluster=Cluster(shoot=self.shoot, cloud_profile=self.cloud_profile, seed=self.seed),
                       namespace=self.namespace, seed=self.kube, shoot_api=self.shoot_api,
                       credentials=dict(self.credentials), operation=operation or self.operation,
                       log=self.log)

    def remember(self, key: str, value: Any) -> None:
        with self._lock:
            self.facts[key] = value
