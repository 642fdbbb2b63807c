"""The generic API machinery driven by the real kubectl: apply, get (tables, formats, watch), patch, status,
label/annotate, delete and finalizers, wait, selectors, paging, error texts, discovery, Secrets and auth.

Each test gets one HTTPS server from the ``running`` fixture (SQLite and PostgreSQL) and runs
``/usr/bin/kubectl`` (the dispatcher runs kubectl 1.32, the minor the server reports) against it.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from apiserver.server import ApiServer
from tests.e2e.kubectl import KUBECTL, Kubectl
from tests.support import databases
from tests.support.servers import RunningServer

pytestmark = pytest.mark.kubectl

JSON = dict[str, Any]
Result = subprocess.CompletedProcess[str]

NS = "demo"
W = "widget.test.hortus.dev"  # how kubectl names a Widget in its messages
WIDGETS = "widgets.test.hortus.dev"  # ... and in server errors
AGE = re.compile(r"^\d+s$")


@pytest.fixture
def kubectl(running: tuple[RunningServer, ApiServer], tmp_path: Path) -> Kubectl:
    """kubectl for this test's server, with the namespace ``demo`` created."""
    if not Path(KUBECTL).exists():
        databases.unavailable("kubectl", f"{KUBECTL} is not installed")  # skips, or fails under CI=true
    server, _api = running
    k = Kubectl(kubeconfig=server.kubeconfig, workdir=tmp_path / "kubectl")
    assert ok(apply(k, namespace(NS))) == f"namespace/{NS} created\n"
    return k


# --- helpers ----------------------------------------------------------------------------------------------------


def ok(result: Result) -> str:
    assert result.returncode == 0, f"kubectl exited {result.returncode}: {result.stderr}"
    return result.stdout


def failed(result: Result) -> str:
    assert result.returncode == 1, f"kubectl exited {result.returncode}: {result.stdout}{result.stderr}"
    return result.stderr


def namespace(name: str) -> JSON:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def widget(name: str, *, ns: str = NS, labels: dict[str, str] | None = None, finalizers: list[str] | None = None,
           **spec: Any) -> JSON:
    md: JSON = {"name": name, "namespace": ns}
    if labels:
        md["labels"] = labels
    if finalizers:
        md["finalizers"] = finalizers
    return {"apiVersion": "test.hortus.dev/v1alpha1", "kind": "Widget", "metadata": md, "spec": spec}


def apply(k: Kubectl, *docs: JSON, flags: tuple[str, ...] = ()) -> Result:
    return k("apply", *flags, "-f", "-", stdin=yaml.safe_dump_all(docs, sort_keys=False))


def get(k: Kubectl, name: str, ns: str = NS) -> JSON:
    doc: JSON = json.loads(ok(k("get", "widget", name, "-n", ns, "-o", "json")))
    return doc


def set_status(k: Kubectl, name: str, status: JSON) -> None:
    out = ok(k("patch", "widget", name, "-n", NS, "--subresource=status", "--type=merge",
               "-p", json.dumps({"status": status})))
    assert out == f"{W}/{name} patched\n"


def table(text: str) -> list[list[str]]:
    """The cells of a kubectl table (empty cells as ""), cut at the header's column starts; AGE checked, dropped."""
    header, *rows = text.splitlines()
    starts = [m.start() for m in re.finditer(r"\S+", header)]
    bounds = list(zip(starts, [*starts[1:], None], strict=True))
    lines = [[line[a:b].strip() for a, b in bounds] for line in (header, *rows)]
    age = lines[0].index("AGE")
    for row in lines[1:]:
        assert AGE.match(row.pop(age)), row
    lines[0].pop(age)
    return lines


def names(text: str) -> list[str]:
    return text.split()


def watching(line: str) -> bool:
    """kubectl -v=6 logged its watch request: later changes reach it (the watch starts at the listed version)."""
    return " GET " in line and "watch=true" in line


