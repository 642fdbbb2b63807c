"""End-to-end: the official ``kubernetes`` Python client (36.x) against a running hortus API server.

Drives the HTTPS server of ``tests/conftest.py`` (SQLite and PostgreSQL) through the typed ``CoreV1Api``, the
``DynamicClient`` and ``watch.Watch``, the way the seed agent and users' scripts talk to it.
"""

from __future__ import annotations

import base64
import dataclasses
import gc
import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client, config, dynamic, watch
from kubernetes.client.rest import ApiException
from kubernetes.dynamic import exceptions as dyn_errors

from apiserver.server import ApiServer
from tests.support.servers import RunningServer

GROUP, VERSION, PLURAL = "test.hortus.dev", "v1alpha1", "widgets"
NS = "e2e"
JSON = dict[str, Any]
Event = tuple[str, str, int]  # (type, name, resourceVersion)


@dataclasses.dataclass(frozen=True)
class Clients:
    """Clients bound to one running server, with namespace ``NS`` created."""

    api: ApiServer
    api_client: Any
    core: Any
    custom: Any
    widgets: Any


@pytest.fixture
def k8s(running: tuple[RunningServer, ApiServer], tmp_path: Path) -> Iterator[Clients]:
    server, api = running
    api_client = config.new_client_from_config(config_file=str(server.kubeconfig))
    try:
        # A per-test discovery cache: the default file under $TMPDIR is shared between processes.
        dyn = dynamic.DynamicClient(api_client, cache_file=str(tmp_path / "discovery.json"))
        core = client.CoreV1Api(api_client)
        core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=NS)))
        yield Clients(api=api, api_client=api_client, core=core, custom=client.CustomObjectsApi(api_client),
                      widgets=dyn.resources.get(api_version=f"{GROUP}/{VERSION}", kind="Widget"))
    finally:
        close(api_client)


def close(api_client: Any) -> None:
    """Close the client's kept-alive connections, so that the server's shutdown finds none open."""
    api_client.close()
    # Responses still referenced (the client's last one, tracebacks kept by pytest.raises) hold the socket's file
    # object, which keeps the socket open past pool_manager.clear(); uvicorn's TLS shutdown then never completes.
    api_client.last_response = None
    gc.collect()
    api_client.rest_client.pool_manager.clear()


def widget(name: str, *, color: str = "red", size: int = 1, labels: dict[str, str] | None = None) -> JSON:
    return {"apiVersion": f"{GROUP}/{VERSION}", "kind": "Widget",
            "metadata": {"name": name, "labels": labels or {}}, "spec": {"color": color, "size": size}}


def secret(name: str, *, labels: dict[str, str] | None = None, **string_data: str) -> Any:
    return client.V1Secret(metadata=client.V1ObjectMeta(name=name, labels=labels), string_data=string_data)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def status_body(exc: ApiException) -> JSON:
    body: JSON = json.loads(exc.body)
    return body


def merge_patch(k8s: Clients, name: str, body: JSON) -> Any:
    return k8s.widgets.patch(body=body, name=name, namespace=NS, content_type="application/merge-patch+json")


def names(listed: Any) -> list[str]:
    return [item["metadata"]["name"] for item in listed.to_dict()["items"]]


def list_rv(k8s: Clients) -> str:
    rv: str = k8s.widgets.get(namespace=NS).metadata.resourceVersion
    return rv


def watch_widgets(k8s: Clients, *, until: Callable[[list[Event]], bool] | None = None, **kwargs: Any) -> list[Event]:
    """Events of a ``watch.Watch`` over the widgets of ``NS`` until the server's timeout (or ``until`` holds)."""
    w = watch.Watch()
    events: list[Event] = []
    for e in w.stream(k8s.custom.list_namespaced_custom_object, GROUP, VERSION, NS, PLURAL, **kwargs):
        md = e["raw_object"]["metadata"]
        events.append((e["type"], md.get("name", ""), int(md["resourceVersion"])))
        if until is not None and until(events):
            w.stop()
    return events


def kinds_and_names(events: list[Event]) -> list[tuple[str, str]]:
    return [(kind, name) for kind, name, _rv in events]


