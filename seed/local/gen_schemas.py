"""Generate ``seed/local/schemas.json``: the OpenAPI schemas of the local seed cluster's built-in kinds.

Run offline by a developer (``python -m seed.local.gen_schemas``) after bumping the ``kubernetes`` client; the
schemas come from the client's model classes (``openapi_types`` + ``attribute_map``), so pruning follows the
real API server's typed decoding, and their list and map extensions (patch strategy, merge key, list type) from
Kubernetes' own definitions for the client's minor, as ``kubernetes-validate`` ships them. The runtime
(``seed.local.schemas``) only reads the JSON file this writes.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

JSON = dict[str, Any]
OUTPUT = Path(__file__).with_name("schemas.json")
PRESERVE: JSON = {"x-kubernetes-preserve-unknown-fields": True}

# "<apiVersion>/<Kind>" -> the client's model class; Scale is the body of the scale subresource.
KINDS = {
    "v1/ConfigMap": "V1ConfigMap",
    "v1/ServiceAccount": "V1ServiceAccount",
    "v1/Service": "V1Service",
    "v1/Endpoints": "V1Endpoints",
    "v1/Pod": "V1Pod",
    "v1/PersistentVolumeClaim": "V1PersistentVolumeClaim",
    "v1/PersistentVolume": "V1PersistentVolume",
    "v1/Node": "V1Node",
    "v1/Event": "CoreV1Event",
    "apps/v1/Deployment": "V1Deployment",
    "apps/v1/ReplicaSet": "V1ReplicaSet",
    "apps/v1/StatefulSet": "V1StatefulSet",
    "apps/v1/DaemonSet": "V1DaemonSet",
    "coordination.k8s.io/v1/Lease": "V1Lease",
    "rbac.authorization.k8s.io/v1/Role": "V1Role",
    "rbac.authorization.k8s.io/v1/RoleBinding": "V1RoleBinding",
    "rbac.authorization.k8s.io/v1/ClusterRole": "V1ClusterRole",
    "rbac.authorization.k8s.io/v1/ClusterRoleBinding": "V1ClusterRoleBinding",
    "networking.k8s.io/v1/NetworkPolicy": "V1NetworkPolicy",
    "policy/v1/PodDisruptionBudget": "V1PodDisruptionBudget",
    "autoscaling/v2/HorizontalPodAutoscaler": "V2HorizontalPodAutoscaler",
    "apiextensions.k8s.io/v1/CustomResourceDefinition": "V1CustomResourceDefinition",
    "autoscaling/v1/Scale": "V1Scale",
}
_SCALARS: dict[str, JSON] = {
    "str": {"type": "string"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "bool": {"type": "boolean"},
    "datetime": {"type": "string", "format": "date-time"},
    "date": {"type": "string", "format": "date"},
    # IntOrString, Quantity, RawExtension and JSON: kept as sent.
    "object": PRESERVE,
}
# The x-kubernetes-* extensions of Kubernetes' own OpenAPI (patchStrategy/patchMergeKey, listType, listMapKeys,
# mapType), which the client's models do not carry: read from the definitions kubernetes-validate (a development
# dependency) ships for the Kubernetes minor the client was generated for. kubectl's client-side apply and the
# server's strategic merge patch both go by them.
EXTENSIONS = ("x-kubernetes-patch-strategy", "x-kubernetes-patch-merge-key", "x-kubernetes-list-type",
              "x-kubernetes-list-map-keys", "x-kubernetes-map-type")
_LIST = re.compile(r"^list\[(.+)\]$")
_DICT = re.compile(r"^dict[\[(]str, (.+)[\])]$")


class Generator:
    """Walks model classes into named definitions; a model met again inside itself becomes free-form."""

    def __init__(self, models: Any, upstream: dict[str, JSON]) -> None:
        self.models = models
        self.definitions: dict[str, JSON] = {}
        self.upstream = upstream

    def type_schema(self, type_name: str, *, stack: tuple[str, ...]) -> JSON:
        if type_name in _SCALARS:
            return dict(_SCALARS[type_name])
        if match := _LIST.match(type_name):
            return {"type": "array", "items": self.type_schema(match.group(1), stack=stack)}
        if match := _DICT.match(type_name):
            return {"type": "object", "additionalProperties": self.type_schema(match.group(1), stack=stack)}
        if type_name in stack:
            return {"type": "object", **PRESERVE}  # JSONSchemaProps nests itself: keep what lies below
        self.define(type_name, stack=stack)
        return {"$ref": f"#/definitions/{type_name}"}

    def define(self, name: str, *, stack: tuple[str, ...] = ()) -> None:
        if name in self.definitions:
            return
        model = getattr(self.models, name)
        self.definitions[name] = {}  # reserved, so that a sibling reference does not recurse
        properties = {
            model.attribute_map[attr]: self.type_schema(type_name, stack=(*stack, name))
            for attr, type_name in sorted(model.openapi_types.items())
        }
        upstream = self.upstream_properties(name, model)
        for field, schema in properties.items():
            schema.update({k: v for k, v in upstream.get(field, {}).items() if k in EXTENSIONS})
        self.definitions[name] = {"type": "object", "properties": properties}

    def upstream_properties(self, name: str, model: Any) -> dict[str, JSON]:
        """The properties of Kubernetes' definition of the model ``name`` (``V1PodSpec`` is
        ``io.k8s.api.core.v1.PodSpec``): the one whose short names match and whose fields are the model's."""
        fields = set(model.attribute_map.values())
        found = [d for key, d in self.upstream.items() if name in _class_names(key)
                 and set(d.get("properties", {})) == fields]
        if len(found) != 1:
            raise LookupError(f"{name}: {len(found)} Kubernetes definitions match, expected one")
        properties: dict[str, JSON] = found[0].get("properties", {})
        return properties


