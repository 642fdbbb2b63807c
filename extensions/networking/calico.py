"""The ``calico`` networking plugin: Network/calico with Gardener's ``NetworkConfig`` as its providerConfig.

Entry point ``calico = "extensions.networking.calico:plugin"``. The schema follows
``calico.networking.extensions.gardener.cloud/v1alpha1`` (strict: unknown fields are refused, as Gardener's
strict decoding does); the manifests come from ``extensions.networking.calico_manifests``.
"""

from __future__ import annotations

from extensions.contract import JSON, Context, ExtensionObject, Kind, Plugin, Registration
from extensions.networking import calico_manifests
from extensions.networking import schemas as s
from extensions.networking.cni import CniActuator
from extensions.sdk import ShootView

API_VERSION = "calico.networking.extensions.gardener.cloud/v1alpha1"
MODES = ("Always", "Never", "CrossSubnet", "Off")
AUTODETECT = r"^(first-found|kubernetes-internal-ip|(can-reach|interface|skip-interface|cidr)=.+)$"

_POOL = {"pool": s.one_of("ipip", "vxlan", description="The type of IP pool of the tunnel interface."),
         "mode": s.one_of(*MODES, description="The encapsulation mode of the pool."),
         "autoDetectionMethod": s.text("How calico-node finds the node's address.", pattern=AUTODETECT)}
_RESOURCES = {"type": "object", "additionalProperties": {"anyOf": [{"type": "string"}, {"type": "number"}]}}
SCHEMA: JSON = s.kind(API_VERSION, "NetworkConfig", {
    "backend": s.one_of("bird", "none", "vxlan", description="The routing backend."),
    "ipam": s.strict({"type": s.one_of("host-local", "calico-ipam"),
                      "cidr": s.text("The CIDR to assign pod addresses from, or usePodCIDR.")}, required=["type"]),
    "ipv4": s.strict(_POOL),
    "ipv6": s.strict({**_POOL, "sourceNATEnabled": {"type": "boolean"}}),
    "typha": s.switch("Whether calico-typha offloads the API server (recommended for large clusters)."),
    "vethMTU": s.text("The MTU of the pods' interfaces; 0 detects it.", pattern=r"^[0-9]+$"),
    "ebpfDataplane": s.switch("Whether the eBPF dataplane replaces iptables."),
    "overlay": s.strict({"enabled": {"type": "boolean"}, "createPodRoutes": {"type": "boolean"}},
                        required=["enabled"]),
    "snatToUpstreamDNS": s.switch("Masquerade packets to the upstream DNS server."),
    "autoScaling": s.strict({"mode": s.one_of("cluster-proportional", "vpa", "static"),
                             "resources": s.strict({"node": _RESOURCES, "typha": _RESOURCES})}, required=["mode"]),
    "vxlan": s.switch("Whether VXLAN is the overlay."),
    "ipip": s.one_of(*MODES, description="Deprecated: ipv4.mode."),
    "ipAutodetectionMethod": s.text("Deprecated: ipv4.autoDetectionMethod.", pattern=AUTODETECT),
    "wireguardEncryption": {"type": "boolean"},
    "birdExporter": s.switch(),
    "multus": s.strict({"enabled": {"type": "boolean"}, "installCNIPlugins": {"type": "boolean"}},
                       required=["enabled"]),
    "serviceLoopPrevention": s.one_of("Disabled", "Drop", "Reject"),
}, description="Gardener's Calico configuration of a shoot (spec.networking.providerConfig).", typed=False)


def render(obj: ExtensionObject, ctx: Context) -> list[JSON]:
    view = ShootView.of(ctx)
    pod_cidr = str(obj.spec.get("podCIDR") or view.networking.pods or "")
    settings = calico_manifests.Settings.of(obj.provider_config, pod_cidr=pod_cidr, node_cidr=view.networking.nodes)
    return calico_manifests.manifests(settings)


def _deployments(obj: ExtensionObject) -> list[str]:
    typha = bool((obj.provider_config.get("typha") or {}).get("enabled", True))
    return ["calico-kube-controllers", *(["calico-typha"] if typha else [])]


plugin = Plugin(
    name="networking-calico", version="0.1.0",
    description="Calico as the shoot's network (CNI, network policies)",
    resources=(Registration(kind=Kind.NETWORK, type="calico", provider_config_schema=SCHEMA,
                            actuator=CniActuator(render=render, daemonset="calico-node", deployments=_deployments)),),
)
