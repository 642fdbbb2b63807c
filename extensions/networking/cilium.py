"""The ``cilium`` networking plugin: Network/cilium with Gardener's ``NetworkConfig`` as its providerConfig.

Entry point ``cilium = "extensions.networking.cilium:plugin"``. The schema follows
``cilium.networking.extensions.gardener.cloud/v1alpha1`` (strict, as Gardener decodes it); the manifests come from
``extensions.networking.cilium_manifests``.
"""

from __future__ import annotations

from extensions.contract import JSON, Context, ExtensionObject, Kind, Plugin, Registration
from extensions.networking import cilium_manifests
from extensions.networking import schemas as s
from extensions.networking.cni import CniActuator
from extensions.sdk import ShootView

API_VERSION = "cilium.networking.extensions.gardener.cloud/v1alpha1"
DEVICE = {"type": "string", "pattern": r"^[^/\s]{1,15}$", "description": "A network device name."}

SCHEMA: JSON = s.kind(API_VERSION, "NetworkConfig", {
    "debug": {"type": "boolean"},
    "kubeproxy": s.strict({"k8sServiceHost": s.text("The API server's address for the agents."),
                           "k8sServicePort": {"type": "integer", "minimum": 1, "maximum": 65535}}),
    "hubble": s.switch("Whether Hubble observes the flows."),
    "tunnel": s.one_of("vxlan", "geneve", "disabled", description="The encapsulation; disabled routes natively."),
    "store": s.one_of("kubernetes"),
    "ipv4": s.switch(), "ipv6": s.switch(),
    "bpfSocketLBHostnsOnly": s.switch(),
    "cni": s.strict({"exclusive": {"type": "boolean"}}, required=["exclusive"]),
    "egressGateway": s.switch(),
    "mtu": {"type": "integer", "minimum": 0, "errorMessage": "mtu must be a positive integer"},
    "devices": {"type": "array", "items": DEVICE},
    "directRoutingDevice": DEVICE,
    "loadBalancingMode": s.one_of("snat", "dsr", "hybrid"),
    "l2Announcements": s.strict({"enabled": {"type": "boolean"},
                                 **{k: s.text(pattern=s.DURATION) for k in ("leaseDuration", "leaseRenewDeadline",
                                                                             "leaseRetryPeriod")}},
                                required=["enabled"]),
    "ipv4NativeRoutingCIDREnabled": {"type": "boolean"}, "ipv6NativeRoutingCIDREnabled": {"type": "boolean"},
    "overlay": s.strict({"enabled": {"type": "boolean"}, "createPodRoutes": {"type": "boolean"}},
                        required=["enabled"]),
    "snatToUpstreamDNS": s.switch(), "snatOutOfCluster": s.switch(),
    "enableIpv4Masquerade": {"type": "boolean"}, "enableIpv6Masquerade": {"type": "boolean"},
    "enableBPFMasquerade": {"type": "boolean"},
    "bgpControlPlane": s.switch(),
    "policyAuditMode": {"type": "boolean"},
    "encryption": s.strict({"mode": s.one_of("wireguard"), "enabled": {"type": "boolean"},
                            "nodeToNodeEnabled": {"type": "boolean"}, "strictMode": {"type": "boolean"}},
                           required=["mode", "enabled"]),
}, description="Gardener's Cilium configuration of a shoot (spec.networking.providerConfig).", typed=False)


def render(obj: ExtensionObject, ctx: Context) -> list[JSON]:
    view = ShootView.of(ctx)
    kube_proxy = ((view.raw.get("spec") or {}).get("kubernetes") or {}).get("kubeProxy") or {}
    settings = cilium_manifests.Settings.of(obj.provider_config,
                                            pod_cidr=str(obj.spec.get("podCIDR") or view.networking.pods or ""),
                                            kube_proxy_enabled=kube_proxy.get("enabled", True) is not False)
    return cilium_manifests.manifests(settings)


def _deployments(obj: ExtensionObject) -> list[str]:
    hubble = bool((obj.provider_config.get("hubble") or {}).get("enabled", True))
    return ["cilium-operator", *(["hubble-relay"] if hubble else [])]


plugin = Plugin(
    name="networking-cilium", version="0.1.0",
    description="Cilium (eBPF) as the shoot's network",
    resources=(Registration(kind=Kind.NETWORK, type="cilium", provider_config_schema=SCHEMA,
                            actuator=CniActuator(render=render, daemonset="cilium", deployments=_deployments)),),
)