# --- apply ------------------------------------------------------------------------------------------------------


def test_apply_is_idempotent_and_bumps_generation_only_for_spec_changes(kubectl: Kubectl) -> None:
    first = widget("w1", labels={"env": "dev"}, color="red", size=1)
    assert ok(apply(kubectl, first)) == f"{W}/w1 created\n"
    assert ok(apply(kubectl, first)) == f"{W}/w1 unchanged\n"
    assert get(kubectl, "w1")["metadata"]["generation"] == 1

    assert ok(apply(kubectl, widget("w1", labels={"env": "dev"}, color="blue", size=1))) == f"{W}/w1 configured\n"
    obj = get(kubectl, "w1")
    assert (obj["spec"]["color"], obj["metadata"]["generation"]) == ("blue", 2)

    assert ok(apply(kubectl, widget("w1", labels={"env": "prod"}, color="blue", size=1))) == f"{W}/w1 configured\n"
    obj = get(kubectl, "w1")
    assert (obj["metadata"]["labels"], obj["metadata"]["generation"]) == ({"env": "prod"}, 2)


# --- get --------------------------------------------------------------------------------------------------------


def test_get_prints_printer_columns_and_every_output_format(kubectl: Kubectl) -> None:
    ok(apply(kubectl, namespace("other"), widget("w1", labels={"env": "dev"}, color="red", size=1),
             widget("w2", labels={"env": "prod"}, color="blue", size=2),
             widget("w3", ns="other", labels={"env": "dev"}, color="green", size=3)))
    set_status(kubectl, "w1", {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]})
    set_status(kubectl, "w2", {"phase": "Pending", "conditions": [{"type": "Ready", "status": "False"}]})

    assert table(ok(kubectl("get", "widgets", "-n", NS))) == [
        ["NAME", "COLOR", "SIZE", "PHASE"], ["w1", "red", "1", "Running"], ["w2", "blue", "2", "Pending"]]
    assert table(ok(kubectl("get", "wd", "-n", NS, "-o", "wide"))) == [
        ["NAME", "COLOR", "SIZE", "PHASE", "READY"], ["w1", "red", "1", "Running", "True"],
        ["w2", "blue", "2", "Pending", "False"]]
    assert table(ok(kubectl("get", "widgets", "-A"))) == [
        ["NAMESPACE", "NAME", "COLOR", "SIZE", "PHASE"], [NS, "w1", "red", "1", "Running"],
        [NS, "w2", "blue", "2", "Pending"], ["other", "w3", "green", "3", ""]]
    assert table(ok(kubectl("get", "widgets", "-n", NS, "--show-labels"))) == [
        ["NAME", "COLOR", "SIZE", "PHASE", "LABELS"], ["w1", "red", "1", "Running", "env=dev"],
        ["w2", "blue", "2", "Pending", "env=prod"]]
    assert table(ok(kubectl("get", "widgets", "-n", NS, "-L", "env"))) == [
        ["NAME", "COLOR", "SIZE", "PHASE", "ENV"], ["w1", "red", "1", "Running", "dev"],
        ["w2", "blue", "2", "Pending", "prod"]]
    assert table(ok(kubectl("get", "widget", "w2", "-n", NS))) == [
        ["NAME", "COLOR", "SIZE", "PHASE"], ["w2", "blue", "2", "Pending"]]

    listed = yaml.safe_load(ok(kubectl("get", "widgets", "-n", NS, "-o", "yaml")))
    assert listed["kind"] == "List"
    assert [(i["kind"], i["metadata"]["name"], i["spec"]["color"]) for i in listed["items"]] == [
        ("Widget", "w1", "red"), ("Widget", "w2", "blue")]
    one = json.loads(ok(kubectl("get", "widget", "w1", "-n", NS, "-o", "json")))
    assert one["apiVersion"] == "test.hortus.dev/v1alpha1" and one["status"]["phase"] == "Running"
    assert ok(kubectl("get", "widgets", "-n", NS, "-o", "name")) == f"{W}/w1\n{W}/w2\n"
    jsonpath = '{range .items[*]}{.metadata.name}={.spec.color}{"\\n"}{end}'
    assert ok(kubectl("get", "widgets", "-A", "-o", f"jsonpath={jsonpath}")) == "w1=red\nw2=blue\nw3=green\n"
    assert ok(kubectl("get", "widgets", "-n", "empty")) == ""