# --- Namespaces and Secrets through the typed CoreV1Api -------------------------------------------------------


def test_namespace_create_read_list_patch_labels_and_delete(k8s: Clients) -> None:
    created = k8s.core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name="team-a")))
    assert created.metadata.uid and created.metadata.resource_version
    assert created.status.phase == "Active"
    assert k8s.core.read_namespace("team-a").metadata.uid == created.metadata.uid
    assert {"e2e", "team-a"} <= {ns.metadata.name for ns in k8s.core.list_namespace().items}

    # A dict body makes the typed client send a strategic merge patch.
    patched = k8s.core.patch_namespace("team-a", {"metadata": {"labels": {"team": "a"}}})
    assert patched.metadata.labels == {"team": "a"}
    assert [ns.metadata.name for ns in k8s.core.list_namespace(label_selector="team=a").items] == ["team-a"]

    # The "kubernetes" spec finalizer keeps it Terminating until a namespace controller empties it.
    k8s.core.delete_namespace("team-a")
    terminating = k8s.core.read_namespace("team-a")
    assert terminating.status.phase == "Terminating"
    assert terminating.metadata.deletion_timestamp is not None


def test_secret_string_data_reads_back_as_base64_data(k8s: Clients) -> None:
    created = k8s.core.create_namespaced_secret(NS, secret("db", password="s3cret"))
    assert created.data == {"password": b64("s3cret")}
    assert created.string_data is None
    read = k8s.core.read_namespaced_secret("db", NS)
    assert (read.data, read.type) == ({"password": b64("s3cret")}, "Opaque")


def test_secret_replace_patch_list_by_label_and_delete(k8s: Clients) -> None:
    k8s.core.create_namespaced_secret(NS, secret("db", labels={"tier": "db"}, password="one"))
    k8s.core.create_namespaced_secret(NS, secret("web", labels={"tier": "web"}, token="t"))

    current = k8s.core.read_namespaced_secret("db", NS)
    current.data = {"password": b64("two")}
    replaced = k8s.core.replace_namespaced_secret("db", NS, current)
    assert replaced.data == {"password": b64("two")}
    assert int(replaced.metadata.resource_version) > int(current.metadata.resource_version)

    patched = k8s.core.patch_namespaced_secret("db", NS, {"metadata": {"labels": {"rotated": "yes"}},
                                                          "stringData": {"user": "admin"}})
    assert patched.metadata.labels == {"tier": "db", "rotated": "yes"}
    assert patched.data == {"password": b64("two"), "user": b64("admin")}

    selected = k8s.core.list_namespaced_secret(NS, label_selector="tier=db")
    assert [s.metadata.name for s in selected.items] == ["db"]

    k8s.core.delete_namespaced_secret("db", NS)
    assert [s.metadata.name for s in k8s.core.list_namespaced_secret(NS).items] == ["web"]


def test_secret_replace_with_stale_resource_version_is_a_conflict(k8s: Clients) -> None:
    k8s.core.create_namespaced_secret(NS, secret("db", password="one"))
    stale = k8s.core.read_namespaced_secret("db", NS)
    k8s.core.patch_namespaced_secret("db", NS, {"stringData": {"password": "two"}})
    stale.data = {"password": b64("three")}
    with pytest.raises(ApiException) as info:
        k8s.core.replace_namespaced_secret("db", NS, stale)
    assert info.value.status == 409
    assert status_body(info.value)["reason"] == "Conflict"
    assert k8s.core.read_namespaced_secret("db", NS).data == {"password": b64("two")}


def test_secret_create_of_existing_name_is_already_exists(k8s: Clients) -> None:
    k8s.core.create_namespaced_secret(NS, secret("db", password="one"))
    with pytest.raises(ApiException) as info:
        k8s.core.create_namespaced_secret(NS, secret("db", password="two"))
    assert info.value.status == 409
    body = status_body(info.value)
    assert (body["reason"], body["details"]["name"], body["details"]["kind"]) == ("AlreadyExists", "db", "secrets")


# --- Widgets through the DynamicClient ------------------------------------------------------------------------


