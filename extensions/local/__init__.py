"""The ``local`` provider: shoots whose infrastructure, machines and DNS are the local seed cluster itself.

Entry point ``local = "extensions.local:plugin"`` (group ``hortus.extensions``). Infrastructure = NetworkPolicies in
the shoot's seed namespace, Worker = machine Pods that become the shoot's Nodes, ControlPlane = the provider's
(empty) control-plane part, DNSRecord = zones kept on the seed, OperatingSystemConfig = the bash user data of the
``local`` machine image. Like Gardener's provider-local, it takes no providerConfig.
"""

from __future__ import annotations

from extensions.contract import Kind, Plugin, Registration
from extensions.local.controlplane import ControlPlaneActuator
from extensions.local.dns import DNSRecordActuator
from extensions.local.infrastructure import InfrastructureActuator
from extensions.local.osc import OperatingSystemConfigActuator
from extensions.local.worker import WorkerActuator

TYPE = "local"
VERSION = "0.1.0"

plugin = Plugin(
    name="provider-local",
    version=VERSION,
    description="Shoots on the local seed cluster: machines as Pods, network policies, DNS zones on the seed",
    resources=(
        Registration(kind=Kind.INFRASTRUCTURE, type=TYPE, actuator=InfrastructureActuator()),
        Registration(kind=Kind.CONTROL_PLANE, type=TYPE, actuator=ControlPlaneActuator()),
        Registration(kind=Kind.WORKER, type=TYPE, actuator=WorkerActuator()),
        Registration(kind=Kind.DNS_RECORD, type=TYPE, actuator=DNSRecordActuator()),
        Registration(kind=Kind.OPERATING_SYSTEM_CONFIG, type=TYPE, actuator=OperatingSystemConfigActuator()),
    ),
)
