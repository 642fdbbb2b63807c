"""Bodies that cannot be decoded or stored are refused with 400 before they reach anything recursive, on the
garden and the local seed: deep nesting, integers beyond int64 (int32 where Gardener's types say so), NaN and
infinities, lone surrogates, duplicate keys under fieldValidation=Strict, YAML alias bombs; and a refused body
leaves the store as it was."""

from __future__ import annotations

import json

import pytest

from tests.support.hostile import Target, refused

JSON_TYPE = {"Content-Type": "application/json"}
BIG = "1180591620717411303424"


def _deep(levels: int, inner: str = "1") -> str:
    return "[" * levels + inner + "]" * levels


def _post(target: Target, text: str | bytes, headers: dict[str, str] | None = None) -> object:
    return target.client.post(target.configmaps(), content=text, headers=headers or JSON_TYPE)


@pytest.mark.parametrize(("levels", "where"), [(10_000, "top"), (500, "field"), (101, "field")])
def test_deep_nesting_is_refused_before_recursion(target: Target, levels: int, where: str) -> None:
    before = target.snapshot()
    if where == "top":
        text = _deep(levels)
    else:
        text = json.dumps(target.configmap("deep")).replace('"data"', f'"extra": {_deep(levels)}, "data"')
    refused(target.client.post(target.configmaps(), content=text, headers=JSON_TYPE), 400, "BadRequest")
    assert target.snapshot() == before


def test_nesting_at_the_limit_is_accepted(target: Target) -> None:
    body = target.configmap("deep-ok", data={"k": "v"})
    body["extra"] = json.loads(_deep(95))  # unknown: pruned with a warning, but decoded
    resp = target.client.post(target.configmaps(), json=body)
    assert resp.status_code == 201, resp.text
    assert target.client.delete(target.configmaps("deep-ok")).status_code == 200


@pytest.mark.parametrize("number", [BIG, "18446744073709551615", "9223372036854775808", "-9223372036854775809"])
def test_integers_beyond_int64_are_refused_naming_the_field(target: Target, number: str) -> None:
    before = target.snapshot()
    text = json.dumps(target.configmap("bigint")).replace('"data"', f'"extra": {{"n": {number}}}, "data"')
    status = refused(_post(target, text), 400, "BadRequest", field="extra.n")  # type: ignore[arg-type]
    assert "64-bit" in status["message"]
    assert target.snapshot() == before


def test_int64_bounds_themselves_are_decoded(target: Target) -> None:
    text = json.dumps(target.configmap("int64")).replace('"data"', '"extra": [9223372036854775807, '
                                                                   '-9223372036854775808], "data"')
    resp = _post(target, text)
    assert resp.status_code == 201, resp.text  # type: ignore[attr-defined]
    assert target.client.delete(target.configmaps("int64")).status_code == 200


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_numbers_are_refused(target: Target, literal: str) -> None:
    before = target.snapshot()
    text = json.dumps(target.configmap("nan")).replace('"data"', f'"extra": {literal}, "data"')
    refused(_post(target, text), 400, "BadRequest")  # type: ignore[arg-type]
    assert target.snapshot() == before


@pytest.mark.parametrize("raw", [b'"\\ud800"', b'"a\\udfffb"', b'"\xed\xa0\x80"', b'"\xff"'])
def test_lone_surrogates_and_invalid_utf8_are_refused(target: Target, raw: bytes) -> None:
    before = target.snapshot()
    for where in (b'"name": "x"', b'"labels": {"keep": "me"}'):
        body = json.dumps(target.configmap("x")).encode()
        text = body.replace(where, where.split(b":")[0] + b": " + raw) if where.startswith(b'"name"') else \
            body.replace(b'"data": {"k": "v"}', b'"data": {"k": ' + raw + b"}")
        refused(_post(target, text), 400, "BadRequest")  # type: ignore[arg-type]
        for content_type in ("application/yaml", ""):
            resp = target.client.post(target.configmaps(), content=text, headers={"Content-Type": content_type})
            refused(resp, 400, "BadRequest")
    assert target.snapshot() == before