def test_widget_create_get_and_list_by_label_and_field_selectors(k8s: Clients) -> None:
    created = k8s.widgets.create(body=widget("w1", color="red", labels={"app": "x"}), namespace=NS)
    k8s.widgets.create(body=widget("w2", color="blue", labels={"app": "y"}), namespace=NS)
    assert created.metadata.generation == 1 and created.metadata.namespace == NS
    got = k8s.widgets.get(name="w1", namespace=NS)
    assert (got.metadata.uid, got.spec.color) == (created.metadata.uid, "red")

    assert names(k8s.widgets.get(namespace=NS)) == ["w1", "w2"]
    assert names(k8s.widgets.get(namespace=NS, label_selector="app=y")) == ["w2"]
    assert names(k8s.widgets.get(namespace=NS, label_selector="app in (x,y),app!=y")) == ["w1"]
    assert names(k8s.widgets.get(namespace=NS, field_selector="spec.color=blue")) == ["w2"]
    assert names(k8s.widgets.get(namespace=NS, field_selector="metadata.name=w1")) == ["w1"]


def test_widget_merge_patch_json_patch_and_replace(k8s: Clients) -> None:
    k8s.widgets.create(body=widget("w1", size=1), namespace=NS)

    merged = merge_patch(k8s, "w1", {"spec": {"size": 3, "tags": ["a"]}})
    assert (merged.spec.size, merged.spec.tags, merged.spec.color) == (3, ["a"], "red")
    assert merged.metadata.generation == 2

    ops = [{"op": "add", "path": "/spec/tags/-", "value": "b"}, {"op": "replace", "path": "/spec/size", "value": 4}]
    patched = k8s.widgets.patch(body=ops, name="w1", namespace=NS, content_type="application/json-patch+json")
    assert (patched.spec.size, patched.spec.tags) == (4, ["a", "b"])

    body = patched.to_dict()
    body["spec"] = {"color": "green"}
    replaced = k8s.widgets.replace(body=body, namespace=NS)
    assert replaced.to_dict()["spec"] == {"color": "green"}
    assert replaced.metadata.generation == 4
    assert k8s.widgets.get(name="w1", namespace=NS).spec.color == "green"


def test_widget_status_is_written_only_through_the_status_subresource(k8s: Clients) -> None:
    k8s.widgets.create(body=widget("w1"), namespace=NS)
    ignored = merge_patch(k8s, "w1", {"status": {"phase": "Ready"}})
    assert ignored.to_dict().get("status") is None

    updated = k8s.widgets.status.patch(body={"status": {"phase": "Ready"}}, name="w1", namespace=NS,
                                       content_type="application/merge-patch+json")
    assert updated.status.phase == "Ready"
    assert updated.metadata.generation == 1
    assert names(k8s.widgets.get(namespace=NS, field_selector="status.phase=Ready")) == ["w1"]

    # A spec change through the status subresource is dropped.
    k8s.widgets.status.patch(body={"spec": {"color": "blue"}}, name="w1", namespace=NS,
                             content_type="application/merge-patch+json")
    assert k8s.widgets.get(name="w1", namespace=NS).spec.color == "red"


def test_widget_delete_removes_it(k8s: Clients) -> None:
    k8s.widgets.create(body=widget("w1"), namespace=NS)
    k8s.widgets.delete(name="w1", namespace=NS)
    with pytest.raises(dyn_errors.NotFoundError):
        k8s.widgets.get(name="w1", namespace=NS)
    assert names(k8s.widgets.get(namespace=NS)) == []


def test_widget_replace_with_stale_resource_version_is_a_conflict(k8s: Clients) -> None:
    k8s.widgets.create(body=widget("w1", size=1), namespace=NS)
    stale = k8s.widgets.get(name="w1", namespace=NS).to_dict()
    newer = merge_patch(k8s, "w1", {"spec": {"size": 2}})
    assert newer.metadata.resourceVersion != stale["metadata"]["resourceVersion"]

    stale["spec"]["size"] = 9
    with pytest.raises(dyn_errors.ConflictError) as info:
        k8s.widgets.replace(body=stale, namespace=NS)
    assert info.value.status == 409
    assert status_body(info.value)["reason"] == "Conflict"
    assert k8s.widgets.get(name="w1", namespace=NS).spec.size == 2


