"""The Shoot (``core.gardener.cloud/v1beta1``): a user's cluster request, its workers and its status.

Used by garden admission (defaulting, validation), the scheduler, the dispatcher and the seed agent's flows.
Kubernetes component settings (kube-apiserver, kubelet, addons, CoreDNS, ...) live in ``shoot.api.kubernetes``;
provider configs are free-form. Json names are exactly Gardener's (``kubeAPIServer``, ``technicalID``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from shoot.api.kubernetes import Addons, Kubernetes, SystemComponents
from shoot.api.kubernetes import KubeletConfig as KubeletConfig  # re-exported for shoot.validation
from shoot.api.meta import (
    AccessRestrictionWithOptions,
    ApiModel,
    Condition,
    Extension,
    Gardener,
    HighAvailability,
    Int32,
    IntOrString,
    LastError,
    LastOperation,
    NamedResourceReference,
    ObjectMeta,
    ObjectReference,
    RawExtension,
    SeedSelector,
    Taint,
    Time,
    Toleration,
    merged_by,
)
from shoot.api.seed import Backup


class ShootConditionType(StrEnum):
    """The five health conditions and the constraints of a shoot."""

    API_SERVER_AVAILABLE = "APIServerAvailable"
    CONTROL_PLANE_HEALTHY = "ControlPlaneHealthy"
    OBSERVABILITY_COMPONENTS_HEALTHY = "ObservabilityComponentsHealthy"
    EVERY_NODE_READY = "EveryNodeReady"
    SYSTEM_COMPONENTS_HEALTHY = "SystemComponentsHealthy"
    HIBERNATION_POSSIBLE = "HibernationPossible"
    MAINTENANCE_PRECONDITIONS_SATISFIED = "MaintenancePreconditionsSatisfied"


class ShootPurpose(StrEnum):
    EVALUATION = "evaluation"
    TESTING = "testing"
    DEVELOPMENT = "development"
    PRODUCTION = "production"
    INFRASTRUCTURE = "infrastructure"


# --- dns, hibernation ---------------------------------------------------------------------------------


class DNSIncludeExclude(ApiModel):
    include: list[str] | None = None
    exclude: list[str] | None = None


class DNSProvider(ApiModel):
    type: str | None = None
    primary: bool | None = None
    credentials_ref: ObjectReference | None = None
    secret_name: str | None = None
    domains: DNSIncludeExclude | None = None
    zones: DNSIncludeExclude | None = None


class DNS(ApiModel):
    domain: str | None = None
    providers: list[DNSProvider] | None = None


class HibernationSchedule(ApiModel):
    """Cron specs: hibernate at ``start``, wake up at ``end``, evaluated in ``location`` (an IANA zone)."""

    start: str | None = None
    end: str | None = None
    location: str | None = None


class Hibernation(ApiModel):
    enabled: bool | None = None
    schedules: list[HibernationSchedule] | None = None


# --- networking, maintenance, monitoring ---------------------------------------------------------------


class Networking(ApiModel):
    type: str | None = None
    provider_config: RawExtension | None = None
    pods: str | None = None
    nodes: str | None = None
    services: str | None = None
    ip_families: list[str] | None = None


class MaintenanceAutoUpdate(ApiModel):
    kubernetes_version: bool | None = None
    machine_image_version: bool | None = None


class MaintenanceTimeWindow(ApiModel):
    """``HHMMSS+ZZZZ`` bounds, e.g. ``220000+0100``."""

    begin: str
    end: str


class MaintenanceRotationConfig(ApiModel):
    enabled: bool | None = None
    rotation_period: str | None = None


class MaintenanceCredentialsAutoRotation(ApiModel):
    observability: MaintenanceRotationConfig | None = None
    ssh_keypair: MaintenanceRotationConfig | None = None
    etcd_encryption_key: MaintenanceRotationConfig | None = None


class MaintenanceAutoRotation(ApiModel):
    credentials: MaintenanceCredentialsAutoRotation | None = None


class Maintenance(ApiModel):
    auto_update: MaintenanceAutoUpdate | None = None
    time_window: MaintenanceTimeWindow | None = None
    confine_spec_update_rollout: bool | None = None
    auto_rotation: MaintenanceAutoRotation | None = None


class Alerting(ApiModel):
    email_receivers: list[str] | None = None


class Monitoring(ApiModel):
    alerting: Alerting | None = None


# --- provider and workers ------------------------------------------------------------------------------


class ShootMachineImage(ApiModel):
    name: str
    version: str | None = None
    provider_config: RawExtension | None = None


class Machine(ApiModel):
    type: str
    image: ShootMachineImage | None = None
    architecture: str | None = None


class Volume(ApiModel):
    """A worker's root volume; ``size`` must look like ``20Gi``."""

    name: str | None = None
    type: str | None = None
    size: str
    encrypted: bool | None = None


