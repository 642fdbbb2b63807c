"""The extension registry kinds, all cluster-scoped: ControllerRegistration and ControllerInstallation
(``core.gardener.cloud/v1beta1``) and ControllerDeployment (``core.gardener.cloud/v1``, as Gardener serves it).

Installed extension plugins appear as registrations; the garden decides which seeds need which extension
and records that as installations; the seed agent reports their conditions (Valid, Installed, Healthy, ...).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from shoot.api.meta import (
    ApiModel,
    Condition,
    LabelSelector,
    LocalObjectReference,
    NamedResourceReference,
    ObjectMeta,
    ObjectReference,
    RawExtension,
    merged_by,
)


class ControllerResourceLifecycle(ApiModel):
    """When an Extension is handled: BeforeKubeAPIServer, AfterKubeAPIServer or AfterWorker."""

    reconcile: str | None = None
    delete: str | None = None
    migrate: str | None = None


class ControllerResource(ApiModel):
    """A (kind, type) pair served by the controller, e.g. (Infrastructure, aws)."""

    kind: str
    type: str
    primary: bool | None = None
    reconcile_timeout: str | None = None
    lifecycle: ControllerResourceLifecycle | None = None
    workerless_supported: bool | None = None
    auto_enable: list[str] | None = None
    cluster_compatibility: list[str] | None = None
    continuous_endpoint_update: bool | None = None
    globally_enabled: bool | None = None


class DeploymentRef(ApiModel):
    name: str


class ControllerRegistrationDeployment(ApiModel):
    policy: str | None = None
    seed_selector: LabelSelector | None = None
    deployment_refs: list[DeploymentRef] | None = None


class ControllerRegistrationSpec(ApiModel):
    resources: list[ControllerResource] | None = None
    deployment: ControllerRegistrationDeployment | None = None


class ControllerRegistration(ApiModel):
    api_version: Literal["core.gardener.cloud/v1beta1"] = "core.gardener.cloud/v1beta1"
    kind: Literal["ControllerRegistration"] = "ControllerRegistration"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    # Every spec field is optional in Gardener; an empty spec serialises as {} there too.
    spec: ControllerRegistrationSpec = Field(default_factory=ControllerRegistrationSpec)


class OCIRepository(ApiModel):
    """Where to pull the chart: a full ``ref``, or ``repository`` plus ``tag`` or ``digest``."""

    ref: str | None = None
    repository: str | None = None
    tag: str | None = None
    digest: str | None = None
    pull_secret_ref: LocalObjectReference | None = None
    ca_bundle_secret_ref: LocalObjectReference | None = None


class HelmControllerDeployment(ApiModel):
    raw_chart: str | None = None
    # apiextensionsv1.JSON: any JSON value, usually an object of chart values.
    values: Any = None
    oci_repository: OCIRepository | None = None


class ControllerDeployment(ApiModel):
    """How an extension controller is deployed; no spec, its fields sit at the top level."""

    api_version: Literal["core.gardener.cloud/v1"] = "core.gardener.cloud/v1"
    kind: Literal["ControllerDeployment"] = "ControllerDeployment"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    helm: HelmControllerDeployment | None = None
    inject_garden_kubeconfig: bool | None = None
    resources: list[NamedResourceReference] | None = None


class ControllerInstallationSpec(ApiModel):
    """Install the registration's controller on ``seedRef`` (or, for self-hosted shoots, ``shootRef``)."""

    registration_ref: ObjectReference
    deployment_ref: ObjectReference | None = None
    seed_ref: ObjectReference | None = None
    shoot_ref: ObjectReference | None = None
    resource_refs: list[RawExtension] | None = None


class ControllerInstallationStatus(ApiModel):
    conditions: list[Condition] | None = Field(default=None, json_schema_extra=merged_by("type"))
    provider_status: RawExtension | None = None


class ControllerInstallation(ApiModel):
    api_version: Literal["core.gardener.cloud/v1beta1"] = "core.gardener.cloud/v1beta1"
    kind: Literal["ControllerInstallation"] = "ControllerInstallation"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: ControllerInstallationSpec
    status: ControllerInstallationStatus | None = None
