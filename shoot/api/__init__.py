"""Typed Gardener API objects and the facts the API machinery needs to serve each kind.

``KindInfo`` holds group/version/kind/plural, scope, subresources, ``kubectl get`` printer columns and field
selectors as plain data; ``ALL_KINDS`` pairs each with its model. The garden's resource registry turns these
into ``apiserver.registry.ResourceType`` objects (this package may not import ``apiserver``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType

from shoot.api.bindings import CredentialsBinding, SecretBinding, WorkloadIdentity
from shoot.api.cloudprofile import CloudProfile
from shoot.api.controllers import ControllerDeployment, ControllerInstallation, ControllerRegistration
from shoot.api.core import Namespace, Secret
from shoot.api.meta import ApiModel, Condition, LastError, LastOperation, ObjectMeta
from shoot.api.project import Project, Quota
from shoot.api.seed import Seed
from shoot.api.shoot import Shoot


@dataclasses.dataclass(frozen=True)
class PrinterColumn:
    """A ``kubectl get`` column; ``path`` is a Kubernetes JSONPath without braces (``.spec.region``).

    Paths may use ``['key']`` for map keys containing dots and ``[?(@.type=="X")]`` filters over lists.
    Same fields as ``apiserver.registry.PrinterColumn``.
    """

    name: str
    path: str
    type: str = "string"
    format: str = ""
    description: str = ""
    priority: int = 0


@dataclasses.dataclass(frozen=True)
class KindInfo:
    """How a kind is served: ``/apis/<group>/<version>/[namespaces/<ns>/]<plural>``; NAME is implicit."""

    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    subresources: tuple[str, ...] = ()
    printer_columns: tuple[PrinterColumn, ...] = ()
    # Field selector name -> dotted path in the object, beyond metadata.name and metadata.namespace.
    field_selectors: Mapping[str, str] = dataclasses.field(
        default_factory=lambda: MappingProxyType({}), hash=False
    )
    # Gardener's strategy's AllowUnconditionalUpdate: where False, a PUT must carry metadata.resourceVersion.
    unconditional_update: bool = True

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version


CORE_GROUP = "core.gardener.cloud"
SECURITY_GROUP = "security.gardener.cloud"

AGE = PrinterColumn(name="Age", path=".metadata.creationTimestamp", type="date")


def _condition(condition_type: str) -> str:
    return f'.status.conditions[?(@.type=="{condition_type}")].status'


def _selectors(*paths: str) -> Mapping[str, str]:
    return MappingProxyType({path: path for path in paths})


SHOOT = KindInfo(
    group=CORE_GROUP,
    version="v1beta1",
    kind="Shoot",
    unconditional_update=False,
    plural="shoots",
    namespaced=True,
    short_names=("shoot",),
    subresources=("status", "binding", "adminkubeconfig", "viewerkubeconfig"),
    printer_columns=(
        PrinterColumn(name="CloudProfile", path=".spec.cloudProfile.name"),
        PrinterColumn(name="Provider", path=".spec.provider.type"),
        PrinterColumn(name="Region", path=".spec.region"),
        PrinterColumn(name="K8S Version", path=".spec.kubernetes.version"),
        PrinterColumn(name="Hibernation", path=".status.hibernated", type="boolean"),
        PrinterColumn(name="Last Operation", path=".status.lastOperation.state"),
        # Gardener's care controller condenses the health conditions into this label.
        PrinterColumn(name="Status", path=".metadata.labels['shoot.gardener.cloud/status']"),
        AGE,
        PrinterColumn(name="Operation", path=".status.lastOperation.type", priority=1),
        PrinterColumn(name="Progress", path=".status.lastOperation.progress", type="integer", priority=1),
        PrinterColumn(name="Seed", path=".spec.seedName", priority=1),
        PrinterColumn(name="Purpose", path=".spec.purpose", priority=1),
    ),
    field_selectors=_selectors(
        "spec.cloudProfileName",
        "spec.cloudProfile.name",
        "spec.cloudProfile.kind",
        "spec.seedName",
        "status.seedName",
    ),
)
SEED = KindInfo(
    group=CORE_GROUP,
    version="v1beta1",
    kind="Seed",
    plural="seeds",
    namespaced=False,
    subresources=("status",),
    printer_columns=(
        PrinterColumn(name="Status", path=_condition("GardenletReady")),
        PrinterColumn(name="Provider", path=".spec.provider.type"),
        PrinterColumn(name="Region", path=".spec.provider.region"),
        AGE,
        PrinterColumn(name="Version", path=".status.gardener.version"),
        PrinterColumn(name="K8S Version", path=".status.kubernetesVersion"),
        PrinterColumn(name="Last Operation", path=".status.lastOperation.state", priority=1),
        PrinterColumn(name="Visible", path=".spec.settings.scheduling.visible", type="boolean", priority=1),
    ),
)
CLOUD_PROFILE = KindInfo(
    group=CORE_GROUP,
    version="v1beta1",
    kind="CloudProfile",
    plural="cloudprofiles",
    namespaced=False,
    short_names=("cprofile", "cpfl"),
    printer_columns=(PrinterColumn(name="Type", path=".spec.type"), AGE),
)
PROJECT = KindInfo(
    group=CORE_GROUP,
    version="v1beta1",
    kind="Project",
    plural="projects",
    namespaced=False,
    subresources=("status",),
    printer_columns=(
        PrinterColumn(name="Namespace", path=".spec.namespace"),
        PrinterColumn(name="Status", path=".status.phase"),
        PrinterColumn(name="Owner", path=".spec.owner.name"),
        PrinterColumn(name="Creator", path=".spec.createdBy.name"),
        AGE,
    ),
    field_selectors=_selectors("spec.namespace"),
)
QUOTA = KindInfo(
    group=CORE_GROUP,
    version="v1beta1",
    kind="Quota",
    plural="quotas",
    namespaced=True,
    short_names=("squota",),
    printer_columns=(
        PrinterColumn(name="Scope", path=".spec.scope.kind"),
        PrinterColumn(name="Lifetime Days", path=".spec.clusterLifetimeDays", type="integer"),
        AGE,
    ),
)
SECRET_BINDING = KindInfo(
    group=CORE_GROUP,
    version="v1beta1",
    kind="SecretBinding",
    plural="secretbindings",
    namespaced=True,
    short_names=("sb",),
    printer_columns=(
        PrinterColumn(name="Provider", path=".provider.type"),
        PrinterColumn(name="Secret", path=".secretRef.name"),
        AGE,
    ),
    field_selectors=_selectors("provider.type"),
)
CREDENTIALS_BINDING = KindInfo(
    group=SECURITY_GROUP,
    version="v1alpha1",
    kind="CredentialsBinding",
    unconditional_update=False,
    plural="credentialsbindings",
    namespaced=True,
    short_names=("cb",),
    printer_columns=(
        PrinterColumn(name="Provider", path=".provider.type"),
        PrinterColumn(name="Credentials Kind", path=".credentialsRef.kind"),
        PrinterColumn(name="Credentials", path=".credentialsRef.name"),
        AGE,
    ),
    field_selectors=_selectors("provider.type", "credentialsRef.kind", "credentialsRef.name"),
)
WORKLOAD_IDENTITY = KindInfo(
    group=SECURITY_GROUP,
    version="v1alpha1",
    kind="WorkloadIdentity",
    unconditional_update=False,
    plural="workloadidentities",
    namespaced=True,
    short_names=("wi",),
    printer_columns=(PrinterColumn(name="Target System", path=".spec.targetSystem.type"), AGE),
)
CONTROLLER_REGISTRATION = KindInfo(
    group=CORE_GROUP,
    version="v1beta1",
    kind="ControllerRegistration",
    unconditional_update=False,
    plural="controllerregistrations",
    namespaced=False,
    short_names=("ctrlreg",),
    printer_columns=(PrinterColumn(name="Policy", path=".spec.deployment.policy"), AGE),
)
CONTROLLER_DEPLOYMENT = KindInfo(
    group=CORE_GROUP,
    version="v1",
    kind="ControllerDeployment",
    unconditional_update=False,
    plural="controllerdeployments",
    namespaced=False,
    short_names=("ctrldeploy",),
    printer_columns=(PrinterColumn(name="Chart", path=".helm.ociRepository.ref"), AGE),
)
CONTROLLER_INSTALLATION = KindInfo(
    group=CORE_GROUP,
    version="v1beta1",
    kind="ControllerInstallation",
    unconditional_update=False,
    plural="controllerinstallations",
    namespaced=False,
    short_names=("ctrlinst",),
    subresources=("status",),
    printer_columns=(
        PrinterColumn(name="Registration", path=".spec.registrationRef.name"),
        PrinterColumn(name="Seed", path=".spec.seedRef.name"),
        PrinterColumn(name="Valid", path=_condition("Valid")),
        PrinterColumn(name="Installed", path=_condition("Installed")),
        PrinterColumn(name="Healthy", path=_condition("Healthy")),
        PrinterColumn(name="Progressing", path=_condition("Progressing")),
        AGE,
    ),
    field_selectors=_selectors("spec.seedRef.name", "spec.registrationRef.name"),
)
NAMESPACE = KindInfo(
    group="",
    version="v1",
    kind="Namespace",
    plural="namespaces",
    namespaced=False,
    short_names=("ns",),
    subresources=("status", "finalize"),
    printer_columns=(PrinterColumn(name="Status", path=".status.phase"), AGE),
    field_selectors=_selectors("status.phase"),
)
SECRET = KindInfo(
    group="",
    version="v1",
    kind="Secret",
    plural="secrets",
    namespaced=True,
    printer_columns=(PrinterColumn(name="Type", path=".type"), AGE),
    field_selectors=_selectors("type"),
)

ALL_KINDS: tuple[tuple[KindInfo, type[ApiModel]], ...] = (
    (SHOOT, Shoot),
    (SEED, Seed),
    (CLOUD_PROFILE, CloudProfile),
    (PROJECT, Project),
    (QUOTA, Quota),
    (SECRET_BINDING, SecretBinding),
    (CREDENTIALS_BINDING, CredentialsBinding),
    (WORKLOAD_IDENTITY, WorkloadIdentity),
    (CONTROLLER_REGISTRATION, ControllerRegistration),
    (CONTROLLER_DEPLOYMENT, ControllerDeployment),
    (CONTROLLER_INSTALLATION, ControllerInstallation),
    (NAMESPACE, Namespace),
    (SECRET, Secret),
)


def model_for(api_version: str, kind: str) -> type[ApiModel] | None:
    """The model serving ``apiVersion``/``kind``, or None if no kind here matches."""
    for info, model in ALL_KINDS:
        if info.api_version == api_version and info.kind == kind:
            return model
    return None


__all__ = [
    "ALL_KINDS",
    "CLOUD_PROFILE",
    "CONTROLLER_DEPLOYMENT",
    "CONTROLLER_INSTALLATION",
    "CONTROLLER_REGISTRATION",
    "CREDENTIALS_BINDING",
    "NAMESPACE",
    "PROJECT",
    "QUOTA",
    "SECRET",
    "SECRET_BINDING",
    "SEED",
    "SHOOT",
    "WORKLOAD_IDENTITY",
    "ApiModel",
    "CloudProfile",
    "Condition",
    "ControllerDeployment",
    "ControllerInstallation",
    "ControllerRegistration",
    "CredentialsBinding",
    "KindInfo",
    "LastError",
    "LastOperation",
    "Namespace",
    "ObjectMeta",
    "PrinterColumn",
    "Project",
    "Quota",
    "Secret",
    "SecretBinding",
    "Seed",
    "Shoot",
    "WorkloadIdentity",
    "model_for",
]