class DataVolume(ApiModel):
    name: str
    type: str | None = None
    size: str
    encrypted: bool | None = None


class ContainerRuntime(ApiModel):
    type: str
    provider_config: RawExtension | None = None


class CRI(ApiModel):
    name: str
    container_runtimes: list[ContainerRuntime] | None = None


class WorkerKubernetes(ApiModel):
    version: str | None = None
    kubelet: KubeletConfig | None = None


class WorkerSystemComponents(ApiModel):
    allow: bool | None = None


class MachineControllerManagerSettings(ApiModel):
    machine_drain_timeout: str | None = None
    machine_health_timeout: str | None = None
    machine_creation_timeout: str | None = None
    max_evict_retries: int | None = None
    node_conditions: list[str] | None = None
    in_place_update_timeout: str | None = None
    disable_health_timeout: bool | None = None
    machine_preserve_timeout: str | None = None
    auto_preserve_failed_machine_max: int | None = None


class ClusterAutoscalerOptions(ApiModel):
    scale_down_utilization_threshold: float | None = None
    scale_down_gpu_utilization_threshold: float | None = None
    scale_down_unneeded_time: str | None = None
    scale_down_unready_time: str | None = None
    max_node_provision_time: str | None = None


class WorkerControlPlane(ApiModel):
    """Marks the pool as hosting the control plane of a self-hosted shoot (GEP-28)."""

    backup: Backup | None = None
    exposure: RawExtension | None = None


class Worker(ApiModel):
    """A worker pool; ``minimum``/``maximum`` are divided over ``zones``."""

    name: str
    machine: Machine
    minimum: Int32
    maximum: Int32
    max_surge: IntOrString | None = None
    max_unavailable: IntOrString | None = None
    annotations: dict[str, str] | None = None
    labels: dict[str, str] | None = None
    taints: list[Taint] | None = None
    ca_bundle: str | None = None
    cri: CRI | None = None
    kubernetes: WorkerKubernetes | None = None
    provider_config: RawExtension | None = None
    volume: Volume | None = None
    data_volumes: list[DataVolume] | None = None
    kubelet_data_volume_name: str | None = None
    zones: list[str] | None = None
    system_components: WorkerSystemComponents | None = None
    machine_controller_manager: MachineControllerManagerSettings | None = None
    sysctls: dict[str, str] | None = None
    cluster_autoscaler: ClusterAutoscalerOptions | None = None
    priority: Int32 | None = None
    update_strategy: str | None = None
    control_plane: WorkerControlPlane | None = None


class SSHAccess(ApiModel):
    enabled: bool | None = None


class WorkersSettings(ApiModel):
    ssh_access: SSHAccess | None = None


class Provider(ApiModel):
    type: str
    control_plane_config: RawExtension | None = None
    infrastructure_config: RawExtension | None = None
    workers: list[Worker] | None = Field(default=None, json_schema_extra=merged_by("name"))
    workers_settings: WorkersSettings | None = None


# --- control plane, references ---------------------------------------------------------------------------


class ControlPlane(ApiModel):
    high_availability: HighAvailability | None = None
    zones: list[str] | None = None


class CloudProfileReference(ApiModel):
    """``{kind: CloudProfile|NamespacedCloudProfile, name}``; kind is defaulted by admission."""

    kind: str | None = None
    name: str