def test_widget_create_of_existing_name_is_already_exists(k8s: Clients) -> None:
    k8s.widgets.create(body=widget("w1"), namespace=NS)
    with pytest.raises(dyn_errors.ConflictError) as info:
        k8s.widgets.create(body=widget("w1"), namespace=NS)
    body = status_body(info.value)
    assert (body["code"], body["reason"], body["details"]["name"]) == (409, "AlreadyExists", "w1")


def test_get_of_missing_name_is_not_found_naming_it(k8s: Clients) -> None:
    with pytest.raises(dyn_errors.NotFoundError) as info:
        k8s.widgets.get(name="nope", namespace=NS)
    body = status_body(info.value)
    assert (body["kind"], body["code"], body["reason"]) == ("Status", 404, "NotFound")
    assert body["message"] == 'widgets.test.hortus.dev "nope" not found'
    assert body["details"] == {"name": "nope", "kind": "widgets", "group": GROUP}
    assert info.value.summary() == body["message"]

    with pytest.raises(ApiException) as typed:
        k8s.core.read_namespaced_secret("nope", NS)
    assert typed.value.status == 404
    assert status_body(typed.value)["message"] == 'secrets "nope" not found'


def test_widget_with_non_integer_size_is_invalid_on_spec_size(k8s: Clients) -> None:
    with pytest.raises(dyn_errors.UnprocessibleEntityError) as info:
        k8s.widgets.create(body={**widget("w1"), "spec": {"size": "abc"}}, namespace=NS)
    body = status_body(info.value)
    assert (body["code"], body["reason"]) == (422, "Invalid")
    assert body["details"]["causes"][0]["field"] == "spec.size"
    assert names(k8s.widgets.get(namespace=NS)) == []


def test_list_pages_with_limit_and_continue_return_every_widget_once(k8s: Clients) -> None:
    for i in range(7):
        k8s.widgets.create(body=widget(f"w{i}"), namespace=NS)
    pages: list[list[str]] = []
    token = None
    while True:
        page = k8s.widgets.get(namespace=NS, limit=3, _continue=token)
        pages.append(names(page))
        token = page.metadata["continue"]
        if not token:
            break
    assert [len(p) for p in pages] == [3, 3, 1]
    assert sorted(n for p in pages for n in p) == [f"w{i}" for i in range(7)]


def test_dry_run_create_does_not_persist(k8s: Clients) -> None:
    answer = k8s.widgets.create(body=widget("w1"), namespace=NS, dry_run="All")
    assert answer.metadata.name == "w1"
    with pytest.raises(dyn_errors.NotFoundError):
        k8s.widgets.get(name="w1", namespace=NS)
    assert names(k8s.widgets.get(namespace=NS)) == []


# --- Watches --------------------------------------------------------------------------------------------------


def test_watch_sees_writes_from_another_thread_in_order(k8s: Clients) -> None:
    start = list_rv(k8s)
    failures: list[BaseException] = []

    def write() -> None:
        try:
            time.sleep(0.3)  # let the watch open first, so the events arrive live
            k8s.widgets.create(body=widget("w1"), namespace=NS)
            merge_patch(k8s, "w1", {"spec": {"size": 2}})
            k8s.widgets.delete(name="w1", namespace=NS)
        except BaseException as exc:  # surfaced in the test thread below
            failures.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    events = watch_widgets(k8s, resource_version=start, timeout_seconds=5,
                           until=lambda seen: seen[-1][0] == "DELETED")
    writer.join()
    assert failures == []
    assert kinds_and_names(events) == [("ADDED", "w1"), ("MODIFIED", "w1"), ("DELETED", "w1")]
    rvs = [rv for _kind, _name, rv in events]
    assert int(start) < rvs[0] < rvs[1] < rvs[2]


