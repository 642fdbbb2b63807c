"""Gardener's own example manifests through the real kubectl against a running garden.

The templates' ``<placeholders>`` are filled mechanically (each placeholder replaced by a value, nothing else
touched); the raw templates are refused with precise field errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from garden import bootstrap
from tests.e2e.kubectl import Kubectl
from tests.support.garden import Garden, running_garden

pytestmark = pytest.mark.kubectl

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "gardener-examples"
PROVIDER_CONFIG = '{"apiVersion": "local.provider.extensions.gardener.cloud/v1alpha1", "kind": "Config"}'
PLACEHOLDERS = {
    "<some-provider-name>": "local",
    "<provider-name>": "local",
    "<some-image-name>": "gardenlinux",
    "<some-image-version>": "15.4.20220818",
    "<some-network-extension-name>": "calico",
    "<pull-secret-name>": "pull-secret",
    "<ca-bundle-secret-name>": "ca-bundle",
    "<some-optional-config-for-the-nginx-ingress-controller>": "{}",
}
ORDER = ("05-project-dev.yaml", "30-cloudprofile.yaml", "70-secret-provider.yaml", "80-credentialsbinding.yaml",
         "80-secretbinding.yaml", "60-quota.yaml", "50-seed.yaml", "25-controllerregistration.yaml",
         "25-controllerdeployment.yaml", "25-controllerinstallation.yaml", "90-shoot.yaml")
# What the examples reference but do not ship: the quota's project "trial" and the binding's WorkloadIdentity.
TRIAL_PROJECT = """
apiVersion: core.gardener.cloud/v1beta1
kind: Project
metadata: {name: trial}
spec: {namespace: garden-trial}
"""
WORKLOAD_IDENTITY = """
apiVersion: security.gardener.cloud/v1alpha1
kind: WorkloadIdentity
metadata: {name: my-provider-account, namespace: garden-dev}
spec:
  audiences: [local]
  targetSystem: {type: local}
"""


# The shoot enables extension type foobar: as with Gardener's ExtensionValidator, some ControllerRegistration must
# serve it (an operator registers a controller running elsewhere).
FOOBAR_REGISTRATION = """
apiVersion: core.gardener.cloud/v1beta1
kind: ControllerRegistration
metadata: {name: extension-foobar}
spec:
  resources: [{kind: Extension, type: foobar}]
