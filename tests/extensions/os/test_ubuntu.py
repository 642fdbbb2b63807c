"""OperatingSystemConfig/ubuntu: cloud-init user data, checked against cloud-init's own cloud-config schema."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
import yaml

from extensions.contract import Operation
from extensions.os.ubuntu import cloudconfig
from extensions.sdk.osc import File, Unit
from hortus.kit.harness import LocalSeedCluster
from shoot import errors
from shoot.errors import ErrorCode
from tests.extensions.conftest import NAMESPACE
from tests.extensions.os import samples
from tests.extensions.os.validators import cloud_config_errors

JSON = dict[str, Any]
CONFIG = "config.ubuntu.os.extensions.gardener.cloud/v1alpha1"


def _written(document: JSON) -> dict[str, tuple[bytes, str]]:
    """What cloud-init's write_files puts on disk: path -> (content, permissions)."""
    out = {}
    for entry in document.get("write_files") or []:
        content = entry.get("content", "")
        data = base64.b64decode(content) if entry.get("encoding") == "b64" else content.encode()
        out[entry["path"]] = (data, entry.get("permissions", ""))
    return out


def test_provision_user_data_is_a_valid_cloud_config_writing_every_file_and_unit(
        cluster: LocalSeedCluster) -> None:
    samples.add_preconf_secret(cluster)
    done = samples.run(cluster, "ubuntu", samples.PROVISION)

    text = samples.user_data(cluster, done)
    assert cloud_config_errors(text) == []
    document = yaml.safe_load(text)
    files = _written(document)
    assert files["/var/lib/gardener-node-agent/init.sh"] == (b"#!/bin/bash\necho init\n", "0755")
    assert files["/var/lib/example/preconf.sh"] == (samples.PRECONF, "0755")
    assert files["/etc/sysctl.d/99-k8s-general.conf"][0] == b"vm.max_map_count = 135217728\n"
    assert files["/etc/systemd/system/gardener-node-init.service"][0] == samples.INIT_UNIT.encode()
    assert b"ExecStartPre" in files["/etc/systemd/system/containerd.service.d/10-preconfig.conf"][0]
    # The placeholders stay literal in the user data itself: the provisioner replaces them before boot.
    assert "<<BOOTSTRAP_TOKEN>>" in text and "<<MACHINE_NAME>>" in text
    assert files["/var/lib/gardener-node-agent/credentials/bootstrap-token"] == (b"<<BOOTSTRAP_TOKEN>>", "0640")
    commands = document["runcmd"]
    assert commands[0] == ["systemctl", "daemon-reload"]
    assert ["systemctl", "enable", "gardener-node-init.service"] in commands
    assert ["systemctl", "restart", "--no-block", "gardener-node-init.service"] in commands


def test_a_second_reconcile_writes_the_same_user_data(cluster: LocalSeedCluster) -> None:
    samples.add_preconf_secret(cluster)
    first = samples.user_data(cluster, samples.run(cluster, "ubuntu", samples.PROVISION))
    second = samples.user_data(cluster, samples.run(cluster, "ubuntu", samples.PROVISION))
    assert first == second


def test_delete_removes_the_result_secret(cluster: LocalSeedCluster) -> None:
    samples.add_preconf_secret(cluster)
    samples.run(cluster, "ubuntu", samples.PROVISION)
    samples.run(cluster, "ubuntu", samples.PROVISION, operation=Operation.DELETE)
    assert cluster.kube.get("v1", "Secret", "osc-result-pool-init", namespace=NAMESPACE) is None


def test_provider_config_sets_ntpd_mirrors_and_switches_off_unattended_upgrades(cluster: LocalSeedCluster) -> None:
    provider_config = {
        "apiVersion": CONFIG, "kind": "ExtensionConfig", "disableUnattendedUpgrades": True,
        "ntp": {"enabled": True, "daemon": "ntpd", "ntpd": {"servers": ["ntp1.example.com", "ntp2.example.com"]}},
        "apt": {"preserveSourcesList": False,
                "primary": [{"arches": ["default"], "uri": "http://mirror.example.com/ubuntu/"}]},
    }
    spec = {"purpose": "provision", "providerConfig": provider_config, "units": [], "files": []}
    text = samples.user_data(cluster, samples.run(cluster, "ubuntu", spec))

    assert cloud_config_errors(text) == []
    document = yaml.safe_load(text)
    assert document["packages"] == ["ntpsec"]
    assert document["apt"] == {"preserve_sources_list": False,
                               "primary": [{"arches": ["default"], "uri": "http://mirror.example.com/ubuntu/"}]}
    conf = _written(document)["/etc/ntpsec/ntp.conf"][0].decode()
    assert "server ntp1.example.com iburst" in conf and "server ntp2.example.com iburst" in conf
    commands = document["runcmd"]
    assert ["systemctl", "stop", "--no-block", "systemd-timesyncd.service"] in commands
    assert ["systemctl", "restart", "--no-block", "ntpsec.service"] in commands
    assert ["systemctl", "disable", "unattended-upgrades.service"] in commands


@pytest.mark.parametrize(("provider_config", "field"), [
    ({"ntp": {"daemon": "chrony"}}, "spec.providerConfig.ntp.daemon"),
    ({"ntp": {"daemon": "ntpd", "ntpd": {}}}, "spec.providerConfig.ntp.ntpd.servers"),
    ({"disableUnattendedUpgrades": "yes"}, "spec.providerConfig.disableUnattendedUpgrades"),
    ({"apt": {"primary": [{"uri": "http://m.example.com/"}]}}, "spec.providerConfig.apt.primary[0].arches"),
    ({"unknown": 1}, "spec.providerConfig.unknown"),
])
def test_an_invalid_provider_config_is_a_configuration_problem_naming_the_field(
        cluster: LocalSeedCluster, provider_config: JSON, field: str) -> None:
    spec = {"purpose": "provision", "providerConfig": {"apiVersion": CONFIG, "kind": "ExtensionConfig",
                                                       **provider_config}}
    with pytest.raises(errors.PermanentError, match=field.replace("[", r"\[").replace("]", r"\]")) as raised:
        samples.run(cluster, "ubuntu", spec)
    assert raised.value.codes == (ErrorCode.CONFIGURATION_PROBLEM,)


def test_the_schema_check_would_catch_a_broken_cloud_config(tmp_path: Path) -> None:
    """The validator is live: a document cloud-init would refuse is reported."""
    text = cloudconfig.render([File(path="/etc/x", content=b"x")], [Unit(name="x.service")])
    assert cloud_config_errors(text) == []
    broken = text.replace("encoding: b64", "encoding: rot13")
    assert any("write_files.0.encoding" in e for e in cloud_config_errors(broken))