def test_get_watch_prints_added_modified_and_deleted_events(kubectl: Kubectl) -> None:
    ok(apply(kubectl, widget("w0", color="red", size=1)))
    watcher = kubectl.start("get", "widgets", "-n", NS, "-w", "--output-watch-events")
    try:
        assert watcher.wait_for_line(lambda line: line.startswith("EVENT")).split() == [
            "EVENT", "NAME", "COLOR", "SIZE", "PHASE", "AGE"]
        watcher.wait_for_line(lambda line: line.split()[:2] == ["ADDED", "w0"])
        ok(apply(kubectl, widget("w1", color="red", size=1)))
        ok(kubectl("patch", "widget", "w1", "-n", NS, "--type=merge", "-p", '{"spec":{"color":"blue"}}'))
        ok(kubectl("delete", "widget", "w1", "-n", NS))
        watcher.wait_for_line(lambda line: line.startswith("DELETED"))
    finally:
        watcher.stop()
    events = [line.split()[:4] for line in watcher.lines[2:]]
    assert events == [["ADDED", "w1", "red", "1"], ["MODIFIED", "w1", "blue", "1"], ["DELETED", "w1", "blue", "1"]]


# --- patch ------------------------------------------------------------------------------------------------------


def test_patch_applies_merge_json_and_strategic_patches(kubectl: Kubectl) -> None:
    ok(apply(kubectl, widget("w1", color="red", size=1, containers=[
        {"name": "a", "image": "a:1"}, {"name": "b", "image": "b:1"}])))

    merge = kubectl("patch", "widget", "w1", "-n", NS, "--type=merge", "-p", '{"spec":{"color":"blue"}}')
    assert ok(merge) == f"{W}/w1 patched\n"
    ops = '[{"op":"replace","path":"/spec/size","value":5},{"op":"add","path":"/spec/tags","value":["x"]}]'
    assert ok(kubectl("patch", "widget", "w1", "-n", NS, "--type=json", "-p", ops)) == f"{W}/w1 patched\n"
    strategic = '{"spec":{"containers":[{"name":"c","image":"c:1"},{"name":"a","image":"a:2"}]}}'
    assert ok(kubectl("patch", "widget", "w1", "-n", NS, "-p", strategic)) == f"{W}/w1 patched\n"

    obj = get(kubectl, "w1")
    # Merged by name; an item new to the list goes first, as Kubernetes orders a patch without $setElementOrder.
    assert obj["spec"] == {"color": "blue", "size": 5, "tags": ["x"], "containers": [
        {"name": "c", "image": "c:1"}, {"name": "a", "image": "a:2"}, {"name": "b", "image": "b:1"}]}
    assert obj["metadata"]["generation"] == 4
    again = kubectl("patch", "widget", "w1", "-n", NS, "--type=merge", "-p", '{"spec":{"color":"blue"}}')
    assert ok(again) == f"{W}/w1 patched (no change)\n"


