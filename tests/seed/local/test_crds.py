"""CustomResourceDefinitions on the local seed cluster: served versions become kinds (schema pruning, printer
columns, status and scale subresources, merge patch but no strategic merge), conditions, deletion, restarts."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

import yaml
from kubernetes import client

from apiserver.server import ApiServer
from seed.local import crds
from seed.local.server import create_local_seed
from tests.e2e.kubectl import Kubectl
from tests.support.servers import RunningServer

JSON = dict[str, Any]
Result = subprocess.CompletedProcess[str]
NAME = "crontabs.stable.example.com"


def ok(result: Result) -> str:
    assert result.returncode == 0, f"kubectl exited {result.returncode}: {result.stderr}"
    return result.stdout


def crd(*, scope: str = "Namespaced") -> JSON:
    schema = {"type": "object", "properties": {
        "spec": {"type": "object", "properties": {"cronSpec": {"type": "string"}, "image": {"type": "string"},
                                                  "replicas": {"type": "integer"},
                                                  "extra": {"type": "object",
                                                            "x-kubernetes-preserve-unknown-fields": True}}},
        "status": {"type": "object", "properties": {"replicas": {"type": "integer"}}}}}
    return {
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": NAME},
        "spec": {"group": "stable.example.com", "scope": scope,
                 "names": {"plural": "crontabs", "kind": "CronTab", "shortNames": ["ct"]},
                 "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": schema},
                               "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas",
                                                                        "statusReplicasPath": ".status.replicas"}},
                               "additionalPrinterColumns": [
                                   {"name": "Spec", "type": "string", "jsonPath": ".spec.cronSpec"},
                                   {"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas"}]}]}}


def cron_tab(name: str, **spec: Any) -> JSON:
    return {"apiVersion": "stable.example.com/v1", "kind": "CronTab", "metadata": {"name": name,
                                                                                   "namespace": "default"},
            "spec": {"cronSpec": "* * * * */5", "image": "img", "replicas": 1, **spec}}


def apply(k: Kubectl, *docs: JSON, args: tuple[str, ...] = ()) -> Result:
    return k("apply", *args, "-f", "-", stdin=yaml.safe_dump_all(docs))


def test_serves_custom_resources_once_the_crd_is_established(kubectl: Kubectl) -> None:
    ok(apply(kubectl, crd()))
    ok(kubectl("wait", "--for=condition=Established", f"crd/{NAME}", "--timeout=10s"))
    ok(apply(kubectl, cron_tab("a"), cron_tab("b", cronSpec="@daily", replicas=3)))
    lines = ok(kubectl("get", "crontabs", "-n", "default")).splitlines()
    assert lines[0].split() == ["NAME", "SPEC", "REPLICAS", "AGE"]
    assert lines[2].split()[:3] == ["b", "@daily", "3"]
    assert ok(kubectl("get", "ct", "-n", "default", "-o", "name")).split() == ["crontab.stable.example.com/a",
                                                                                 "crontab.stable.example.com/b"]


def test_crd_status_has_accepted_names_and_conditions(kubectl: Kubectl) -> None:
    ok(apply(kubectl, crd()))
    status = json.loads(ok(kubectl("get", "crd", NAME, "-o", "json")))["status"]
    assert {c["type"]: c["status"] for c in status["conditions"]} == {"NamesAccepted": "True", "Established": "True"}
    assert status["acceptedNames"]["singular"] == "crontab"
    assert status["acceptedNames"]["listKind"] == "CronTabList"
    assert status["storedVersions"] == ["v1"]


def test_prunes_and_rejects_fields_the_crd_schema_does_not_know(kubectl: Kubectl) -> None:
    ok(apply(kubectl, crd()))
    bogus = cron_tab("a", bogus=1, extra={"free": {"form": True}})
    err = apply(kubectl, bogus).stderr
    assert 'strict decoding error: unknown field "spec.bogus"' in err
    ok(apply(kubectl, bogus, args=("--validate=false",)))
    spec = json.loads(ok(kubectl("get", "ct", "a", "-n", "default", "-o", "json")))["spec"]
    assert "bogus" not in spec
    assert spec["extra"] == {"free": {"form": True}}


def test_merge_patches_and_refuses_strategic_merge_patch(kubectl: Kubectl) -> None:
    ok(apply(kubectl, crd()))
    ok(apply(kubectl, cron_tab("a")))
    ok(kubectl("patch", "ct", "a", "-n", "default", "--type=merge", "-p", '{"spec":{"image":"new"}}'))
    image = ok(kubectl("get", "ct", "a", "-n", "default", "-o", "jsonpath={.spec.image}"))
    assert image == "new"
    smp = kubectl("patch", "ct", "a", "-n", "default", "-p", '{"spec":{"image":"smp"}}')
    assert smp.returncode != 0
    assert "application/strategic-merge-patch+json is not supported by stable.example.com/v1, Kind=CronTab" in (
        smp.stderr)


def test_a_put_of_a_custom_resource_must_name_its_resource_version(kubectl: Kubectl) -> None:
    """The custom resource strategy allows no unconditional update (``kubectl replace`` fills the version in from
    a GET; ``--raw`` sends the body as it is)."""
    ok(apply(kubectl, crd()))
    ok(apply(kubectl, cron_tab("a")))
    path = "/apis/stable.example.com/v1/namespaces/default/crontabs/a"
    refused = kubectl("replace", "--raw", path, "-f", "-", stdin=json.dumps(cron_tab("a", image="replaced")))
    assert refused.returncode == 1
    assert ('"a" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update'
            in refused.stderr), refused.stderr
    assert ok(kubectl("get", "ct", "a", "-n", "default", "-o", "jsonpath={.spec.image}")) == "img"
    current = json.loads(ok(kubectl("get", "ct", "a", "-n", "default", "-o", "json")))
    current["spec"]["image"] = "replaced"
    ok(kubectl("replace", "-f", "-", stdin=json.dumps(current)))
    assert ok(kubectl("get", "ct", "a", "-n", "default", "-o", "jsonpath={.spec.image}")) == "replaced"


def test_scales_custom_resources_through_their_scale_subresource(kubectl: Kubectl) -> None:
    ok(apply(kubectl, crd()))
    ok(apply(kubectl, cron_tab("a")))
    ok(kubectl("scale", "ct", "a", "-n", "default", "--replicas=4"))
    assert ok(kubectl("get", "ct", "a", "-n", "default", "-o", "jsonpath={.spec.replicas}")) == "4"


def test_custom_objects_api_creates_and_lists(api_client: Any) -> None:
    client.ApiextensionsV1Api(api_client).create_custom_resource_definition(crd(scope="Cluster"))
    custom = client.CustomObjectsApi(api_client)
    body = cron_tab("c")
    del body["metadata"]["namespace"]
    custom.create_cluster_custom_object("stable.example.com", "v1", "crontabs", body)
    listed = custom.list_cluster_custom_object("stable.example.com", "v1", "crontabs")
    assert [i["metadata"]["name"] for i in listed["items"]] == ["c"]


def test_deleting_the_crd_deletes_its_objects_and_stops_serving_them(
        kubectl: Kubectl, seed: tuple[RunningServer, ApiServer]) -> None:
    ok(apply(kubectl, crd()))
    ok(apply(kubectl, cron_tab("a")))
    ok(kubectl("delete", "crd", NAME, "--timeout=20s"))
    _server, api = seed
    assert api.registry.get("stable.example.com", "v1", "crontabs") is None
    assert api.store.list("stable.example.com/crontabs", None, after=None, limit=10)[0] == []
    assert ok(kubectl("get", "crd", "-o", "name")) == ""


def test_refuses_a_crd_whose_name_is_not_plural_dot_group(kubectl: Kubectl) -> None:
    wrong = crd()
    wrong["metadata"]["name"] = "crontabs.example.org"
    err = apply(kubectl, wrong).stderr
    assert 'metadata.name: Invalid value: "crontabs.example.org": must be spec.names.plural+"."+spec.group' in err


def test_serves_stored_crds_again_after_a_restart(tmp_path: Path) -> None:
    _app, first = create_local_seed(tmp_path / "state", token="t")
    crd_type = first.registry.get(crds.GROUP, crds.VERSION, crds.PLURAL)
    assert crd_type is not None
    from apiserver.context import system_context

    first.service.create(crd_type, "", crd(), system_context())
    deadline = time.monotonic() + 5
    while first.registry.get("stable.example.com", "v1", "crontabs") is None and time.monotonic() < deadline:
        time.sleep(0.05)
    first.store.engine.dispose()
    _app, second = create_local_seed(tmp_path / "state", token="t")
    served = second.registry.get("stable.example.com", "v1", "crontabs")
    assert served is not None and served.subresources == ("status", "scale")
    assert (served.key, "scale") in second.subresources
    second.store.engine.dispose()
