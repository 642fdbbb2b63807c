"""Infrastructure, ControlPlane, DNSRecord and OperatingSystemConfig of the local provider, through the driver on a
local seed cluster."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path
from typing import Any

import pytest

from extensions import driver
from extensions.contract import ExtensionObject, Kind, Operation
from extensions.local import dns
from extensions.local.infrastructure import EGRESS, INGRESS
from extensions.registry import Registry
from hortus.kit.harness import LocalSeedCluster
from shoot import errors
from shoot.errors import ErrorCode
from tests.extensions.conftest import NAMESPACE, shoot

JSON = dict[str, Any]


def run(cluster: LocalSeedCluster, kind: Kind, spec: JSON, *, name: str = "ext",
        operation: Operation = Operation.RECONCILE) -> ExtensionObject:
    registration = Registry.load().get(kind=kind, type="local")
    obj = ExtensionObject(kind=kind, name=name, namespace=NAMESPACE, spec={"type": "local", **spec})
    return driver.run(registration, cluster.context(NAMESPACE, shoot=shoot(), operation=operation), obj)


def test_infrastructure_is_the_machines_network_policies(cluster: LocalSeedCluster) -> None:
    done = run(cluster, Kind.INFRASTRUCTURE, {"region": "local"})
    policies = {p["metadata"]["name"]: p for p in cluster.kube.list("networking.k8s.io/v1", "NetworkPolicy",
                                                                    namespace=NAMESPACE)}
    assert set(policies) == {INGRESS, EGRESS}
    assert policies[INGRESS]["spec"]["podSelector"] == {"matchLabels": {"app": "machine"}}
    assert {"ipBlock": {"cidr": "10.0.0.0/16"}} in policies[INGRESS]["spec"]["ingress"][0]["from"]
    assert done.status["networking"] == {"nodes": "10.0.0.0/16", "pods": "10.3.0.0/16", "services": "10.4.0.0/16"}
    assert done.status["egressCIDRs"] == ["10.0.0.0/16"]

    run(cluster, Kind.INFRASTRUCTURE, {"region": "local"}, operation=Operation.DELETE)
    assert cluster.kube.list("networking.k8s.io/v1", "NetworkPolicy", namespace=NAMESPACE) == []


def test_a_provider_config_is_refused_as_provider_local_takes_none(cluster: LocalSeedCluster) -> None:
    with pytest.raises(errors.PermanentError, match="takes no providerConfig") as raised:
        run(cluster, Kind.INFRASTRUCTURE, {"region": "local", "providerConfig": {"networks": {}}})
    assert raised.value.codes == (ErrorCode.CONFIGURATION_PROBLEM,)


def test_controlplane_writes_its_config_and_reports_healthy(cluster: LocalSeedCluster) -> None:
    done = run(cluster, Kind.CONTROL_PLANE, {"region": "local"})
    assert cluster.kube.get("v1", "ConfigMap", "cloud-provider-config", namespace=NAMESPACE) is not None
    assert [(c["type"], c["status"]) for c in done.status["conditions"]] == [("ControlPlaneHealthy", "True")]
    run(cluster, Kind.CONTROL_PLANE, {"region": "local"}, operation=Operation.DELETE)
    assert cluster.kube.get("v1", "ConfigMap", "cloud-provider-config", namespace=NAMESPACE) is None


def _record(name: str, record_type: str, *values: str) -> JSON:
    return {"name": name, "recordType": record_type, "values": list(values)}


def test_dns_records_live_in_a_zone_on_the_seed(cluster: LocalSeedCluster) -> None:
    api_name = "api.ext.dev.local.gardener.cloud"
    done = run(cluster, Kind.DNS_RECORD, _record(api_name, "A", "10.2.0.1"), name="ext-internal")
    run(cluster, Kind.DNS_RECORD, _record("*.ingress.ext.dev.local.gardener.cloud", "A", "10.2.0.2"),
        name="ext-ingress")

    assert done.status["zone"] == "local.gardener.cloud"
    assert dns.lookup(cluster.kube, api_name) == ["10.2.0.1"]
    assert dns.lookup(cluster.kube, "*.ingress.ext.dev.local.gardener.cloud") == ["10.2.0.2"]
    run(cluster, Kind.DNS_RECORD, _record(api_name, "A", "10.2.0.9"), name="ext-internal")
    assert dns.lookup(cluster.kube, api_name) == ["10.2.0.9"]

    run(cluster, Kind.DNS_RECORD, _record(api_name, "A", "10.2.0.9"), name="ext-internal",
        operation=Operation.DELETE)
    assert dns.lookup(cluster.kube, api_name) == []
    assert dns.lookup(cluster.kube, "*.ingress.ext.dev.local.gardener.cloud") == ["10.2.0.2"]


@pytest.mark.parametrize(("record_type", "values", "message"), [
    ("A", ["fd00::1"], "must be an IPv4 address"),
    ("AAAA", ["10.0.0.1"], "must be an IPv6 address"),
    ("CNAME", ["a.example.com", "b.example.com"], "exactly one value"),
    ("MX", ["mail.example.com"], "Unsupported value"),
])
def test_invalid_records_are_configuration_problems(cluster: LocalSeedCluster, record_type: str,
                                                   values: list[str], message: str) -> None:
    with pytest.raises(errors.PermanentError, match=message) as raised:
        run(cluster, Kind.DNS_RECORD, _record("x.local.gardener.cloud", record_type, *values))
    assert raised.value.codes == (ErrorCode.CONFIGURATION_PROBLEM,)


def test_a_record_of_another_owner_is_not_overwritten(cluster: LocalSeedCluster) -> None:
    run(cluster, Kind.DNS_RECORD, _record("x.local.gardener.cloud", "A", "10.0.0.1"), name="one")
    with pytest.raises(errors.PermanentError, match="is owned by"):
        run(cluster, Kind.DNS_RECORD, _record("x.local.gardener.cloud", "A", "10.0.0.2"), name="two")
    assert dns.lookup(cluster.kube, "x.local.gardener.cloud") == ["10.0.0.1"]


OSC: JSON = {
    "purpose": "provision",
    "units": [{"name": "hello.service", "enable": True, "content": "[Service]\nExecStart=/bin/echo hello\n",
               "dropIns": [{"name": "10-env.conf", "content": "[Service]\nEnvironment=A=1\n"}]}],
    "files": [
        {"path": "/etc/hello/plain.txt", "permissions": 0o600, "content": {"inline": {"data": "plain text\n"}}},
        {"path": "/etc/hello/b64.txt", "content": {"inline": {"encoding": "b64",
                                                              "data": base64.b64encode(b"decoded\n").decode()}}},
        {"path": "/var/lib/node/token", "content": {"inline": {"data": "<<BOOTSTRAP_TOKEN>>"},
                                                     "transmitUnencoded": True}},
        {"path": "/etc/hello/secret.txt", "content": {"secretRef": {"name": "osc-files", "dataKey": "conf"}}},
    ],
}


def test_the_local_os_renders_a_provision_script_into_the_result_secret(cluster: LocalSeedCluster,
                                                                        tmp_path: Path) -> None:
    cluster.kube.apply({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "osc-files",
                                                                          "namespace": NAMESPACE},
                        "stringData": {"conf": "from a secret\n"}})
    done = run(cluster, Kind.OPERATING_SYSTEM_CONFIG, OSC, name="pool-init")
    ref = done.status["cloudConfig"]["secretRef"]
    assert ref == {"name": "osc-result-pool-init", "namespace": NAMESPACE}
    secret = cluster.kube.get("v1", "Secret", ref["name"], namespace=NAMESPACE)
    assert secret is not None
    script = base64.b64decode(secret["data"]["cloud_config"]).decode()
    assert "<<BOOTSTRAP_TOKEN>>" in script  # kept literal for the provisioner
    assert "systemctl enable hello.service && systemctl restart --no-block hello.service" in script

    root = tmp_path / "root"  # run the script against a scratch root: the files it writes are the OSC's
    rooted = script.replace("/etc/", f"{root}/etc/").replace("/var/lib/", f"{root}/var/lib/")
    rooted = rooted.replace("systemctl", "true")
    subprocess.run(["bash", "-c", rooted], check=True, timeout=30)
    assert (root / "etc/hello/plain.txt").read_text() == "plain text\n"
    assert (root / "etc/hello/plain.txt").stat().st_mode & 0o777 == 0o600
    assert (root / "etc/hello/b64.txt").read_text() == "decoded\n"
    assert (root / "etc/hello/secret.txt").read_text() == "from a secret\n"
    assert (root / "etc/systemd/system/hello.service.d/10-env.conf").read_text() == "[Service]\nEnvironment=A=1\n"
    subprocess.run(["bash", "-c", rooted], check=True, timeout=30)  # the guard makes a second run a no-op

    run(cluster, Kind.OPERATING_SYSTEM_CONFIG, OSC, name="pool-init", operation=Operation.DELETE)
    assert cluster.kube.get("v1", "Secret", ref["name"], namespace=NAMESPACE) is None


def test_a_reconcile_osc_has_no_user_data(cluster: LocalSeedCluster) -> None:
    done = run(cluster, Kind.OPERATING_SYSTEM_CONFIG, {**OSC, "purpose": "reconcile"}, name="pool-original")
    assert "cloudConfig" not in done.status
    assert cluster.kube.get("v1", "Secret", "osc-result-pool-original", namespace=NAMESPACE) is None