"""


def fill(text: str) -> str:
    """Replace each ``<placeholder>`` outside comments with a real value; touch nothing else. The shoot's
    infrastructure and control-plane configs become null: provider local takes none (admission refuses one)."""
    text = re.sub(r"<some-provider-specific-(infrastructure|controlplane)-config>", "null", text)
    text = re.sub(r"<some-provider-specific-[a-z-]+>", PROVIDER_CONFIG, text)
    for placeholder, value in PLACEHOLDERS.items():
        text = text.replace(placeholder, value)
    return text


@pytest.fixture
def garden(db_url: str, tmp_path: Path) -> Iterator[tuple[Garden, Kubectl]]:
    with running_garden(db_url, tmp_path) as g:
        yield g, Kubectl(g.server.kubeconfig, tmp_path)


def _apply(kubectl: Kubectl, text: str) -> tuple[int, str]:
    result = kubectl("apply", "-f", "-", stdin=text)
    return result.returncode, result.stdout + result.stderr


def test_filled_examples_apply_in_dependency_order(garden: tuple[Garden, Kubectl], tmp_path: Path) -> None:
    _, kubectl = garden
    assert _apply(kubectl, TRIAL_PROJECT)[0] == 0
    outputs = {}
    for name in ORDER:
        if name == "80-credentialsbinding.yaml":
            assert _apply(kubectl, WORKLOAD_IDENTITY)[0] == 0
        if name == "90-shoot.yaml":
            assert _apply(kubectl, FOOBAR_REGISTRATION)[0] == 0
        code, out = _apply(kubectl, fill((EXAMPLES / name).read_text()))
        outputs[name] = out
        if name != "90-shoot.yaml":
            assert code == 0, f"{name}: {out}"
    # Gardener's own admission refuses this shoot as well: its worker asks for volume type gp2, which the example
    # CloudProfile does not offer. Once the operator offers it, the unchanged shoot manifest applies.
    assert "spec.provider.workers[0].volume.type: Unsupported value: \"gp2\"" in outputs["90-shoot.yaml"]
    patch = '{"spec":{"volumeTypes":[{"name":"gp3","class":"standard","usable":true},' \
            '{"name":"io1","class":"premium","usable":true},{"name":"gp2","class":"standard","usable":true}]}}'
    assert kubectl("patch", "cloudprofile", "cloudprofile1", "--type=merge", "-p", patch).returncode == 0
    code, out = _apply(kubectl, fill((EXAMPLES / "90-shoot.yaml").read_text()))
    assert code == 0, out
    assert out.strip() == "shoot.core.gardener.cloud/crazy-botany created"
    got = kubectl("get", "shoot", "crazy-botany", "-n", "garden-dev", "-o",
                  "jsonpath={.spec.kubernetes.version} {.spec.purpose} {.spec.provider.workers[0].cri.name}")
    assert got.stdout == "1.35.4 evaluation containerd"
    table = kubectl("get", "shoots", "-n", "garden-dev")
    assert table.stdout.split("\n")[0].split() == [
        "NAME", "CLOUDPROFILE", "PROVIDER", "REGION", "K8S", "VERSION", "HIBERNATION", "LAST", "OPERATION",
        "STATUS", "AGE"]
    assert table.stdout.split("\n")[1].split()[:5] == ["crazy-botany", "cloudprofile1", "local", "europe-central-1",
                                                      "1.35.4"]

    # Applied again unchanged, every manifest computes an empty patch: the lists the server defaulted inside
    # (workers, machine images, regions, ...) merge by their keys. Two manifests set a field to null (the
    # Secret's ``data:``, the shoot's ``kubernetes:``): kubectl sends that null on every apply. The CloudProfile
    # holds a volume type its manifest lacks (patched in above): kubectl sends the manifest's order of the list.
    # In those three cases the server then writes nothing.
    before = {n: kubectl("get", "-f", "-", "-o", "jsonpath={.metadata.resourceVersion}",
                         stdin=fill((EXAMPLES / n).read_text())).stdout for n in ORDER}
    for name in ORDER:
        code, out = _apply(kubectl, fill((EXAMPLES / name).read_text()))
        assert code == 0, f"{name}: {out}"
        sends = name in ("30-cloudprofile.yaml", "70-secret-provider.yaml", "90-shoot.yaml")
        assert out.strip().endswith("configured" if sends else "unchanged"), f"{name}: {out}"
    after = {n: kubectl("get", "-f", "-", "-o", "jsonpath={.metadata.resourceVersion}",
                        stdin=fill((EXAMPLES / n).read_text())).stdout for n in ORDER}
    assert after == before


@pytest.mark.parametrize(("name", "expected"), [
    ("30-cloudprofile.yaml", 'The CloudProfile "cloudprofile1" is invalid'),
    ("90-shoot.yaml", 'The Shoot "crazy-botany" is invalid'),
])
def test_raw_templates_are_refused_with_field_errors(garden: tuple[Garden, Kubectl], name: str,
                                                     expected: str) -> None:
    _, kubectl = garden
    assert _apply(kubectl, fill((EXAMPLES / "05-project-dev.yaml").read_text()))[0] == 0
    code, out = _apply(kubectl, (EXAMPLES / name).read_text())
    assert code == 1 and expected in out
    fields = re.findall(r"(spec\.[\w.\[\]]+): ", out)
    assert fields, out
    for field in fields:
        assert field.startswith(("spec.providerConfig", "spec.type", "spec.provider", "spec.networking")), out


def test_provider_local_shoot_applies_as_it_is(garden: tuple[Garden, Kubectl]) -> None:
    g, kubectl = garden
    bootstrap.ensure_local(g.api.service)
    code, out = _apply(kubectl, (EXAMPLES / "provider-local" / "shoot.yaml").read_text())
    assert code == 0, out
    got = kubectl("get", "shoot", "local", "-n", "garden-local", "-o",
                  "jsonpath={.spec.kubernetes.version} {.spec.provider.workers[0].machine.image.name}")
    assert got.stdout == f"{bootstrap.KUBERNETES_VERSIONS[0]} local"
