"""The extension contract: what a plugin declares, what its actuators implement, and what they are given.

Implemented by every plugin (built-in and third-party, found through the entry-point group ``hortus.extensions``);
read by the registry and the garden's admission (schemas), called by the seed agent's flow steps and by the
conformance kit. Kinds, operations and the status block are Gardener's (``extensions.gardener.cloud/v1alpha1``);
retry intent is ``shoot.errors``' vocabulary (``TemporaryError`` with a delay, ``PermanentError`` with codes).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any, Protocol

from shoot.fielderrors import FieldError

JSON = dict[str, Any]

API_VERSION = "extensions.gardener.cloud/v1alpha1"


class Kind(StrEnum):
    """Gardener's extension kinds."""

    INFRASTRUCTURE = "Infrastructure"
    CONTROL_PLANE = "ControlPlane"
    WORKER = "Worker"
    OPERATING_SYSTEM_CONFIG = "OperatingSystemConfig"
    NETWORK = "Network"
    DNS_RECORD = "DNSRecord"
    BACKUP_BUCKET = "BackupBucket"
    BACKUP_ENTRY = "BackupEntry"
    CONTAINER_RUNTIME = "ContainerRuntime"
    EXTENSION = "Extension"
    BASTION = "Bastion"


class Operation(StrEnum):
    """``lastOperation.type`` of an extension object."""

    CREATE = "Create"
    RECONCILE = "Reconcile"
    DELETE = "Delete"
    MIGRATE = "Migrate"
    RESTORE = "Restore"


# Where a kind's ``providerConfig`` comes from in a Shoot: admission validates it there, with these field paths
# (``[*]`` stands for each list index, e.g. ``spec.provider.workers[0].providerConfig``).
SHOOT_PROVIDER_CONFIG: Mapping[Kind, str] = {
    Kind.INFRASTRUCTURE: "spec.provider.infrastructureConfig",
    Kind.CONTROL_PLANE: "spec.provider.controlPlaneConfig",
    Kind.WORKER: "spec.provider.workers[*].providerConfig",
    Kind.OPERATING_SYSTEM_CONFIG: "spec.provider.workers[*].machine.image.providerConfig",
    Kind.NETWORK: "spec.networking.providerConfig",
    Kind.CONTAINER_RUNTIME: "spec.provider.workers[*].cri.containerRuntimes[*].providerConfig",
    Kind.EXTENSION: "spec.extensions[*].providerConfig",
}


class Api(Protocol):
    """A Kubernetes API an actuator acts on: the seed, or a shoot's own API.

    Implemented by ``seed.kube`` over the official client (nothing below ``seed`` imports ``kubernetes``). Objects
    are plain dicts as the API serves them. Errors of the API surface as ``shoot.errors.TemporaryError`` (the
    server is unavailable, a conflict) or ``PermanentError`` (the object was refused, with the server's message).
    """

    def get(self, api_version: str, kind: str, name: str, *, namespace: str | None = None) -> JSON | None:
        """The object, or None when it does not exist."""
        ...

    def list(
        self, api_version: str, kind: str, *, namespace: str | None = None, label_selector: str = ""
    ) -> list[JSON]: ...

    def apply(self, obj: JSON) -> JSON:
        """Create ``obj``, or make the stored object carry exactly the fields ``obj`` sets (labels, annotations,
        spec, data, ...; the server's own fields stay). Applying the same object twice changes nothing."""
        ...

    def delete(self, api_version: str, kind: str, name: str, *, namespace: str | None = None) -> bool:
        """Start deleting the object; True when it existed. Deleting what is gone is fine."""
        ...

    def apply_status(self, obj: JSON) -> JSON:
        """Make the stored object's status exactly ``obj["status"]`` (through the ``status`` subresource where the
        kind has one; spec and metadata stay as stored) and return the object. A ``PermanentError`` when the
        object does not exist."""
        ...


@dataclasses.dataclass(frozen=True)
class Cluster:
    """Gardener's ``Cluster`` resource: the whole context an actuator may read, as the garden serves it."""

    shoot: JSON
    cloud_profile: JSON
    seed: JSON