def test_strategic_patch_of_crd_like_kind_is_unsupported(kubectl: Kubectl) -> None:
    gadget = {"apiVersion": "test.hortus.dev/v1alpha1", "kind": "Gadget", "metadata": {"name": "g1"},
              "spec": {"x": 1}}
    assert ok(apply(kubectl, gadget)) == "gadget.test.hortus.dev/g1 created\n"

    refused = kubectl("patch", "gadget", "g1", "-p", '{"spec":{"x":2}}')
    assert failed(refused) == (
        "error: application/strategic-merge-patch+json is not supported by test.hortus.dev/v1alpha1, "
        "Kind=Gadget: the body of the request was in an unknown format - accepted media types include: "
        "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml\n")
    assert ok(kubectl("patch", "gadget", "g1", "--type=merge", "-p", '{"spec":{"x":2}}')) == (
        "gadget.test.hortus.dev/g1 patched\n")
    assert ok(kubectl("get", "gadget", "g1", "-o", "jsonpath={.spec.x}")) == "2"


def test_status_patches_go_through_the_status_subresource_only(kubectl: Kubectl) -> None:
    ok(apply(kubectl, widget("w1", color="red")))
    set_status(kubectl, "w1", {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]})
    obj = get(kubectl, "w1")
    assert obj["status"] == {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}
    assert obj["metadata"]["generation"] == 1

    ignored = kubectl("patch", "widget", "w1", "-n", NS, "--type=merge", "-p", '{"status":{"phase":"Hacked"}}')
    assert ok(ignored) == f"{W}/w1 patched (no change)\n"
    both = '{"spec":{"color":"green"},"status":{"phase":"Done"}}'
    assert ok(kubectl("patch", "widget", "w1", "-n", NS, "--subresource=status", "--type=merge", "-p", both)) == (
        f"{W}/w1 patched\n")
    obj = get(kubectl, "w1")
    assert (obj["spec"]["color"], obj["status"]["phase"], obj["metadata"]["generation"]) == ("red", "Done", 1)


# --- label and annotate -----------------------------------------------------------------------------------------


def test_label_and_annotate_add_overwrite_and_remove(kubectl: Kubectl) -> None:
    ok(apply(kubectl, widget("w1", color="red")))

    def run(*args: str) -> Result:
        return kubectl(*args[:1], "widget", "w1", "-n", NS, *args[1:])

    assert ok(run("label", "team=a")) == f"{W}/w1 labeled\n"
    assert failed(run("label", "team=b")) == "error: 'team' already has a value (a), and --overwrite is false\n"
    assert ok(run("label", "team=b", "--overwrite")) == f"{W}/w1 labeled\n"
    assert get(kubectl, "w1")["metadata"]["labels"] == {"team": "b"}
    assert ok(run("label", "team-")) == f"{W}/w1 unlabeled\n"
    assert "labels" not in get(kubectl, "w1")["metadata"]

    assert ok(run("annotate", "note=x")) == f"{W}/w1 annotated\n"
    assert failed(run("annotate", "note=y")) == (
        "error: --overwrite is false but found the following declared annotation(s): "
        "'note' already has a value (x)\n")
    assert ok(run("annotate", "note=y", "--overwrite")) == f"{W}/w1 annotated\n"
    assert get(kubectl, "w1")["metadata"]["annotations"]["note"] == "y"
    assert ok(run("annotate", "note-")) == f"{W}/w1 annotated\n"
    obj = get(kubectl, "w1")
    assert "note" not in obj["metadata"].get("annotations", {})
    assert obj["metadata"]["generation"] == 1


# --- delete -----------------------------------------------------------------------------------------------------


def test_delete_without_finalizers_removes_the_object(kubectl: Kubectl) -> None:
    ok(apply(kubectl, widget("w1", color="red")))
    assert ok(kubectl("delete", "widget", "w1", "-n", NS)) == f'{W} "w1" deleted\n'
    assert failed(kubectl("get", "widget", "w1", "-n", NS)) == (
        f'Error from server (NotFound): {WIDGETS} "w1" not found\n')


