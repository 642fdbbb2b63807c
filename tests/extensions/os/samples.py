"""OperatingSystemConfigs as gardenlet writes them (a provision OSC with the node-init unit and its files) and a
runner that puts one through the driver on the local seed cluster."""

from __future__ import annotations

import base64
from typing import Any

from extensions import driver
from extensions.contract import ExtensionObject, Kind, Operation
from extensions.registry import Registry
from hortus.kit.harness import LocalSeedCluster
from tests.extensions.conftest import NAMESPACE, shoot

JSON = dict[str, Any]

INIT_UNIT = """[Unit]
Description=Downloads the gardener-node-agent binary and starts it
After=network-online.target
Wants=network-online.target

[Service]
Type=oneshot
Restart=on-failure
RestartSec=5
EnvironmentFile=/etc/environment
ExecStart=/var/lib/gardener-node-agent/init.sh

[Install]
WantedBy=multi-user.target
"""

PROVISION: JSON = {
    "purpose": "provision",
    "units": [
        {"name": "gardener-node-init.service", "command": "start", "enable": True, "content": INIT_UNIT},
        {"name": "containerd.service", "dropIns": [
            {"name": "10-preconfig.conf", "content": "[Service]\nExecStartPre=/var/lib/example/preconf.sh\n"}]},
    ],
    "files": [
        {"path": "/var/lib/gardener-node-agent/init.sh", "permissions": 0o755,
         "content": {"inline": {"encoding": "b64", "data": base64.b64encode(b"#!/bin/bash\necho init\n").decode()}}},
        {"path": "/var/lib/gardener-node-agent/credentials/bootstrap-token", "permissions": 0o640,
         "content": {"inline": {"data": "<<BOOTSTRAP_TOKEN>>"}, "transmitUnencoded": True}},
        {"path": "/var/lib/gardener-node-agent/machine-name", "permissions": 0o640,
         "content": {"inline": {"data": "<<MACHINE_NAME>>"}, "transmitUnencoded": True}},
        {"path": "/etc/sysctl.d/99-k8s-general.conf", "permissions": 0o644,
         "content": {"inline": {"data": "vm.max_map_count = 135217728\n"}}},
        {"path": "/var/lib/example/preconf.sh", "permissions": 0o755, "encoding": "b64",
         "content": {"secretRef": {"name": "containerd-preconf-script", "dataKey": "preconf-script.sh"}}},
    ],
}

PRECONF = b"#!/bin/sh\necho preconfigured\n"


def add_preconf_secret(cluster: LocalSeedCluster) -> None:
    """The Secret the example OSC's file refers to (``encoding: b64``: its value is base64 once more)."""
    cluster.kube.apply({"apiVersion": "v1", "kind": "Secret",
                        "metadata": {"name": "containerd-preconf-script", "namespace": NAMESPACE},
                        "stringData": {"preconf-script.sh": base64.b64encode(PRECONF).decode()}})


def run(cluster: LocalSeedCluster, os_type: str, spec: JSON, *, name: str = "pool-init",
        operation: Operation = Operation.RECONCILE) -> ExtensionObject:
    registration = Registry.load().get(kind=Kind.OPERATING_SYSTEM_CONFIG, type=os_type)
    obj = ExtensionObject(kind=Kind.OPERATING_SYSTEM_CONFIG, name=name, namespace=NAMESPACE,
                          spec={"type": os_type, **spec})
    return driver.run(registration, cluster.context(NAMESPACE, shoot=shoot(), operation=operation), obj)


def user_data(cluster: LocalSeedCluster, done: ExtensionObject) -> str:
    ref = done.status["cloudConfig"]["secretRef"]
    secret = cluster.kube.get("v1", "Secret", ref["name"], namespace=ref["namespace"])
    assert secret is not None
    return base64.b64decode(secret["data"]["cloud_config"]).decode()