def test_duplicate_keys_are_refused_under_strict_and_warned_of_under_warn(target: Target) -> None:
    before = target.snapshot()
    text = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup","labels":{"a":"1","a":"2"}},' \
           '"data":{"k":"v"}}'
    resp = target.client.post(target.configmaps() + "?fieldValidation=Strict", content=text, headers=JSON_TYPE)
    status = refused(resp, 400, "BadRequest")
    assert 'duplicate field "metadata.labels.a"' in status["message"]
    assert target.snapshot() == before
    yaml_text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dup\ndata:\n  k: v\n  k: w\n"
    resp = target.client.post(target.configmaps() + "?fieldValidation=Strict", content=yaml_text,
                              headers={"Content-Type": "application/yaml"})
    assert 'duplicate field "data.k"' in refused(resp, 400, "BadRequest")["message"]
    resp = target.client.post(target.configmaps() + "?fieldValidation=Warn", content=text, headers=JSON_TYPE)
    assert resp.status_code == 201, resp.text
    assert 'duplicate field \\"metadata.labels.a\\"' in resp.headers["Warning"] or \
        'duplicate field "metadata.labels.a"' in resp.headers["Warning"]
    assert resp.json()["metadata"]["labels"] == {"a": "2"}  # the last one wins, as in Go
    assert target.client.delete(target.configmaps("dup")).status_code == 200


def test_yaml_alias_bombs_and_deep_yaml_are_refused(target: Target) -> None:
    before = target.snapshot()
    bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{c}: &{c} [{','.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True))
    bomb += "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\n"
    refused(target.client.post(target.configmaps(), content=bomb, headers={"Content-Type": "application/yaml"}),
            400, "BadRequest")
    deep = "metadata: {name: deepyaml}\nextra: " + "[" * 5000 + "]" * 5000 + "\n"
    refused(target.client.post(target.configmaps(), content=deep, headers={"Content-Type": "application/yaml"}),
            400, "BadRequest")
    assert target.snapshot() == before


def test_patches_are_decoded_as_strictly_as_bodies(target: Target) -> None:
    target.create_configmap("patched")
    before = target.snapshot()
    path = target.configmaps("patched")
    merge = {"Content-Type": "application/merge-patch+json"}
    refused(target.client.patch(path, content='{"extra": ' + _deep(10_000) + "}", headers=merge), 400, "BadRequest")
    refused(target.client.patch(path, content='{"metadata": {"annotations": {"n": "1"}}, "x": ' + BIG + "}",
                                headers=merge), 400, "BadRequest", field="x")
    refused(target.client.patch(path, content='[{"op": "add", "path": "/data/n", "value": ' + BIG + "}]",
                                headers={"Content-Type": "application/json-patch+json"}), 400, "BadRequest")
    refused(target.client.patch(path, content='{"data": {"k": "\\ud800"}}', headers=merge), 400, "BadRequest")
    refused(target.client.patch(path, content='{"data": {"k": NaN}}', headers=merge), 400, "BadRequest")
    refused(target.client.patch(path + "?fieldValidation=Strict", content='{"data": {"k": "a", "k": "b"}}',
                                headers=merge), 400, "BadRequest")
    assert target.snapshot() == before


def test_delete_options_bodies_are_decoded_strictly(target: Target) -> None:
    target.create_configmap("delopts")
    before = target.snapshot()
    refused(target.client.request("DELETE", target.configmaps("delopts"), content=_deep(10_000), headers=JSON_TYPE),
            400, "BadRequest")
    refused(target.client.request("DELETE", target.configmaps("delopts"), content='{"gracePeriodSeconds": ' + BIG +
                                  "}", headers=JSON_TYPE), 400, "BadRequest")
    assert target.snapshot() == before


def test_worker_integers_are_int32_on_the_garden(garden_target: Target) -> None:
    """Gardener's worker ``minimum``/``maximum``/``maxSurge`` are int32: larger values are refused naming them."""
    base = "/apis/core.gardener.cloud/v1beta1/namespaces/garden-dev/shoots"
    worker = {"name": "w", "machine": {"type": "m"}, "minimum": 1, "maximum": 2}
    for field, value in (("maximum", 2**31), ("minimum", -(2**31) - 1), ("maxSurge", 2**32), ("priority", 2**40)):
        body = {"apiVersion": "core.gardener.cloud/v1beta1", "kind": "Shoot", "metadata": {"name": "big"},
                "spec": {"provider": {"type": "local", "workers": [{**worker, field: value}]}}}
        status = refused(garden_target.client.post(base, json=body), 400, "BadRequest",
                         field=f"spec.provider.workers[0].{field}")
        assert "int32" in status["message"]
    body = {"apiVersion": "core.gardener.cloud/v1beta1", "kind": "Shoot", "metadata": {"name": "big"},
            "spec": {"provider": {"type": "local", "workers": [worker],
                                  "infrastructureConfig": {"n": int(BIG)}}}}
    refused(garden_target.client.post(base, content=json.dumps(body), headers=JSON_TYPE), 400, "BadRequest",
            field="spec.provider.infrastructureConfig.n")
    assert garden_target.client.get(base).status_code in (200, 404)
    assert garden_target.client.get("/apis/core.gardener.cloud/v1beta1/shoots").status_code == 200
