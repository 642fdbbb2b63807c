"""OperatingSystemConfig/flatcar: Ignition v3 configs, checked by Ignition's own ``ignition-validate``."""

from __future__ import annotations

import base64
import json
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from extensions.os.flatcar import ignition
from extensions.sdk.osc import File, Unit
from hortus.kit.harness import LocalSeedCluster
from shoot import errors
from shoot.errors import ErrorCode
from tests.extensions.os import samples
from tests.extensions.os.validators import ignition_problems

JSON = dict[str, Any]
CONFIG = "config.coreos.os.extensions.gardener.cloud/v1alpha1"


def _content(source: str) -> bytes:
    """A ``data:`` URL's bytes, as Ignition decodes them."""
    header, _, data = source.partition(",")
    assert header.startswith("data:")
    return base64.b64decode(data) if header.endswith(";base64") else urllib.parse.unquote_to_bytes(data)


def _files(config: JSON) -> dict[str, tuple[bytes, int]]:
    return {f["path"]: (_content(f["contents"]["source"]), f["mode"]) for f in config["storage"]["files"]}


def test_provision_user_data_is_a_valid_ignition_config_with_every_file_and_unit(
        cluster: LocalSeedCluster, tmp_path: Path) -> None:
    samples.add_preconf_secret(cluster)
    text = samples.user_data(cluster, samples.run(cluster, "flatcar", samples.PROVISION))

    assert ignition_problems(text, tmp_path) == ""
    config = json.loads(text)
    assert config["ignition"]["version"] == "3.3.0"
    files = _files(config)
    assert files["/var/lib/gardener-node-agent/init.sh"] == (b"#!/bin/bash\necho init\n", 0o755)
    assert files["/var/lib/example/preconf.sh"] == (samples.PRECONF, 0o755)
    assert files["/etc/sysctl.d/99-k8s-general.conf"] == (b"vm.max_map_count = 135217728\n", 0o644)
    assert files["/var/lib/gardener-node-agent/credentials/bootstrap-token"] == (b"<<BOOTSTRAP_TOKEN>>", 0o640)
    # In the form the provisioner looks for in Ignition configs (Go's url.QueryEscape of the placeholder).
    assert "%3C%3CBOOTSTRAP_TOKEN%3E%3E" in text and "%3C%3CMACHINE_NAME%3E%3E" in text
    units = {u["name"]: u for u in config["systemd"]["units"]}
    assert units["gardener-node-init.service"] == {"name": "gardener-node-init.service",
                                                   "contents": samples.INIT_UNIT, "enabled": True}
    assert units["containerd.service"]["dropins"][0]["name"] == "10-preconfig.conf"


def test_once_the_provisioner_replaced_the_placeholders_the_config_still_validates(
        cluster: LocalSeedCluster, tmp_path: Path) -> None:
    """What machine-controller-manager does to the user data before a machine boots: plain string replacement."""
    samples.add_preconf_secret(cluster)
    text = samples.user_data(cluster, samples.run(cluster, "flatcar", samples.PROVISION))
    replaced = text.replace(ignition.placeholder("<<BOOTSTRAP_TOKEN>>"), "abcdef.0123456789abcdef").replace(
        ignition.placeholder("<<MACHINE_NAME>>"), "shoot--dev--ext-w1-z1-5d4f9-x7k2p")
    assert ignition_problems(replaced, tmp_path) == ""
    files = _files(json.loads(replaced))
    assert files["/var/lib/gardener-node-agent/machine-name"][0] == b"shoot--dev--ext-w1-z1-5d4f9-x7k2p"


def test_ntpd_from_the_provider_config_replaces_timesyncd(cluster: LocalSeedCluster, tmp_path: Path) -> None:
    provider_config = {"apiVersion": CONFIG, "kind": "ExtensionConfig",
                       "ntp": {"enabled": True, "daemon": "ntpd",
                               "ntpd": {"servers": ["ntp.example.com"], "restrictToInterface": True,
                                        "interface": "eth0"}}}
    spec = {"purpose": "provision", "providerConfig": provider_config}
    text = samples.user_data(cluster, samples.run(cluster, "flatcar", spec))

    assert ignition_problems(text, tmp_path) == ""
    config = json.loads(text)
    conf = _files(config)["/etc/ntp.conf"][0].decode()
    assert "server ntp.example.com iburst" in conf and "interface listen eth0" in conf
    units = {u["name"]: u for u in config["systemd"]["units"]}
    assert units["ntpd.service"]["enabled"] is True
    assert units["systemd-timesyncd.service"]["enabled"] is False


def test_a_file_or_unit_given_twice_is_rendered_once_the_later_winning(tmp_path: Path) -> None:
    text = ignition.render([File(path="/etc/a", content=b"1"), File(path="/etc/a", content=b"2")],
                           [Unit(name="a.service", content="[Service]\nExecStart=/bin/true\n"),
                            Unit(name="a.service", content="[Service]\nExecStart=/bin/false\n")])
    assert ignition_problems(text, tmp_path) == ""
    config = json.loads(text)
    assert _files(config) == {"/etc/a": (b"2", 0o644)}
    assert [u["contents"] for u in config["systemd"]["units"]] == [
        "[Service]\nExecStart=/bin/false\n\n[Install]\nWantedBy=multi-user.target\n"]


def test_a_unit_to_start_without_install_section_is_wanted_by_multi_user_target(tmp_path: Path) -> None:
    text = ignition.render([], [Unit(name="once.service", command="start", content="[Service]\nExecStart=/bin/true\n")])
    assert ignition_problems(text, tmp_path) == ""
    assert json.loads(text)["systemd"]["units"][0]["contents"] == (
        "[Service]\nExecStart=/bin/true\n\n[Install]\nWantedBy=multi-user.target\n")


def test_the_validator_is_live_a_broken_config_is_reported(tmp_path: Path) -> None:
    broken = {"ignition": {"version": "3.3.0"}, "storage": {"files": [{"path": "relative/path"}]}}
    assert "absolute" in ignition_problems(json.dumps(broken), tmp_path)


def test_an_invalid_provider_config_is_a_configuration_problem_naming_the_field(cluster: LocalSeedCluster) -> None:
    spec = {"purpose": "provision", "providerConfig": {"apiVersion": CONFIG, "kind": "ExtensionConfig",
                                                       "ntp": {"daemon": "ntpd", "ntpd": {"servers": "x"}}}}
    with pytest.raises(errors.PermanentError, match=r"spec\.providerConfig\.ntp\.ntpd\.servers") as raised:
        samples.run(cluster, "flatcar", spec)
    assert raised.value.codes == (ErrorCode.CONFIGURATION_PROBLEM,)
