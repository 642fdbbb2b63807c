"""The Kubernetes components a Shoot configures: ``spec.kubernetes`` (its version, kube-apiserver,
controller-manager, scheduler, proxy, kubelet, etcd, the cluster and vertical pod autoscalers), ``spec.addons``
and ``spec.systemComponents`` (CoreDNS, node-local DNS), typed to the depth Gardener documents them.

Embedded by ``shoot.api.shoot`` (``ShootSpec``, a worker pool's kubelet); read by garden admission (defaulting,
validation) and the seed agent's control-plane rendering.
"""

from __future__ import annotations

from pydantic import Field

from shoot.api.meta import (
    ApiModel,
    ObjectReference,
    Quantity,
    RawExtension,
    ResourceList,
    merged_by,
)

# --- spec.kubernetes -----------------------------------------------------------------------------------


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
    admission_plugins: list[AdmissionPlugin] | None = Field(default=None, json_schema_extra=merged_by("name"))
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


# --- addons and system components --------------------------------------------------------------------


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
