"""The Shoot (``core.gardener.cloud/v1beta1``): a user's cluster request, its workers and its status.

Used by garden admission (defaulting, validation), the scheduler, the dispatcher and the seed agent's flows.
Control-plane component settings (kube-apiserver, kubelet, ...) are typed to the depth Gardener documents
them; provider configs are free-form. Json names are exactly Gardener's (``kubeAPIServer``, ``technicalID``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from shoot.api.meta import (
    AccessRestrictionWithOptions,
    ApiModel,
    Condition,
    Extension,
    Gardener,
    HighAvailability,
    IntOrString,
    LastError,
    LastOperation,
    NamedResourceReference,
    ObjectMeta,
    ObjectReference,
    Quantity,
    RawExtension,
    ResourceList,
    SeedSelector,
    Taint,
    Time,
    Toleration,
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


# --- addons, dns, hibernation -------------------------------------------------------------------------


class KubernetesDashboard(ApiModel):
    enabled: bool | None = None
    authentication_mode: str | None = None


class NginxIngress(ApiModel):
    enabled: bool | None = None
    load_balancer_source_ranges: list[str] | None = None
    config: dict[str, str] | None = None
    external_traffic_policy: str | None = None


class Addons(ApiModel):
    kubernetes_dashboard: KubernetesDashboard | None = None
    nginx_ingress: NginxIngress | None = None


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


# --- kubernetes control-plane components ---------------------------------------------------------------


class ControlPlaneAutoscaling(ApiModel):
    min_allowed: ResourceList | None = None


class ETCDConfig(ApiModel):
    autoscaling: ControlPlaneAutoscaling | None = None


class ETCD(ApiModel):
    main: ETCDConfig | None = None
    events: ETCDConfig | None = None


class AdmissionPlugin(ApiModel):
    name: str
    config: RawExtension | None = None
    disabled: bool | None = None
    kubeconfig_secret_name: str | None = None


class AuditPolicy(ApiModel):
    config_map_ref: ObjectReference | None = None


class AuditConfig(ApiModel):
    audit_policy: AuditPolicy | None = None


class OIDCConfig(ApiModel):
    """Deprecated OIDC flags of kube-apiserver (structured authentication replaces them)."""

    ca_bundle: str | None = None
    client_authentication: RawExtension | None = None
    client_id: str | None = Field(default=None, alias="clientID")
    groups_claim: str | None = None
    groups_prefix: str | None = None
    issuer_url: str | None = Field(default=None, alias="issuerURL")
    required_claims: dict[str, str] | None = None
    signing_algs: list[str] | None = None
    username_claim: str | None = None
    username_prefix: str | None = None


class ServiceAccountConfig(ApiModel):
    issuer: str | None = None
    accepted_issuers: list[str] | None = None
    extend_token_expiration: bool | None = None
    max_token_expiration: str | None = None


class ResourceWatchCacheSize(ApiModel):
    api_group: str | None = None
    resource: str
    size: int


class WatchCacheSizes(ApiModel):
    default: int | None = None
    resources: list[ResourceWatchCacheSize] | None = None


class APIServerRequests(ApiModel):
    max_non_mutating_inflight: int | None = None
    max_mutating_inflight: int | None = None


class APIServerLogging(ApiModel):
    verbosity: int | None = None
    http_access_verbosity: int | None = None


class EncryptionProvider(ApiModel):
    type: str | None = None


class EncryptionConfig(ApiModel):
    resources: list[str] | None = None
    provider: EncryptionProvider | None = None


class StructuredAuthentication(ApiModel):
    config_map_name: str


class AuthorizerKubeconfigReference(ApiModel):
    authorizer_name: str
    secret_name: str


class StructuredAuthorization(ApiModel):
    config_map_name: str
    kubeconfigs: list[AuthorizerKubeconfigReference] | None = None


class KubeAPIServerConfig(ApiModel):
    feature_gates: dict[str, bool] | None = None
    admission_plugins: list[AdmissionPlugin] | None = None
    api_audiences: list[str] | None = None
    audit_config: AuditConfig | None = None
    oidc_config: OIDCConfig | None = None
    runtime_config: dict[str, bool] | None = None
    service_account_config: ServiceAccountConfig | None = None
    watch_cache_sizes: WatchCacheSizes | None = None
    requests: APIServerRequests | None = None
    enable_anonymous_authentication: bool | None = None
    event_ttl: str | None = Field(default=None, alias="eventTTL")
    logging: APIServerLogging | None = None
    default_not_ready_toleration_seconds: int | None = None
    default_unreachable_toleration_seconds: int | None = None
    encryption_config: EncryptionConfig | None = None
    structured_authentication: StructuredAuthentication | None = None
    structured_authorization: StructuredAuthorization | None = None
    autoscaling: ControlPlaneAutoscaling | None = None
    tls_min_version: str | None = None


class HorizontalPodAutoscalerConfig(ApiModel):
    cpu_initialization_period: str | None = None
    downscale_stabilization: str | None = None
    initial_readiness_delay: str | None = None
    sync_period: str | None = None
    tolerance: float | None = None


class KubeControllerManagerConfig(ApiModel):
    feature_gates: dict[str, bool] | None = None
    horizontal_pod_autoscaler: HorizontalPodAutoscalerConfig | None = None
    node_cidr_mask_size: int | None = Field(default=None, alias="nodeCIDRMaskSize")
    node_cidr_mask_size_ipv6: int | None = Field(default=None, alias="nodeCIDRMaskSizeIPv6")
    pod_eviction_timeout: str | None = None
    node_monitor_grace_period: str | None = None


class KubeSchedulerConfig(ApiModel):
    feature_gates: dict[str, bool] | None = None
    kube_max_pd_vols: str | None = Field(default=None, alias="kubeMaxPDVols")
    profile: str | None = None


class KubeProxyConfig(ApiModel):
    feature_gates: dict[str, bool] | None = None
    mode: str | None = None
    enabled: bool | None = None


class KubeletConfigEviction(ApiModel):
    """Eviction thresholds: quantities or percentages such as ``"5%"``."""

    memory_available: str | None = None
    image_fs_available: str | None = Field(default=None, alias="imageFSAvailable")
    image_fs_inodes_free: str | None = Field(default=None, alias="imageFSInodesFree")
    node_fs_available: str | None = Field(default=None, alias="nodeFSAvailable")
    node_fs_inodes_free: str | None = Field(default=None, alias="nodeFSInodesFree")


class KubeletConfigEvictionMinimumReclaim(ApiModel):
    memory_available: Quantity | None = None
    image_fs_available: Quantity | None = Field(default=None, alias="imageFSAvailable")
    image_fs_inodes_free: Quantity | None = Field(default=None, alias="imageFSInodesFree")
    node_fs_available: Quantity | None = Field(default=None, alias="nodeFSAvailable")
    node_fs_inodes_free: Quantity | None = Field(default=None, alias="nodeFSInodesFree")


class KubeletConfigEvictionSoftGracePeriod(ApiModel):
    memory_available: str | None = None
    image_fs_available: str | None = Field(default=None, alias="imageFSAvailable")
    image_fs_inodes_free: str | None = Field(default=None, alias="imageFSInodesFree")
    node_fs_available: str | None = Field(default=None, alias="nodeFSAvailable")
    node_fs_inodes_free: str | None = Field(default=None, alias="nodeFSInodesFree")


class KubeletConfigReserved(ApiModel):
    cpu: Quantity | None = None
    memory: Quantity | None = None
    ephemeral_storage: Quantity | None = None
    pid: Quantity | None = None


class MemorySwapConfiguration(ApiModel):
    swap_behavior: str | None = None


class KubeletConfig(ApiModel):
    feature_gates: dict[str, bool] | None = None
    cpu_cfs_quota: bool | None = Field(default=None, alias="cpuCFSQuota")
    cpu_manager_policy: str | None = None
    eviction_hard: KubeletConfigEviction | None = None
    eviction_max_pod_grace_period: int | None = None
    eviction_minimum_reclaim: KubeletConfigEvictionMinimumReclaim | None = None
    eviction_pressure_transition_period: str | None = None
    eviction_soft: KubeletConfigEviction | None = None
    eviction_soft_grace_period: KubeletConfigEvictionSoftGracePeriod | None = None
    max_pods: int | None = None
    pod_pids_limit: int | None = None
    fail_swap_on: bool | None = None
    kube_reserved: KubeletConfigReserved | None = None
    system_reserved: KubeletConfigReserved | None = None
    image_gc_high_threshold_percent: int | None = Field(default=None, alias="imageGCHighThresholdPercent")
    image_gc_low_threshold_percent: int | None = Field(default=None, alias="imageGCLowThresholdPercent")
    image_minimum_gc_age: str | None = Field(default=None, alias="imageMinimumGCAge")
    image_maximum_gc_age: str | None = Field(default=None, alias="imageMaximumGCAge")
    serialize_image_pulls: bool | None = None
    max_parallel_image_pulls: int | None = None
    registry_pull_qps: int | None = Field(default=None, alias="registryPullQPS")
    registry_burst: int | None = None
    seccomp_default: bool | None = None
    container_log_max_size: Quantity | None = None
    container_log_max_files: int | None = None
    protect_kernel_defaults: bool | None = None
    streaming_connection_idle_timeout: str | None = None
    memory_swap: MemorySwapConfiguration | None = None
    single_process_oom_kill: bool | None = Field(default=None, alias="singleProcessOOMKill")
    image_pull_credentials_verification_policy: str | None = None
    preloaded_images_verification_allowlist: list[str] | None = None


class ClusterAutoscaler(ApiModel):
    scale_down_delay_after_add: str | None = None
    scale_down_delay_after_delete: str | None = None
    scale_down_delay_after_failure: str | None = None
    scale_down_unneeded_time: str | None = None
    scale_down_utilization_threshold: float | None = None
    scan_interval: str | None = None
    expander: str | None = None
    max_node_provision_time: str | None = None
    max_graceful_termination_seconds: int | None = None
    ignore_taints: list[str] | None = None
    new_pod_scale_up_delay: str | None = None
    max_empty_bulk_delete: int | None = None
    ignore_daemonsets_utilization: bool | None = None
    verbosity: int | None = None
    startup_taints: list[str] | None = None
    status_taints: list[str] | None = None
    max_scale_down_parallelism: int | None = None
    max_drain_parallelism: int | None = None
    max_binpacking_time: str | None = None
    initial_node_group_backoff_duration: str | None = None
    max_node_group_backoff_duration: str | None = None
    node_group_backoff_reset_timeout: str | None = None
    emit_per_node_group_metrics: bool | None = None
    autoscaling: ControlPlaneAutoscaling | None = None


class VerticalPodAutoscaler(ApiModel):
    enabled: bool | None = None
    evict_after_oom_threshold: str | None = Field(default=None, alias="evictAfterOOMThreshold")
    eviction_rate_burst: int | None = None
    eviction_rate_limit: float | None = None
    eviction_tolerance: float | None = None
    recommendation_margin_fraction: float | None = None
    updater_interval: str | None = None
    recommender_interval: str | None = None
    target_cpu_percentile: float | None = Field(default=None, alias="targetCPUPercentile")
    recommendation_lower_bound_cpu_percentile: float | None = Field(
        default=None, alias="recommendationLowerBoundCPUPercentile"
    )
    recommendation_upper_bound_cpu_percentile: float | None = Field(
        default=None, alias="recommendationUpperBoundCPUPercentile"
    )
    target_memory_percentile: float | None = None
    recommendation_lower_bound_memory_percentile: float | None = None
    recommendation_upper_bound_memory_percentile: float | None = None
    cpu_histogram_decay_half_life: str | None = None
    memory_histogram_decay_half_life: str | None = None
    memory_aggregation_interval: str | None = None
    memory_aggregation_interval_count: int | None = None
    feature_gates: dict[str, bool] | None = None
    max_allowed: ResourceList | None = None
    recommender_update_worker_count: int | None = None


class Kubernetes(ApiModel):
    """Version and settings of the control plane; ``version`` may be partial ("1.33") until admission."""

    version: str | None = None
    cluster_autoscaler: ClusterAutoscaler | None = None
    kube_api_server: KubeAPIServerConfig | None = Field(default=None, alias="kubeAPIServer")
    kube_controller_manager: KubeControllerManagerConfig | None = None
    kube_scheduler: KubeSchedulerConfig | None = None
    kube_proxy: KubeProxyConfig | None = None
    kubelet: KubeletConfig | None = None
    vertical_pod_autoscaler: VerticalPodAutoscaler | None = None
    etcd: ETCD | None = None


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
    minimum: int
    maximum: int
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
    priority: int | None = None
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
    workers: list[Worker] | None = None
    workers_settings: WorkersSettings | None = None


# --- system components, control plane, references --------------------------------------------------------


class CoreDNSAutoscaling(ApiModel):
    mode: str


class CoreDNSRewriting(ApiModel):
    common_suffixes: list[str] | None = None


class CoreDNS(ApiModel):
    autoscaling: CoreDNSAutoscaling | None = None
    rewriting: CoreDNSRewriting | None = None


class NodeLocalDNS(ApiModel):
    enabled: bool | None = None
    force_tcp_to_cluster_dns: bool | None = Field(default=None, alias="forceTCPToClusterDNS")
    force_tcp_to_upstream_dns: bool | None = Field(default=None, alias="forceTCPToUpstreamDNS")
    disable_forward_to_upstream_dns: bool | None = Field(default=None, alias="disableForwardToUpstreamDNS")


class SystemComponents(ApiModel):
    core_dns: CoreDNS | None = Field(default=None, alias="coreDNS")
    node_local_dns: NodeLocalDNS | None = Field(default=None, alias="nodeLocalDNS")


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
    tolerations: list[Toleration] | None = None
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
    conditions: list[Condition] | None = None
    constraints: list[Condition] | None = None
    gardener: Gardener | None = None
    hibernated: bool | None = None
    last_operation: LastOperation | None = None
    last_errors: list[LastError] | None = None
    observed_generation: int | None = None
    retry_cycle_start_time: Time | None = None
    seed_name: str | None = None
    technical_id: str | None = Field(default=None, alias="technicalID")
    uid: str | None = None
    cluster_identity: str | None = None
    advertised_addresses: list[ShootAdvertisedAddress] | None = None
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