def test_watch_resumed_from_resource_version_misses_nothing(k8s: Clients) -> None:
    k8s.widgets.create(body=widget("before"), namespace=NS)
    start = list_rv(k8s)
    expected: list[tuple[str, str]] = []
    for i in range(8):
        k8s.widgets.create(body=widget(f"w{i}"), namespace=NS)
        expected.append(("ADDED", f"w{i}"))
    for i in range(6):
        merge_patch(k8s, f"w{i}", {"spec": {"size": 10 + i}})
        expected.append(("MODIFIED", f"w{i}"))
    for i in range(6):
        k8s.widgets.delete(name=f"w{i}", namespace=NS)
        expected.append(("DELETED", f"w{i}"))
    assert len(expected) == 20

    events = watch_widgets(k8s, resource_version=start, timeout_seconds=1)
    assert kinds_and_names(events) == expected
    rvs = [rv for _kind, _name, rv in events]
    assert rvs == sorted(set(rvs))


def test_label_selector_watch_reports_objects_leaving_as_deleted_and_entering_as_added(k8s: Clients) -> None:
    k8s.widgets.create(body=widget("w1", labels={"app": "in"}), namespace=NS)
    k8s.widgets.create(body=widget("w2", labels={"app": "out"}), namespace=NS)
    start = list_rv(k8s)
    merge_patch(k8s, "w1", {"metadata": {"labels": {"app": "out"}}})
    merge_patch(k8s, "w2", {"metadata": {"labels": {"app": "in"}}})
    merge_patch(k8s, "w2", {"spec": {"size": 5}})
    merge_patch(k8s, "w1", {"spec": {"size": 5}})  # out of the selection: not reported
    merge_patch(k8s, "w1", {"metadata": {"labels": {"app": "in"}}})

    seen = [(e["type"], e["object"].metadata.name)
            for e in k8s.widgets.watch(namespace=NS, label_selector="app=in", resource_version=start, timeout=1)]
    assert seen == [("DELETED", "w1"), ("ADDED", "w2"), ("MODIFIED", "w2"), ("ADDED", "w1")]


def _compacted_start(k8s: Clients) -> str:
    """A resourceVersion from before three writes, with the change log then compacted to its newest row."""
    start = list_rv(k8s)
    for i in range(3):
        k8s.widgets.create(body=widget(f"w{i}"), namespace=NS)
    k8s.api.store.compact(keep=1)
    return start


def test_watch_from_compacted_resource_version_is_gone(k8s: Clients) -> None:
    start = _compacted_start(k8s)
    resp = k8s.custom.list_namespaced_custom_object(GROUP, VERSION, NS, PLURAL, watch=True, resource_version=start,
                                                    timeout_seconds=2, _preload_content=False)
    try:
        lines = [json.loads(line) for line in resp.data.decode().splitlines() if line]
    finally:
        resp.release_conn()
    assert [e["type"] for e in lines] == ["ERROR"]
    assert (lines[0]["object"]["code"], lines[0]["object"]["reason"]) == (410, "Expired")

    with pytest.raises(ApiException) as info:
        watch_widgets(k8s, resource_version=start, timeout_seconds=2)
    assert info.value.status == 410

    # Recovery as the client docs say: list again, then watch from the list's resourceVersion.
    relisted = k8s.widgets.get(namespace=NS)
    assert names(relisted) == ["w0", "w1", "w2"]
    k8s.widgets.create(body=widget("w3"), namespace=NS)
    events = watch_widgets(k8s, resource_version=relisted.metadata.resourceVersion, timeout_seconds=1)
    assert kinds_and_names(events) == [("ADDED", "w3")]


@pytest.mark.timeout(30)
def test_watch_without_timeout_raises_gone_after_one_retry(k8s: Clients) -> None:
    start = _compacted_start(k8s)
    with pytest.raises(ApiException) as info:
        watch_widgets(k8s, resource_version=start)
    assert info.value.status == 410


def test_watch_with_bookmarks_receives_a_bookmark_with_resource_version(k8s: Clients) -> None:
    start = list_rv(k8s)
    created = k8s.widgets.create(body=widget("w1"), namespace=NS)
    events = watch_widgets(k8s, resource_version=start, allow_watch_bookmarks=True, timeout_seconds=1)
    assert kinds_and_names(events) == [("ADDED", "w1"), ("BOOKMARK", "")]
    assert events[-1][2] >= int(created.metadata.resourceVersion)
