"""Every query parameter the machinery reads is validated as Kubernetes validates it, on the garden and the local
seed: values its parameter codec cannot convert are 400, values its option validation refuses are 422 naming the
option, an Accept header naming nothing servable is 406 — and a refused request writes nothing."""

from __future__ import annotations

import pytest

from tests.support.hostile import Target, refused

MERGE = {"Content-Type": "application/merge-patch+json"}


@pytest.mark.parametrize("value", ["Bogus", "true", "all", ""])
def test_dry_run_other_than_all_is_refused_and_writes_nothing(target: Target, value: str) -> None:
    target.create_configmap("dry") if target.client.get(target.configmaps("dry")).status_code == 404 else None
    before = target.snapshot()
    q = f"?dryRun={value}"
    status = refused(target.client.post(target.configmaps() + q, json=target.configmap("dry-new")), 422, "Invalid",
                     field="dryRun")
    assert status["message"].startswith('CreateOptions "" is invalid: dryRun: Unsupported value: []string{')
    current = target.client.get(target.configmaps("dry")).json()
    current["metadata"]["labels"] = {"changed": "yes"}
    refused(target.client.put(target.configmaps("dry") + q, json=current), 422, "Invalid", field="dryRun")
    refused(target.client.patch(target.configmaps("dry") + q, json={"metadata": {"labels": {"x": "y"}}},
                                headers=MERGE), 422, "Invalid", field="dryRun")
    refused(target.client.delete(target.configmaps("dry") + q), 422, "Invalid", field="dryRun")
    refused(target.client.delete(target.configmaps() + q), 422, "Invalid", field="dryRun")
    assert target.snapshot() == before


def test_dry_run_all_answers_without_writing(target: Target) -> None:
    target.create_configmap("dryall")
    before = target.snapshot()
    assert target.client.post(target.configmaps() + "?dryRun=All", json=target.configmap("x")).status_code == 201
    resp = target.client.patch(target.configmaps("dryall") + "?dryRun=All", json={"metadata": {"labels": {"x": "y"}}},
                               headers=MERGE)
    assert resp.status_code == 200 and resp.json()["metadata"]["labels"] == {"keep": "me", "x": "y"}
    assert target.client.delete(target.configmaps("dryall") + "?dryRun=All").status_code == 200
    body = {"kind": "DeleteOptions", "apiVersion": "v1", "dryRun": ["All"]}
    assert target.client.request("DELETE", target.configmaps("dryall"), json=body).status_code == 200
    assert target.snapshot() == before


@pytest.mark.parametrize(("query", "body", "code", "field"), [
    ("?propagationPolicy=Bogus", None, 422, "propagationPolicy"),
    ("?gracePeriodSeconds=abc", None, 400, "gracePeriodSeconds"),
    ("?gracePeriodSeconds=99999999999999999999", None, 400, "gracePeriodSeconds"),
    ("?orphanDependents=true&propagationPolicy=Foreground", None, 422, "propagationPolicy"),
    ("", {"propagationPolicy": "Bogus"}, 422, "propagationPolicy"),
    ("", {"gracePeriodSeconds": "30"}, 400, "gracePeriodSeconds"),
    ("", {"gracePeriodSeconds": True}, 400, "gracePeriodSeconds"),
    ("", {"orphanDependents": "yes"}, 400, "orphanDependents"),
    ("", {"dryRun": "All"}, 400, "dryRun"),
    ("", {"dryRun": ["Bogus"]}, 422, "dryRun"),
    ("", {"preconditions": {"uid": 5}}, 400, "preconditions.uid"),
    ("", {"preconditions": "x"}, 400, "preconditions"),
])
def test_invalid_delete_options_delete_nothing(
    target: Target, query: str, body: dict[str, object] | None, code: int, field: str
) -> None:
    target.create_configmap("del") if target.client.get(target.configmaps("del")).status_code == 404 else None
    before = target.snapshot()
    for path in (target.configmaps("del"), target.configmaps()):
        resp = target.client.request("DELETE", path + query, json=body)
        refused(resp, code, "Invalid" if code == 422 else "BadRequest", field=field)
    assert target.snapshot() == before


@pytest.mark.parametrize("limit", ["1e30", str(2**63), "abc", "1.5", " 1", "0x10", "1_0"])
def test_limits_that_are_not_int64_are_400(target: Target, limit: str) -> None:
    refused(target.client.get(target.configmaps(), params={"limit": limit}), 400, "BadRequest", field="limit")
    refused(target.client.get("/api/v1/configmaps", params={"limit": limit}), 400, "BadRequest", field="limit")


@pytest.mark.parametrize("rv", ["abc", "-1", "1.5", str(2**63), "0x1"])
def test_a_get_at_a_malformed_resource_version_is_400(target: Target, rv: str) -> None:
    target.create_configmap("rv") if target.client.get(target.configmaps("rv")).status_code == 404 else None
    refused(target.client.get(target.configmaps("rv"), params={"resourceVersion": rv}), 400, "BadRequest",
            field="resourceVersion")


def test_continue_with_a_resource_version_is_400(target: Target) -> None:
    for name in ("cont-a", "cont-b"):
        target.create_configmap(name) if target.client.get(target.configmaps(name)).status_code == 404 else None
    first = target.client.get(target.configmaps(), params={"limit": "1"}).json()
    token = first["metadata"]["continue"]
    status = refused(target.client.get(target.configmaps(), params={"limit": "1", "continue": token,
                                                                    "resourceVersion": "5"}), 400, "BadRequest")
    assert status["message"] == "specifying resource version is not allowed when using continue"
    assert target.client.get(target.configmaps(), params={"limit": "1", "continue": token}).status_code == 200