class ShootSpec(ApiModel):
    region: str
    provider: Provider
    addons: Addons | None = None
    cloud_profile_name: str | None = None
    cloud_profile: CloudProfileReference | None = None
    dns: DNS | None = None
    extensions: list[Extension] | None = None
    hibernation: Hibernation | None = None
    kubernetes: Kubernetes | None = None
    networking: Networking | None = None
    maintenance: Maintenance | None = None
    monitoring: Monitoring | None = None
    purpose: str | None = None
    secret_binding_name: str | None = None
    credentials_binding_name: str | None = None
    seed_name: str | None = None
    seed_selector: SeedSelector | None = None
    resources: list[NamedResourceReference] | None = None
    tolerations: list[Toleration] | None = Field(default=None, json_schema_extra=merged_by("key"))
    exposure_class_name: str | None = None
    system_components: SystemComponents | None = None
    control_plane: ControlPlane | None = None
    scheduler_name: str | None = None
    access_restrictions: list[AccessRestrictionWithOptions] | None = None


# --- status ---------------------------------------------------------------------------------------------


class ShootAdvertisedAddress(ApiModel):
    """``external``, ``internal``, ``service-account-issuer``, ... with an ``https://host[:port]`` URL."""

    name: str
    url: str
    application: str | None = None


class StepState(StrEnum):
    PENDING = "Pending"
    RUNNING = "Running"
    SUCCEEDED = "Succeeded"
    # Failed this run and will be retried (a temporary error, or waiting for something).
    ERROR = "Error"
    FAILED = "Failed"
    SKIPPED = "Skipped"


class OperationStep(ApiModel):
    """One step of the running or last operation's flow (hortus, not Gardener: the console's step timeline).

    Written by the seed agent's flow engine through ``shoots/status`` as the flow runs, in the flow's order.
    """

    name: str
    state: StepState
    started_at: Time | None = None
    finished_at: Time | None = None
    retries: int | None = None
    message: str | None = None
    codes: list[str] | None = None


class LastMaintenance(ApiModel):
    description: str | None = None
    triggered_time: Time | None = None
    state: str | None = None
    failure_reason: str | None = None


class NetworkingStatus(ApiModel):
    pods: list[str] | None = None
    nodes: list[str] | None = None
    services: list[str] | None = None
    egress_cidrs: list[str] | None = Field(default=None, alias="egressCIDRs")


class ShootStatus(ApiModel):
    conditions: list[Condition] | None = Field(default=None, json_schema_extra=merged_by("type"))
    constraints: list[Condition] | None = Field(default=None, json_schema_extra=merged_by("type"))
    gardener: Gardener | None = None
    hibernated: bool | None = None
    last_operation: LastOperation | None = None
    # The steps of ``lastOperation``'s flow with their timings (hortus's addition to Gardener's status).
    last_operation_steps: list[OperationStep] | None = None
    last_errors: list[LastError] | None = None
    observed_generation: int | None = None
    retry_cycle_start_time: Time | None = None
    seed_name: str | None = None
    technical_id: str | None = Field(default=None, alias="technicalID")
    uid: str | None = None
    cluster_identity: str | None = None
    advertised_addresses: list[ShootAdvertisedAddress] | None = Field(default=None, json_schema_extra=merged_by("name"))
    migration_start_time: Time | None = None
    # Rotation phases and timestamps per credential kind; kept free-form, the flows own their shape.
    credentials: RawExtension | None = None
    last_hibernation_trigger_time: Time | None = None
    last_maintenance: LastMaintenance | None = None
    encrypted_resources: list[str] | None = None
    networking: NetworkingStatus | None = None
    in_place_updates: RawExtension | None = None
    live_migration: RawExtension | None = None


class Shoot(ApiModel):
    """A Shoot cluster, namespaced in its project's namespace ``garden-<project>``."""

    api_version: Literal["core.gardener.cloud/v1beta1"] = "core.gardener.cloud/v1beta1"
    kind: Literal["Shoot"] = "Shoot"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: ShootSpec
    status: ShootStatus | None = None
