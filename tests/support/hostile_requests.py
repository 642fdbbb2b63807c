"""Generated hostile requests (hypothesis strategies): odd paths, verbs, query parameters, headers and bodies —
deep, huge, oddly typed JSON and YAML, numbers beyond int64, NaN, lone surrogates, duplicate keys.

Used by ``tests/apiserver/test_hostile_fuzz.py`` (at least 1,000 per run against the garden) and by
``bench/hostile_bench.py`` (longer runs with figures).
"""

from __future__ import annotations

import dataclasses
import json
import urllib.parse
from typing import Any

from hypothesis import strategies as st

NS = "hostile"
_GARDENER = "/apis/core.gardener.cloud/v1beta1"
PATHS = [
    "/api/v1/namespaces", "/api/v1/namespaces/{ns}", "/api/v1/namespaces/{ns}/status",
    "/api/v1/namespaces/{ns}/configmaps", "/api/v1/namespaces/{ns}/configmaps/{name}",
    "/api/v1/namespaces/{ns}/secrets", "/api/v1/namespaces/{ns}/secrets/{name}", "/api/v1/configmaps",
    "/api/v1/namespaces/{ns}/configmaps/{name}/{sub}",
    f"{_GARDENER}/namespaces/{{ns}}/shoots", f"{_GARDENER}/namespaces/{{ns}}/shoots/{{name}}",
    f"{_GARDENER}/namespaces/{{ns}}/shoots/{{name}}/status", f"{_GARDENER}/namespaces/{{ns}}/shoots/{{name}}/binding",
    f"{_GARDENER}/shoots", f"{_GARDENER}/projects", f"{_GARDENER}/projects/{{name}}", f"{_GARDENER}/seeds/{{name}}",
    f"{_GARDENER}/namespaces/{{ns}}/secretbindings/{{name}}", f"{_GARDENER}/cloudprofiles",
    "/apis/security.gardener.cloud/v1alpha1/namespaces/{ns}/credentialsbindings",
    "/apis/authentication.k8s.io/v1/tokenreviews", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
    "/apis/{name}/{name}/{name}", "/api/{name}", "/apis", "/api", "/version", "/openapi/v2", "/openapi/v3",
    "/api/v1/namespaces/{ns}/{name}", "/api/v1/{name}/{name}/{name}/{name}/{name}",
    # the local seed's kinds and subresources
    "/api/v1/namespaces/{ns}/pods", "/api/v1/namespaces/{ns}/pods/{name}", "/api/v1/namespaces/{ns}/pods/{name}/{sub}",
    "/apis/apps/v1/namespaces/{ns}/deployments", "/apis/apps/v1/namespaces/{ns}/deployments/{name}/{sub}",
    "/api/v1/namespaces/{ns}/serviceaccounts/{name}/token", "/api/v1/nodes/{name}", "/api/v1/nodes/{name}/status",
    "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", "/api/v1/namespaces/{ns}/services/{name}",
    "/shoots/{ns}/api/v1/namespaces",
]
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
CONTENT_TYPES = ["application/json", "application/merge-patch+json", "application/strategic-merge-patch+json",
                 "application/json-patch+json", "application/apply-patch+yaml", "application/yaml", "",
                 "application/vnd.kubernetes.protobuf", "text/plain", "application/json; charset=utf-8", "*/*"]
ACCEPTS = ["", "application/json", "*/*", "text/html", "application/json;as=Table;v=v1;g=meta.k8s.io",
           "application/vnd.kubernetes.protobuf", "application/yaml", "application/json;as=Table;v=v7;g=x",
           "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"]
PARAMS = ["dryRun", "fieldManager", "fieldValidation", "propagationPolicy", "gracePeriodSeconds", "orphanDependents",
          "limit", "continue", "labelSelector", "fieldSelector", "resourceVersion", "resourceVersionMatch",
          "timeoutSeconds", "pretty", "force", "includeObject", "sendInitialEvents", "allowWatchBookmarks",
          "preconditions.uid", "container", "tailLines"]
_ODD_VALUES = ["", "All", "true", "false", "0", "-1", "1e30", str(2**63), str(-(2**63) - 1), str(2**64), "abc",
               "Strict", "Warn", "Ignore", "Bogus", "Foreground", "Orphan", "Exact", "NotOlderThan", "a=b", "a in (b",
               "!a", "metadata.name=x", "spec.x!=y", "a,b,c", "\x00", "\ud800", "é", "x" * 300, "1.5", " 1", "+1",
               "eyJydiI6MSwibnMiOiIiLCJuYW1lIjoieCJ9", "None", "Metadata", "Object"]
_NAMES = ["x", "a-b", "UPPER", "-bad", "a" * 300, "", "..", "%2e%2e", "name.with.dots", "ünï", "\ud800", "0", "x/y"]