def _class_names(definition: str) -> set[str]:
    """The client's possible class names for an upstream definition: ``io.k8s.api.core.v1.Event`` is
    ``V1Event`` or ``CoreV1Event`` (the group is prefixed where names collide)."""
    *prefix, version, kind = definition.split(".")
    group = prefix[-1] if prefix else ""
    camel = "".join(part[:1].upper() + part[1:] for part in group.split("-"))
    version = version[:1].upper() + version[1:]
    return {f"{version}{kind}", f"{camel}{version}{kind}"}


def upstream_definitions(minor: int) -> dict[str, JSON]:
    """Kubernetes 1.<minor>'s OpenAPI definitions as kubernetes-validate ships them."""
    from importlib import resources

    path = resources.files("kubernetes_validate").joinpath(
        "kubernetes-json-schema", f"v1.{minor}.0-local", "_definitions.json")
    definitions: dict[str, JSON] = json.loads(path.read_text(encoding="utf-8"))["$defs"]
    return definitions


def generate(models: Any, upstream: dict[str, JSON]) -> JSON:
    gen = Generator(models, upstream)
    for model in KINDS.values():
        gen.define(model)
    return {
        "generatedFrom": f"kubernetes python client {_client_version()}, extensions of Kubernetes "
                         f"1.{kubernetes_minor()} (kubernetes-validate)",
        "kinds": dict(KINDS),
        "definitions": dict(sorted(gen.definitions.items())),
    }


def _client_version() -> str:
    import kubernetes

    return str(kubernetes.__version__)


def kubernetes_minor() -> int:
    """Client 36.y.z is generated from Kubernetes 1.36."""
    return int(_client_version().split(".")[0])


def main() -> int:
    # The generator alone may import the official client; the server reads the generated file.
    from kubernetes.client import models

    doc = generate(models, upstream_definitions(kubernetes_minor()))
    OUTPUT.write_text(json.dumps(doc, indent=None, separators=(",", ":"), sort_keys=False) + "\n")
    print(f"wrote {OUTPUT} ({len(doc['definitions'])} definitions)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
