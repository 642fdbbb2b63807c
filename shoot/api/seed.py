"""The Seed (``core.gardener.cloud/v1beta1``, cluster-scoped): a cluster that hosts shoot control planes.

Used by the scheduler (provider, region, zones, taints, networks, capacity, visibility), the seed lifecycle
controller (``GardenletReady``, allocatable shoots) and by the seed agent when it registers its seed.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from shoot.api.meta import (
    AccessRestriction,
    ApiModel,
    Condition,
    Extension,
    Gardener,
    LastOperation,
    NamedResourceReference,
    ObjectMeta,
    ObjectReference,
    PodToleration,
    Quantity,
    RawExtension,
    ResourceList,
    Time,
    merged_by,
)


class SeedConditionType(StrEnum):
    GARDENLET_READY = "GardenletReady"
    BACKUP_BUCKETS_READY = "BackupBucketsReady"
    EXTENSIONS_READY = "ExtensionsReady"
    SEED_SYSTEM_COMPONENTS_HEALTHY = "SeedSystemComponentsHealthy"
    EMERGENCY_STOP_SHOOT_RECONCILIATIONS = "EmergencyStopShootReconciliations"


# The ``status.capacity``/``status.allocatable`` key counting shoots.
RESOURCE_SHOOTS = "shoots"


class Backup(ApiModel):
    """Object store for etcd backups (shared with a self-hosted shoot's control-plane worker pool)."""

    provider: str
    provider_config: RawExtension | None = None
    region: str | None = None
    credentials_ref: ObjectReference | None = None


class SeedDNSProvider(ApiModel):
    type: str
    credentials_ref: ObjectReference | None = None


class SeedDNSProviderConfig(ApiModel):
    type: str
    domain: str
    zone: str | None = None
    credentials_ref: ObjectReference


class SeedDNS(ApiModel):
    provider: SeedDNSProvider | None = None
    internal: SeedDNSProviderConfig | None = None
    defaults: list[SeedDNSProviderConfig] | None = None


class IngressController(ApiModel):
    kind: str
    provider_config: RawExtension | None = None


class Ingress(ApiModel):
    domain: str
    controller: IngressController


class ShootNetworks(ApiModel):
    """Pod and service CIDRs given to shoots that do not choose their own."""

    pods: str | None = None
    services: str | None = None


class SeedNetworks(ApiModel):
    pods: str
    services: str
    nodes: str | None = None
    shoot_defaults: ShootNetworks | None = None
    block_cidrs: list[str] | None = Field(default=None, alias="blockCIDRs")
    ip_families: list[str] | None = None


class SeedProvider(ApiModel):
    type: str
    region: str
    zones: list[str] | None = None
    provider_config: RawExtension | None = None


class ExcessCapacityReservationConfig(ApiModel):
    resources: ResourceList
    node_selector: dict[str, str] | None = None
    tolerations: list[PodToleration] | None = None


class SeedSettingExcessCapacityReservation(ApiModel):
    enabled: bool | None = None
    configs: list[ExcessCapacityReservationConfig] | None = None


class SeedSettingScheduling(ApiModel):
    visible: bool | None = None


class ProxyProtocol(ApiModel):
    allowed: bool | None = None


class LoadBalancerServicesZone(ApiModel):
    name: str
    annotations: dict[str, str] | None = None
    external_traffic_policy: str | None = None
    proxy_protocol: ProxyProtocol | None = None


class ZonalIngress(ApiModel):
    enabled: bool | None = None


class SeedSettingLoadBalancerServices(ApiModel):
    annotations: dict[str, str] | None = None
    class_: str | None = Field(default=None, alias="class")
    external_traffic_policy: str | None = None
    proxy_protocol: ProxyProtocol | None = None
    zones: list[LoadBalancerServicesZone] | None = None
    zonal_ingress: ZonalIngress | None = None


class SeedSettingVerticalPodAutoscaler(ApiModel):
    enabled: bool | None = None
    feature_gates: dict[str, bool] | None = None
    max_allowed: ResourceList | None = None


class Enabled(ApiModel):
    """A settings block that only switches something on or off."""

    enabled: bool | None = None


class SeedSettingDependencyWatchdog(ApiModel):
    weeder: Enabled | None = None
    prober: Enabled | None = None


class SeedSettingZoneSelection(ApiModel):
    mode: str


class SeedSettings(ApiModel):
    excess_capacity_reservation: SeedSettingExcessCapacityReservation | None = None
    scheduling: SeedSettingScheduling | None = None
    load_balancer_services: SeedSettingLoadBalancerServices | None = None
    vertical_pod_autoscaler: SeedSettingVerticalPodAutoscaler | None = None
    dependency_watchdog: SeedSettingDependencyWatchdog | None = None
    topology_aware_routing: Enabled | None = None
    zone_selection: SeedSettingZoneSelection | None = None
    persistent_volume_claim_autoscaler: Enabled | None = None


class SeedTaint(ApiModel):
    key: str
    value: str | None = None


class SeedVolumeProvider(ApiModel):
    purpose: str
    name: str


class SeedVolume(ApiModel):
    minimum_size: Quantity | None = None
    providers: list[SeedVolumeProvider] | None = Field(default=None, json_schema_extra=merged_by("name"))


class SeedSpec(ApiModel):
    provider: SeedProvider
    networks: SeedNetworks
    backup: Backup | None = None
    dns: SeedDNS | None = None
    taints: list[SeedTaint] | None = None
    volume: SeedVolume | None = None
    settings: SeedSettings | None = None
    ingress: Ingress | None = None
    access_restrictions: list[AccessRestriction] | None = None
    extensions: list[Extension] | None = None
    resources: list[NamedResourceReference] | None = None


class SeedStatus(ApiModel):
    gardener: Gardener | None = None
    kubernetes_version: str | None = None
    conditions: list[Condition] | None = Field(default=None, json_schema_extra=merged_by("type"))
    constraints: list[Condition] | None = None
    observed_generation: int | None = None
    cluster_identity: str | None = None
    capacity: ResourceList | None = None
    allocatable: ResourceList | None = None
    client_certificate_expiration_timestamp: Time | None = None
    last_operation: LastOperation | None = None


class Seed(ApiModel):
    """A seed cluster; cluster-scoped."""

    api_version: Literal["core.gardener.cloud/v1beta1"] = "core.gardener.cloud/v1beta1"
    kind: Literal["Seed"] = "Seed"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: SeedSpec
    status: SeedStatus | None = None
