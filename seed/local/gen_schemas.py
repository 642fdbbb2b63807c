"""Generate ``seed/local/schemas.json``: the OpenAPI schemas of the local seed cluster's built-in kinds.

Run offline by a developer (``python -m seed.local.gen_schemas``) after bumping the ``kubernetes`` client; the
schemas come from the client's model classes (``openapi_types`` + ``attribute_map``), so pruning follows the
real API server's typed decoding. The runtime (``seed.local.schemas``) only reads the JSON file this writes.
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
# Kubernetes' ``patchStrategy``/``patchMergeKey`` tags (types.go), which the client's models do not carry:
# (model, JSON field) -> (strategy, merge key). kubectl reads them from OpenAPI v3 to build strategic patches.
_CONTAINER = {"ports": ("merge", "containerPort"), "env": ("merge", "name"), "volumeMounts": ("merge", "mountPath"),
              "volumeDevices": ("merge", "devicePath")}
PATCH_META: dict[tuple[str, str], tuple[str, str]] = {
    **{("V1Container", f): meta for f, meta in _CONTAINER.items()},
    **{("V1EphemeralContainer", f): meta for f, meta in _CONTAINER.items()},
    ("V1PodSpec", "volumes"): ("merge,retainKeys", "name"),
    ("V1PodSpec", "initContainers"): ("merge", "name"),
    ("V1PodSpec", "containers"): ("merge", "name"),
    ("V1PodSpec", "ephemeralContainers"): ("merge", "name"),
    ("V1PodSpec", "imagePullSecrets"): ("merge", "name"),
    ("V1PodSpec", "hostAliases"): ("merge", "ip"),
    ("V1PodSpec", "topologySpreadConstraints"): ("merge", "topologyKey"),
    ("V1PodSpec", "resourceClaims"): ("merge,retainKeys", "name"),
    ("V1PodSpec", "schedulingGates"): ("merge", "name"),
    ("V1ServiceSpec", "ports"): ("merge", "port"),
    ("V1ObjectMeta", "ownerReferences"): ("merge", "uid"),
    ("V1ObjectMeta", "finalizers"): ("merge", ""),
    ("V1DeploymentSpec", "strategy"): ("retainKeys", ""),
    ("V1NodeStatus", "addresses"): ("merge", "type"),
    **{(status, "conditions"): ("merge", "type") for status in (
        "V1PodStatus", "V1NodeStatus", "V1NamespaceStatus", "V1PersistentVolumeClaimStatus", "V1DeploymentStatus",
        "V1ReplicaSetStatus", "V1StatefulSetStatus", "V1DaemonSetStatus")},
}
_LIST = re.compile(r"^list\[(.+)\]$")
_DICT = re.compile(r"^dict[\[(]str, (.+)[\])]$")


class Generator:
    """Walks model classes into named definitions; a model met again inside itself becomes free-form."""

    def __init__(self, models: Any) -> None:
        self.models = models
        self.definitions: dict[str, JSON] = {}

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
        for field, schema in properties.items():
            strategy, key = PATCH_META.get((name, field), ("", ""))
            if strategy:
                schema["x-kubernetes-patch-strategy"] = strategy
            if key:
                schema["x-kubernetes-patch-merge-key"] = key
        self.definitions[name] = {"type": "object", "properties": properties}


def generate(models: Any) -> JSON:
    gen = Generator(models)
    for model in KINDS.values():
        gen.define(model)
    return {
        "generatedFrom": f"kubernetes python client {_client_version()}",
        "kinds": dict(KINDS),
        "definitions": dict(sorted(gen.definitions.items())),
    }


def _client_version() -> str:
    import kubernetes

    return str(kubernetes.__version__)


def main() -> int:
    # The generator alone may import the official client; the server reads the generated file.
    from kubernetes.client import models

    doc = generate(models)
    OUTPUT.write_text(json.dumps(doc, indent=None, separators=(",", ":"), sort_keys=False) + "\n")
    print(f"wrote {OUTPUT} ({len(doc['definitions'])} definitions)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