def test_delete_with_finalizer_keeps_the_object_until_the_finalizer_is_removed(kubectl: Kubectl) -> None:
    hold = ["test.hortus.dev/hold"]
    release = '{"metadata":{"finalizers":null}}'
    ok(apply(kubectl, widget("w1", finalizers=hold, color="red"), widget("w2", finalizers=hold, color="red")))

    assert ok(kubectl("delete", "widget", "w1", "-n", NS, "--wait=false")) == f'{W} "w1" deleted\n'
    md = get(kubectl, "w1")["metadata"]
    assert md["deletionTimestamp"] and md["finalizers"] == hold
    assert ok(kubectl("patch", "widget", "w1", "-n", NS, "--type=merge", "-p", release)) == f"{W}/w1 patched\n"
    assert failed(kubectl("get", "widget", "w1", "-n", NS)) == (
        f'Error from server (NotFound): {WIDGETS} "w1" not found\n')

    deleting = kubectl.start("delete", "widget", "w2", "-n", NS)
    try:
        deleting.wait_for_line(lambda line: line == f'{W} "w2" deleted')
        assert deleting.proc.poll() is None, "kubectl delete must wait while the finalizer holds the object"
        ok(kubectl("patch", "widget", "w2", "-n", NS, "--type=merge", "-p", release))
        assert deleting.wait() == 0
    finally:
        deleting.stop()
    assert ok(kubectl("get", "widgets", "-n", NS, "-o", "name")) == ""


# --- wait -------------------------------------------------------------------------------------------------------


def test_wait_for_ready_condition_requires_current_observed_generation(kubectl: Kubectl) -> None:
    ok(apply(kubectl, widget("w1", color="red")))
    ready = {"phase": "Running", "observedGeneration": 1, "conditions": [{"type": "Ready", "status": "True"}]}
    set_status(kubectl, "w1", ready)
    wait = ("wait", "widget/w1", "-n", NS, "--for=condition=Ready")
    assert ok(kubectl(*wait, "--timeout=10s")) == f"{W}/w1 condition met\n"

    ok(kubectl("patch", "widget", "w1", "-n", NS, "--type=merge", "-p", '{"spec":{"color":"blue"}}'))
    assert failed(kubectl(*wait, "--timeout=3s")) == "error: timed out waiting for the condition on widgets/w1\n"

    waiting = kubectl.start(*wait, "--timeout=20s", "-v=6")
    try:
        waiting.wait_for_line(watching)
        set_status(kubectl, "w1", {**ready, "observedGeneration": 2})
        assert waiting.wait() == 0
    finally:
        waiting.stop()
    assert f"{W}/w1 condition met" in waiting.lines


def test_wait_for_jsonpath_and_for_delete(kubectl: Kubectl) -> None:
    ok(apply(kubectl, widget("w1", color="red")))

    phase = kubectl.start("wait", "widget/w1", "-n", NS, "--for=jsonpath={.status.phase}=Running", "--timeout=20s",
                          "-v=6")
    try:
        phase.wait_for_line(watching)
        set_status(kubectl, "w1", {"phase": "Pending"})
        set_status(kubectl, "w1", {"phase": "Running"})
        assert phase.wait() == 0
    finally:
        phase.stop()
    assert f"{W}/w1 condition met" in phase.lines

    gone = kubectl.start("wait", "widget/w1", "-n", NS, "--for=delete", "--timeout=20s", "-v=6")
    try:
        gone.wait_for_line(watching)
        ok(kubectl("delete", "widget", "w1", "-n", NS, "--wait=false"))
        assert gone.wait() == 0
    finally:
        gone.stop()
    assert f"{W}/w1 condition met" in gone.lines
    assert ok(kubectl("wait", "widget/w1", "-n", NS, "--for=delete", "--timeout=5s")) == ""


# --- selectors and paging ---------------------------------------------------------------------------------------


def _seven_widgets(kubectl: Kubectl) -> None:
    docs = [widget(f"s{i}", labels={"idx": str(i), "tier": "even" if i % 2 == 0 else "odd"},
                   color="red" if i <= 4 else "blue") for i in range(1, 8)]
    docs[6]["metadata"]["labels"]["special"] = "yes"
    ok(apply(kubectl, *docs))