@dataclasses.dataclass(frozen=True)
class Context:
    """What an actuator is given for one call. Built by the seed agent (and by the conformance kit)."""

    cluster: Cluster
    # The shoot's control-plane namespace on the seed (``shoot--<project>--<name>``, the technical ID).
    namespace: str
    seed: Api
    # The shoot's own API once its kube-apiserver serves; raises ``TemporaryError`` before that.
    shoot_api: Callable[[], Api]
    # The data of the cloud-provider Secret the shoot's binding references, decoded (empty where none is bound).
    credentials: Mapping[str, str]
    operation: Operation
    log: logging.Logger


@dataclasses.dataclass(frozen=True)
class ExtensionObject:
    """One extension resource (``extensions.gardener.cloud/v1alpha1``) as stored in the shoot's seed namespace.

    ``spec`` is Gardener's spec of that kind (``type``, ``providerConfig``, ``region``, ``secretRef``,
    ``pools``, ``infrastructureProviderStatus``, ...); ``status`` the stored status, whose ``state`` is what
    ``restore`` rebuilds from.
    """

    kind: Kind
    name: str
    namespace: str
    spec: JSON
    status: JSON = dataclasses.field(default_factory=dict)

    @property
    def type(self) -> str:
        return str(self.spec.get("type", ""))

    @property
    def provider_config(self) -> JSON:
        config = self.spec.get("providerConfig")
        return config if isinstance(config, dict) else {}

    @property
    def state(self) -> JSON:
        state = self.status.get("state")
        return state if isinstance(state, dict) else {}


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What a successful reconcile, migrate or restore reports into the object's status."""

    provider_status: JSON | None = None
    # Kept in ``status.state``; saved in the garden on migrate and handed back to ``restore`` on the new seed.
    state: JSON | None = None
    # Kind-specific status fields as Gardener names them: Infrastructure ``nodesCIDR``/``egressCIDRs``,
    # OperatingSystemConfig ``cloudConfig.secretRef``, Worker ``machineDeployments``, DNSRecord ``zone``, ...
    status: JSON = dataclasses.field(default_factory=dict)
    # Health conditions; types among the Shoot's (``ControlPlaneHealthy``, ``EveryNodeReady``, ...) are merged
    # into the Shoot's conditions by the care task, as Gardener's care controller does.
    conditions: list[JSON] = dataclasses.field(default_factory=list)


class Actuator(Protocol):
    """The lifecycle of one (kind, type). Every method is idempotent: called again with the same object it changes
    nothing. Not done yet (machines booting) is a ``TemporaryError`` with a delay, never a sleep."""

    def reconcile(self, ctx: Context, obj: ExtensionObject) -> Outcome: ...

    def delete(self, ctx: Context, obj: ExtensionObject) -> None:
        """Remove everything ``reconcile`` created, on the seed and outside (the cloud); done when it returns."""
        ...

    def migrate(self, ctx: Context, obj: ExtensionObject) -> Outcome:
        """Source seed of a control-plane migration: return the state to keep and remove the seed-side objects,
        without deleting anything outside the seed."""
        ...

    def restore(self, ctx: Context, obj: ExtensionObject) -> Outcome:
        """Destination seed: rebuild from ``obj.state`` (the migrated state), then reconcile."""
        ...

    def health(self, ctx: Context, obj: ExtensionObject) -> list[JSON]:
        """Current health conditions of what this actuator runs (empty when it has none to report)."""
        ...


@dataclasses.dataclass(frozen=True)
class Registration:
    """One (kind, type) a plugin serves, its actuator, and the JSON Schema of its ``providerConfig``.

    ``provider_config_schema`` None means the type takes no ``providerConfig`` (one given is refused at admission).
    The garden serves the schema (for forms and ``kubectl explain``) and validates Shoots against it.
    """

    kind: Kind
    type: str
    actuator: Actuator
    provider_config_schema: JSON | None = None
    primary: bool = True
    # Whether a Shoot must give this providerConfig (Gardener's provider-aws requires infrastructureConfig).
    provider_config_required: bool = False
    # Checks beyond the schema (CIDRs inside the VPC, zones of the region): ``validator(provider_config, shoot)``
    # returns field errors whose paths are relative to the providerConfig. Pure: no cloud API calls.
    validator: Callable[[JSON, JSON], list[FieldError]] | None = None

    @property
    def id(self) -> str:
        """Gardener's extension id, ``<Kind>/<type>``."""
        return f"{self.kind}/{self.type}"


@dataclasses.dataclass(frozen=True)
class Plugin:
    """What an entry point of the group ``hortus.extensions`` names: a plugin and everything it serves."""

    name: str
    version: str
    resources: tuple[Registration, ...]
    description: str = ""
