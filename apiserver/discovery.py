"""API discovery bodies built from a ``Registry``: /version, /api, /apis, /apis/<g>, /api/v1, /apis/<g>/<v>,
and aggregated discovery (apidiscovery.k8s.io v2 and v2beta1) with its Accept negotiation.

Called by the HTTP layer of the garden API and of the local seed cluster; everything here returns JSON-able
dicts. The shapes are the ones kubectl 1.27-1.33 and the Python client were seen to accept.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import re
from typing import Any

from apiserver.registry import Registry, ResourceType

JSON = dict[str, Any]

AGGREGATED_VERSIONS = ("v2", "v2beta1")
LEGACY_CONTENT_TYPE = "application/json"


def aggregated_content_type(version: str) -> str:
    """The response Content-Type kubectl needs to read an aggregated body (plain JSON is misread)."""
    return f"application/json;g=apidiscovery.k8s.io;v={version};as=APIGroupDiscoveryList"


@dataclasses.dataclass(frozen=True)
class Subresource:
    """How a subresource is advertised: its verbs and, when it is not the parent kind, its own kind."""

    verbs: tuple[str, ...]
    group: str | None = None
    version: str | None = None
    kind: str | None = None


# Subresources with a Kubernetes-defined shape; any other name is advertised create-only, on the parent kind.
SUBRESOURCES: dict[str, Subresource] = {
    "status": Subresource(verbs=("get", "patch", "update")),
    "scale": Subresource(verbs=("get", "patch", "update"), group="autoscaling", version="v1", kind="Scale"),
    "binding": Subresource(verbs=("create",)),
    "eviction": Subresource(verbs=("create",), group="policy", version="v1", kind="Eviction"),
    "log": Subresource(verbs=("get",)),
    "exec": Subresource(verbs=("create", "get"), group="", version="v1", kind="PodExecOptions"),
    "attach": Subresource(verbs=("create", "get"), group="", version="v1", kind="PodAttachOptions"),
    "portforward": Subresource(verbs=("create", "get"), group="", version="v1", kind="PodPortForwardOptions"),
    "token": Subresource(verbs=("create",), group="authentication.k8s.io", version="v1", kind="TokenRequest"),
}
_DEFAULT_SUBRESOURCE = Subresource(verbs=("create",))


def subresource(rt: ResourceType, name: str) -> tuple[Subresource, JSON]:
    """The subresource's description and its response kind as ``{group, version, kind}``."""
    sub = SUBRESOURCES.get(name, _DEFAULT_SUBRESOURCE)
    if name == "binding" and rt.group == "":
        sub = Subresource(verbs=sub.verbs, group="", version="v1", kind="Binding")
    if name in rt.subresource_kinds:
        group, version, kind_name = rt.subresource_kinds[name]
        sub = Subresource(verbs=sub.verbs, group=group, version=version, kind=kind_name)
    kind = {
        "group": rt.group if sub.group is None else sub.group,
        "version": sub.version or rt.version,
        "kind": sub.kind or rt.kind,
    }
    return sub, kind


def version_info(minor: str = "32") -> JSON:
    """The ``/version`` body; the kubectl dispatcher runs the kubectl binary matching ``minor``."""
    return {
        "major": "1",
        "minor": minor,
        "gitVersion": f"v1.{minor}.0",
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2024-12-11T00:00:00Z",
        "goVersion": "go1.23.4",
        "compiler": "gc",
        "platform": "linux/amd64",
    }


def storage_version_hash(group: str, version: str, kind: str) -> str:
    """As the Kubernetes API server computes it: base64 of the first 8 bytes of sha256("g/v/Kind")."""
    digest = hashlib.sha256(f"{group}/{version}/{kind}".encode()).digest()
    return base64.b64encode(digest[:8]).decode()


def version_priority(version: str) -> tuple[int, int, int, str]:
    """Sort key putting the preferred version first: GA > beta > alpha, then higher numbers first."""
    match = re.fullmatch(r"v(\d+)(?:(alpha|beta)(\d+))?", version)
    if not match:
        return (3, 0, 0, version)  # not Kubernetes-like: after all others, alphabetically
    major, stage, minor = match.groups()
    rank = {None: 0, "beta": 1, "alpha": 2}[stage]
    return (rank, -int(major), -int(minor or 0), version)


def _group_versions(reg: Registry, group: str) -> list[str]:
    return sorted(reg.group_versions().get(group, []), key=version_priority)


def _version_entry(group: str, version: str) -> JSON:
    return {"groupVersion": f"{group}/{version}" if group else version, "version": version}


# --- legacy discovery -------------------------------------------------------------------------------------


def api_versions(server_address: str) -> JSON:
    """The ``/api`` body (APIVersions): the core group is always served at v1."""
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    }


def api_group(reg: Registry, group: str) -> JSON | None:
    """The ``/apis/<group>`` body (APIGroup), or None for a group not served."""
    versions = _group_versions(reg, group) if group else []
    if not versions:
        return None
    return {
        "kind": "APIGroup",
        "apiVersion": "v1",
        "name": group,
        "versions": [_version_entry(group, v) for v in versions],
        "preferredVersion": _version_entry(group, versions[0]),
    }


def api_group_list(reg: Registry) -> JSON:
    """The ``/apis`` body (APIGroupList): every named group with its preferred version."""
    groups = [api_group(reg, group) for group in sorted(reg.group_versions()) if group]
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [g for g in groups if g]}