def test_label_and_field_selectors_filter_lists(kubectl: Kubectl) -> None:
    _seven_widgets(kubectl)

    def selected(*flags: str) -> list[str]:
        return [n.rsplit("/", 1)[1] for n in names(ok(kubectl("get", "widgets", "-n", NS, "-o", "name", *flags)))]

    assert selected("-l", "tier=odd") == ["s1", "s3", "s5", "s7"]
    assert selected("-l", "tier!=odd") == ["s2", "s4", "s6"]
    assert selected("-l", "idx in (1,2)") == ["s1", "s2"]
    assert selected("-l", "idx notin (1,2),tier=odd") == ["s3", "s5", "s7"]
    assert selected("-l", "special") == ["s7"]
    assert selected("-l", "!special") == ["s1", "s2", "s3", "s4", "s5", "s6"]
    assert selected("--field-selector", "metadata.name=s3") == ["s3"]
    assert selected("--field-selector", "spec.color=red") == ["s1", "s2", "s3", "s4"]
    assert selected("--field-selector", "spec.color=blue,metadata.name!=s6", "-l", "tier=odd") == ["s5", "s7"]

    unsupported = kubectl("get", "widgets", "-n", NS, "--field-selector", "spec.size=3")
    assert failed(unsupported) == (
        'Error from server (BadRequest): Unable to find "test.hortus.dev/v1alpha1, Resource=widgets" that match '
        'label selector "", field selector "spec.size=3": field label not supported: spec.size\n')


def test_chunked_list_pages_through_every_widget(kubectl: Kubectl) -> None:
    _seven_widgets(kubectl)
    paged = kubectl("get", "widgets", "-n", NS, "--chunk-size=2", "-v=6")
    rows = table(ok(paged))
    assert [row[0] for row in rows] == ["NAME", "s1", "s2", "s3", "s4", "s5", "s6", "s7"]
    requests = re.findall(r"\] GET \S+/widgets\?(\S+) 200 OK", paged.stderr)
    assert len(requests) == 4 and all("limit=2" in q for q in requests), paged.stderr
    assert sum("continue=" in q for q in requests) == 3

    by_name = ok(kubectl("get", "widgets", "-n", NS, "--chunk-size=2", "-o", "name"))
    assert names(by_name) == [f"{W}/s{i}" for i in range(1, 8)]


# --- error texts ------------------------------------------------------------------------------------------------


def test_create_and_replace_report_already_exists_and_conflict(kubectl: Kubectl) -> None:
    ok(apply(kubectl, widget("w1", color="red")))
    stale = get(kubectl, "w1")
    ok(kubectl("patch", "widget", "w1", "-n", NS, "--type=merge", "-p", '{"spec":{"color":"blue"}}'))

    manifest = json.dumps(widget("w1", color="red"))
    assert failed(kubectl("create", "-f", "-", stdin=manifest)) == (
        f'Error from server (AlreadyExists): error when creating "STDIN": {WIDGETS} "w1" already exists\n')
    stale["spec"]["color"] = "green"
    assert failed(kubectl("replace", "-f", "-", stdin=json.dumps(stale))) == (
        f'Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on {WIDGETS} '
        '"w1": the object has been modified; please apply your changes to the latest version and try again\n')
    assert get(kubectl, "w1")["spec"]["color"] == "blue"


def test_apply_validates_unknown_fields_strictly_by_default(kubectl: Kubectl) -> None:
    assert failed(apply(kubectl, widget("w1", color="red", bogus=1))) == (
        'Error from server (BadRequest): error when creating "STDIN": strict decoding error: '
        'unknown field "spec.bogus"\n')
    assert failed(kubectl("get", "widget", "w1", "-n", NS))

    ignored = apply(kubectl, widget("w2", color="red", bogus=1), flags=("--validate=false",))
    assert (ok(ignored), ignored.stderr) == (f"{W}/w2 created\n", "")
    assert get(kubectl, "w2")["spec"] == {"color": "red"}

    warned = apply(kubectl, widget("w3", color="red", bogus=1), flags=("--validate=warn",))
    assert (ok(warned), warned.stderr) == (f"{W}/w3 created\n", 'Warning: unknown field "spec.bogus"\n')
    assert get(kubectl, "w3")["spec"] == {"color": "red"}