def test_zero_and_negative_limits_list_everything(target: Target) -> None:
    target.create_configmap("lim-a") if target.client.get(target.configmaps("lim-a")).status_code == 404 else None
    everything = target.snapshot()
    for limit in ("0", "-1", str(-(2**63))):
        resp = target.client.get(target.configmaps(), params={"limit": limit})
        assert resp.status_code == 200, resp.text
        assert {i["metadata"]["name"] for i in resp.json()["items"]} == set(everything)
    resp = target.client.get(target.configmaps(), params={"limit": str(2**63 - 1)})
    assert resp.status_code == 200 and len(resp.json()["items"]) == len(everything)


@pytest.mark.parametrize(("params", "code", "field"), [
    ({"watch": "true", "timeoutSeconds": "abc"}, 400, "timeoutSeconds"),
    ({"watch": "true", "timeoutSeconds": str(2**64)}, 400, "timeoutSeconds"),
    ({"resourceVersion": "abc"}, 400, "resourceVersion"),
    ({"resourceVersion": "-1"}, 400, "resourceVersion"),
    ({"resourceVersion": "1", "resourceVersionMatch": "Bogus"}, 422, "resourceVersionMatch"),
    ({"resourceVersionMatch": "Exact"}, 422, "resourceVersionMatch"),
    ({"labelSelector": "a in (b"}, 400, None),
    ({"labelSelector": "!!a"}, 400, None),
    ({"fieldSelector": "metadata.name=a=b=c"}, 400, None),
    ({"fieldSelector": "spec.bogus=a"}, 400, None),
    ({"continue": "not-a-token"}, 400, None),
    ({"includeObject": "Bogus"}, 400, None),
])
def test_invalid_list_parameters_are_refused(
    target: Target, params: dict[str, str], code: int, field: str | None
) -> None:
    headers = {"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"} if "includeObject" in params else {}
    resp = target.client.get(target.configmaps(), params=params, headers=headers)
    refused(resp, code, "Invalid" if code == 422 else "BadRequest", field=field)


@pytest.mark.parametrize(("params", "field"), [
    ({"fieldManager": "m" * 129}, "fieldManager"),
    ({"fieldManager": "bad\x01manager"}, "fieldManager"),
    ({"fieldManager": "tab\tmanager"}, "fieldManager"),
    ({"fieldValidation": "Bogus"}, "fieldValidation"),
    ({"fieldValidation": "strict"}, "fieldValidation"),
])
def test_invalid_write_options_are_refused_and_write_nothing(
    target: Target, params: dict[str, str], field: str
) -> None:
    target.create_configmap("opts") if target.client.get(target.configmaps("opts")).status_code == 404 else None
    before = target.snapshot()
    refused(target.client.post(target.configmaps(), params=params, json=target.configmap("opts-new")), 422, "Invalid",
            field=field)
    refused(target.client.patch(target.configmaps("opts"), params=params, json={"metadata": {"labels": {"x": "y"}}},
                                headers=MERGE), 422, "Invalid", field=field)
    current = target.client.get(target.configmaps("opts")).json()
    refused(target.client.put(target.configmaps("opts"), params=params, json=current), 422, "Invalid", field=field)
    assert target.snapshot() == before


def test_a_field_manager_of_128_characters_is_accepted(target: Target) -> None:
    resp = target.client.post(target.configmaps(), params={"fieldManager": "m" * 128},
                              json=target.configmap("manager-ok"))
    assert resp.status_code == 201, resp.text
    assert target.client.delete(target.configmaps("manager-ok")).status_code == 200


def test_force_is_forbidden_on_a_non_apply_patch(target: Target) -> None:
    target.create_configmap("forced")
    before = target.snapshot()
    resp = target.client.patch(target.configmaps("forced") + "?force=true", json={"metadata": {"labels": {"a": "b"}}},
                               headers=MERGE)
    refused(resp, 422, "Invalid", field="force")
    assert target.snapshot() == before


@pytest.mark.parametrize("accept", ["text/html", "application/xml", "application/vnd.kubernetes.protobuf",
                                    "application/json;as=Table;v=v9;g=meta.k8s.io", "image/*"])
def test_an_accept_header_naming_nothing_servable_is_406(target: Target, accept: str) -> None:
    target.create_configmap("acc") if target.client.get(target.configmaps("acc")).status_code == 404 else None
    before = target.snapshot()
    for method, path in (("GET", target.configmaps()), ("GET", target.configmaps("acc")),
                         ("POST", target.configmaps())):
        kwargs = {"json": target.configmap("acc-new")} if method == "POST" else {}
        resp = target.client.request(method, path, headers={"Accept": accept}, **kwargs)  # type: ignore[arg-type]
        refused(resp, 406, "NotAcceptable")
    assert target.snapshot() == before


@pytest.mark.parametrize("accept", ["*/*", "application/*", "application/json", "text/html, application/json;q=0.5",
                                    "application/vnd.kubernetes.protobuf, application/json",
                                    "application/json;stream=watch"])
def test_an_accept_header_with_json_among_its_ranges_is_served(target: Target, accept: str) -> None:
    resp = target.client.get(target.configmaps(), headers={"Accept": accept})
    assert resp.status_code == 200, resp.text
    assert resp.json()["kind"] == "ConfigMapList"