@dataclasses.dataclass(frozen=True)
class HostileRequest:
    method: str
    path: str
    params: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes


def _json_scalar() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
        st.sampled_from([2**63, -(2**63) - 1, 2**64, 2**31, 1180591620717411303424]),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(alphabet=st.characters(codec=None, categories=("L", "N", "P", "Cs", "Cc")), max_size=20),
    )


def json_values() -> st.SearchStrategy[Any]:
    return st.recursive(_json_scalar(), lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)), max_leaves=20)


def _metadata() -> st.SearchStrategy[Any]:
    return st.one_of(
        json_values(),
        st.fixed_dictionaries({"name": st.sampled_from(_NAMES) | json_values()},
                              optional={"labels": json_values(), "annotations": json_values(),
                                        "namespace": st.sampled_from([NS, "other", ""]) | json_values(),
                                        "finalizers": json_values(), "ownerReferences": json_values(),
                                        "resourceVersion": st.sampled_from(["1", "abc", ""]) | json_values(),
                                        "generateName": st.sampled_from(["x-", ""]) | json_values()}),
    )


def _objects() -> st.SearchStrategy[Any]:
    return st.fixed_dictionaries(
        {"metadata": _metadata()},
        optional={"apiVersion": st.sampled_from(["v1", "core.gardener.cloud/v1beta1", "x/y"]) | json_values(),
                  "kind": st.sampled_from(["ConfigMap", "Secret", "Shoot", "Namespace", "Project"]) | json_values(),
                  "data": json_values(), "spec": json_values(), "status": json_values(),
                  "stringData": json_values(), "type": json_values()})


def _text(value: Any) -> bytes:
    # ensure_ascii writes lone surrogates as \ud800 escapes; allow_nan writes NaN and Infinity literals
    return json.dumps(value, ensure_ascii=True, allow_nan=True).encode()


def _deep(depth: int, inner: bytes) -> bytes:
    return b"[" * depth + inner + b"]" * depth


_SPECIALS = [b"", b"{", b"null", b"[]", b'"x"', b"42", b"{}", b'{"a":1,"a":2}', b"a: b\na: c\n",
             b"a: &x [1]\nb: *x\n", b"--- \n- 1\n--- \n- 2\n", b"k8s\x00\x0a\x02\x0a\x00", b"\xff\xfe",
             b'{"a":1e400}',
             b'{"metadata":{"name":"\\ud800"}}', b'[{"op":"add","path":"/metadata/labels","value":7}]',
             b'[{"op":"replace","path":"/x/-/y","value":1}]', b'{"$patch":"replace"}', b'{"metadata":null}']


def bodies() -> st.SearchStrategy[bytes]:
    return st.one_of(
        _objects().map(_text),
        json_values().map(_text),
        st.sampled_from(_SPECIALS),
        st.tuples(st.integers(min_value=90, max_value=3000), st.sampled_from([b"1", b"{}", b'{"a":[]}'])).map(
            lambda t: _deep(*t)),
        st.integers(min_value=1, max_value=16).map(lambda kib: b'{"metadata":{"name":"big"},"data":{"k":"'
                                                   + b"x" * (kib * 1024) + b'"}}'),
        st.binary(max_size=64),
    )


def requests() -> st.SearchStrategy[HostileRequest]:
    def build(method: str, template: str, name: str, sub: str, params: list[tuple[str, str]], ctype: str,
              accept: str, body: bytes) -> HostileRequest:
        path = template.format(ns=NS, name=name, sub=sub)
        headers = {"Content-Type": ctype, "Accept": accept}
        return HostileRequest(method, path, params, headers, body if method in ("POST", "PUT", "PATCH", "DELETE")
                              else b"")

    return st.builds(
        build, st.sampled_from(METHODS), st.sampled_from(PATHS), st.sampled_from(_NAMES[:10]),
        st.sampled_from(["status", "scale", "binding", "log", "exec", "attach", "portforward", "eviction", "token",
                         "finalize", "bogus"]),
        st.lists(st.tuples(st.sampled_from(PARAMS), st.sampled_from(_ODD_VALUES) | st.text(max_size=12)),
                 max_size=4),
        st.sampled_from(CONTENT_TYPES), st.sampled_from(ACCEPTS) | st.just("application/json"), bodies())


def target_url(req: HostileRequest) -> str:
    """The request's path and query as raw bytes may carry them (lone surrogates percent-encoded as CESU bytes,
    which no client library would encode itself)."""
    def quote(text: str) -> str:
        return urllib.parse.quote(text.encode("utf-8", "surrogatepass"), safe="/")

    query = "&".join(f"{quote(k)}={quote(v)}" for k, v in req.params)
    return quote(req.path) + (f"?{query}" if query else "")