# --- discovery --------------------------------------------------------------------------------------------------


def test_discovery_serves_api_resources_explain_and_raw_paths(kubectl: Kubectl) -> None:
    resources = {line.split()[0]: line.split() for line in ok(kubectl("api-resources")).splitlines()}
    assert resources["NAME"] == ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    assert resources["widgets"] == ["widgets", "wd", "test.hortus.dev/v1alpha1", "true", "Widget"]
    assert resources["gadgets"] == ["gadgets", "test.hortus.dev/v1alpha1", "false", "Gadget"]
    assert resources["secrets"] == ["secrets", "v1", "true", "Secret"]

    explained = ok(kubectl("explain", "widgets.spec"))
    assert explained.startswith(
        "GROUP:      test.hortus.dev\nKIND:       Widget\nVERSION:    v1alpha1\n\nFIELD: spec <Object>\n")
    fields = re.findall(r"^  (\w+)\t<([^>]+)>$", explained, flags=re.MULTILINE)
    assert fields == [("color", "string"), ("config", "Object"), ("containers", "[]Object"), ("size", "integer"),
                      ("tags", "[]string")]

    groups = json.loads(ok(kubectl("get", "--raw", "/apis")))
    assert groups["kind"] == "APIGroupList"
    assert [g["name"] for g in groups["groups"]] == ["test.hortus.dev"]
    assert groups["groups"][0]["preferredVersion"]["groupVersion"] == "test.hortus.dev/v1alpha1"


# --- core kinds and auth ----------------------------------------------------------------------------------------


def test_apply_secret_stores_string_data_as_base64_data(kubectl: Kubectl) -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "creds", "namespace": "vault"},
              "stringData": {"key": "hello"}}
    assert ok(apply(kubectl, namespace("vault"), secret)) == "namespace/vault created\nsecret/creds created\n"

    assert ok(kubectl("get", "secret", "creds", "-n", "vault", "-o", "jsonpath={.data.key}")) == (
        base64.b64encode(b"hello").decode())
    stored = json.loads(ok(kubectl("get", "secret", "creds", "-n", "vault", "-o", "json")))
    assert (stored["data"], stored["type"], "stringData" in stored) == ({"key": "aGVsbG8="}, "Opaque", False)
    assert table(ok(kubectl("get", "secrets", "-n", "vault"))) == [["NAME", "TYPE", "DATA"], ["creds", "Opaque", "1"]]


def test_wrong_token_is_unauthorized(kubectl: Kubectl, running: tuple[RunningServer, ApiServer],
                                     tmp_path: Path) -> None:
    server, _api = running
    bad_config = tmp_path / "bad.kubeconfig"
    bad_config.write_text(server.kubeconfig.read_text().replace(f"token: {server.token}", "token: wrong"))
    assert "token: wrong" in bad_config.read_text()

    # The fixture's apply left discovery cached: only the real request is sent, and its 401 is reported.
    warm = kubectl.with_kubeconfig(bad_config)
    assert failed(warm("get", "widgets", "-n", NS)) == "error: You must be logged in to the server (Unauthorized)\n"

    # Without a cache the 401 comes from discovery (/api), which kubectl words differently.
    cold = Kubectl(kubeconfig=bad_config, workdir=tmp_path / "cold")
    assert failed(cold("get", "widgets", "-n", NS)).endswith(
        "error: You must be logged in to the server (the server has asked for the client to provide credentials)\n")
