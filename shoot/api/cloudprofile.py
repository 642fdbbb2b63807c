"""The CloudProfile (``core.gardener.cloud/v1beta1``, cluster-scoped): what a provider environment offers.

Admission checks shoots against it (Kubernetes versions and their expiration, machine images, machine and
volume types, regions and zones, limits); the scheduler reads its ``seedSelector``; quota accounting reads
machine-type cpu/gpu/memory.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from shoot.api.meta import (
    AccessRestriction,
    ApiModel,
    ObjectMeta,
    Quantity,
    RawExtension,
    SeedSelector,
    Time,
    merged_by,
)
from shoot.api.shoot import CRI


class VersionClassification(StrEnum):
    PREVIEW = "preview"
    SUPPORTED = "supported"
    DEPRECATED = "deprecated"


class LifecycleStage(ApiModel):
    """One stage of a version's lifecycle (``VersionClassificationLifecycle`` feature)."""

    classification: str
    start_time: Time | None = None


class ExpirableVersion(ApiModel):
    version: str
    expiration_date: Time | None = None
    classification: str | None = None
    lifecycle: list[LifecycleStage] | None = None


class KubernetesSettings(ApiModel):
    versions: list[ExpirableVersion] | None = Field(default=None, json_schema_extra=merged_by("version"))


class InPlaceUpdates(ApiModel):
    supported: bool | None = None
    min_version_for_update: str | None = None


class MachineImageVersion(ExpirableVersion):
    # The CRIs this version supports, each with its extra container runtimes (gVisor, Kata).
    cri: list[CRI] | None = None
    architectures: list[str] | None = None
    kubelet_version_constraint: str | None = None
    in_place_updates: InPlaceUpdates | None = None
    # Capability sets: capability name -> values, e.g. {"architecture": ["amd64"]}.
    capability_sets: list[dict[str, list[str]]] | None = None
    capability_flavors: list[dict[str, list[str]]] | None = None


class MachineImage(ApiModel):
    name: str
    versions: list[MachineImageVersion] = Field(json_schema_extra=merged_by("version"))
    update_strategy: str | None = None


class MachineTypeStorage(ApiModel):
    class_: str | None = Field(default=None, alias="class")
    type: str | None = None
    size: Quantity | None = None
    min_size: Quantity | None = None


class MachineType(ApiModel):
    name: str
    cpu: Quantity
    memory: Quantity
    gpu: Quantity | None = None
    storage: MachineTypeStorage | None = None
    usable: bool | None = None
    architecture: str | None = None
    capabilities: dict[str, list[str]] | None = None
    machine_controller_manager: RawExtension | None = None


class VolumeType(ApiModel):
    name: str
    class_: str | None = Field(default=None, alias="class")
    usable: bool | None = None
    min_size: Quantity | None = None


class AvailabilityZone(ApiModel):
    name: str
    unavailable_machine_types: list[str] | None = None
    unavailable_volume_types: list[str] | None = None


class Region(ApiModel):
    name: str
    zones: list[AvailabilityZone] | None = Field(default=None, json_schema_extra=merged_by("name"))
    labels: dict[str, str] | None = None
    access_restrictions: list[AccessRestriction] | None = None


class BastionMachineImage(ApiModel):
    name: str
    version: str | None = None


class BastionMachineType(ApiModel):
    name: str


class Bastion(ApiModel):
    machine_image: BastionMachineImage | None = None
    machine_type: BastionMachineType | None = None


class Limits(ApiModel):
    max_nodes_total: int | None = None


class Capability(ApiModel):
    name: str
    values: list[str]


class CloudProfileSpec(ApiModel):
    type: str
    kubernetes: KubernetesSettings
    machine_images: list[MachineImage] = Field(json_schema_extra=merged_by("name"))
    machine_types: list[MachineType] = Field(json_schema_extra=merged_by("name"))
    regions: list[Region] = Field(json_schema_extra=merged_by("name"))
    volume_types: list[VolumeType] | None = Field(default=None, json_schema_extra=merged_by("name"))
    provider_config: RawExtension | None = None
    seed_selector: SeedSelector | None = None
    ca_bundle: str | None = None
    bastion: Bastion | None = None
    limits: Limits | None = None
    capabilities: list[Capability] | None = None
    machine_capabilities: list[Capability] | None = None


class CloudProfile(ApiModel):
    """A provider environment profile; cluster-scoped, no status."""

    api_version: Literal["core.gardener.cloud/v1beta1"] = "core.gardener.cloud/v1beta1"
    kind: Literal["CloudProfile"] = "CloudProfile"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: CloudProfileSpec