def api_resource_list(reg: Registry, group: str, version: str) -> JSON | None:
    """The ``/api/v1`` or ``/apis/<g>/<v>`` body (APIResourceList), or None for a group version not served."""
    types = reg.in_group_version(group, version)
    if not types and (group, version) != ("", "v1"):
        return None
    resources: list[JSON] = []
    for rt in types:
        resources.append(_api_resource(rt))
        resources.extend(_api_subresource(rt, name) for name in rt.subresources)
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": _version_entry(group, version)["groupVersion"],
        "resources": resources,
    }


def _api_resource(rt: ResourceType) -> JSON:
    body: JSON = {
        "name": rt.plural,
        "singularName": rt.singular_name,
        "namespaced": rt.namespaced,
        "kind": rt.kind,
        "verbs": list(rt.verbs),
    }
    if rt.short_names:
        body["shortNames"] = list(rt.short_names)
    if rt.categories:
        body["categories"] = list(rt.categories)
    body["storageVersionHash"] = storage_version_hash(rt.group, rt.version, rt.kind)
    return body


def _api_subresource(rt: ResourceType, name: str) -> JSON:
    sub, kind = subresource(rt, name)
    body: JSON = {"name": f"{rt.plural}/{name}", "singularName": "", "namespaced": rt.namespaced}
    if (kind["group"], kind["version"]) != (rt.group, rt.version):
        body["group"] = kind["group"]
        body["version"] = kind["version"]
    body["kind"] = kind["kind"]
    body["verbs"] = list(sub.verbs)
    return body


# --- aggregated discovery ---------------------------------------------------------------------------------


def negotiate_aggregated(accept: str) -> str | None:
    """ "v2", "v2beta1" or None (legacy) for an Accept header, honouring its order and q-values.

    kubectl 1.27-1.29 offer only v2beta1, 1.30+ offer v2 then v2beta1, both followed by plain
    application/json; the Python client offers only application/json.
    """
    for media in media_ranges(accept):
        if media.is_plain_json():
            return None
        if (
            media.type == "application/json"
            and media.params.get("g") == "apidiscovery.k8s.io"
            and media.params.get("as") == "APIGroupDiscoveryList"
            and media.params.get("v") in AGGREGATED_VERSIONS
        ):
            return media.params["v"]
    return None


@dataclasses.dataclass(frozen=True)
class MediaRange:
    """One entry of an Accept header: ``application/json;as=Table;v=v1;g=meta.k8s.io`` and its q-value."""

    type: str
    params: dict[str, str]
    q: float = 1.0

    def is_plain_json(self) -> bool:
        """Plain JSON (or a wildcard) without an ``as=`` conversion: the ordinary object or list."""
        return self.type in ("application/json", "application/*", "*/*") and "as" not in self.params


def media_ranges(accept: str) -> list[MediaRange]:
    """The Accept header's media ranges, best first (stable for equal q), without those of q=0."""
    ranges: list[tuple[float, int, MediaRange]] = []
    for index, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        params: dict[str, str] = {}
        for field in fields[1:]:
            key, _, value = field.partition("=")
            params[key.strip().lower()] = value.strip().strip('"')
        try:
            quality = float(params.pop("q", "1"))
        except ValueError:
            quality = 0.0
        if quality > 0:
            ranges.append((-quality, index, MediaRange(type=fields[0].lower(), params=params, q=quality)))
    return [media for _, _, media in sorted(ranges, key=lambda r: (r[0], r[1]))]


def aggregated(reg: Registry, core: bool, version: str) -> JSON:
    """The APIGroupDiscoveryList for ``/api`` (core) or ``/apis``, as ``apidiscovery.k8s.io/<version>``."""
    if core:
        items = [_group_discovery(reg, "")]
    else:
        items = [_group_discovery(reg, g) for g in sorted(reg.group_versions()) if g]
    return {
        "kind": "APIGroupDiscoveryList",
        "apiVersion": f"apidiscovery.k8s.io/{version}",
        "metadata": {},
        "items": items,
    }


def _group_discovery(reg: Registry, group: str) -> JSON:
    versions = _group_versions(reg, group) or (["v1"] if group == "" else [])
    return {
        "metadata": {"name": group, "creationTimestamp": None},
        "versions": [
            {
                "version": version,
                "resources": [_resource_discovery(rt) for rt in reg.in_group_version(group, version)],
                "freshness": "Current",
            }
            for version in versions
        ],
    }


def _resource_discovery(rt: ResourceType) -> JSON:
    body: JSON = {
        "resource": rt.plural,
        "responseKind": {"group": rt.group, "version": rt.version, "kind": rt.kind},
        "scope": "Namespaced" if rt.namespaced else "Cluster",
        "singularResource": rt.singular_name,
        "verbs": list(rt.verbs),
    }
    if rt.short_names:
        body["shortNames"] = list(rt.short_names)
    if rt.categories:
        body["categories"] = list(rt.categories)
    if rt.subresources:
        body["subresources"] = [_subresource_discovery(rt, name) for name in rt.subresources]
    return body


def _subresource_discovery(rt: ResourceType, name: str) -> JSON:
    sub, kind = subresource(rt, name)
    return {"subresource": name, "responseKind": kind, "verbs": list(sub.verbs)}
