"""The CustomResourceDefinitions of ``extensions.gardener.cloud/v1alpha1``: every extension kind and ``Cluster``.

``ensure`` installs them into a seed (any cluster serving CRDs: the local seed cluster or a real one); called by
``extensions.driver`` before it writes an extension object, and usable by operators through ``definitions()``.
The schemas follow Gardener's ``DefaultSpec``/``DefaultStatus``: ``type`` required, ``providerConfig`` and the
kind-specific fields kept as they are, a ``status`` subresource.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from extensions.contract import API_VERSION, JSON, Api, Kind
from shoot import errors

GROUP, VERSION = API_VERSION.split("/")
CRD_API_VERSION = "apiextensions.k8s.io/v1"
CLUSTER = "Cluster"


@dataclasses.dataclass(frozen=True)
class Names:
    kind: str
    plural: str
    namespaced: bool = True
    short_names: tuple[str, ...] = ()

    @property
    def crd_name(self) -> str:
        return f"{self.plural}.{GROUP}"


# As Gardener serves them; BackupBucket, BackupEntry and Cluster are cluster-scoped there too.
NAMES: dict[str, Names] = {n.kind: n for n in (
    Names(Kind.INFRASTRUCTURE, "infrastructures", short_names=("infra",)),
    Names(Kind.CONTROL_PLANE, "controlplanes", short_names=("cp",)),
    Names(Kind.WORKER, "workers"),
    Names(Kind.OPERATING_SYSTEM_CONFIG, "operatingsystemconfigs", short_names=("osc",)),
    Names(Kind.NETWORK, "networks"),
    Names(Kind.DNS_RECORD, "dnsrecords", short_names=("dns",)),
    Names(Kind.BACKUP_BUCKET, "backupbuckets", namespaced=False, short_names=("bb",)),
    Names(Kind.BACKUP_ENTRY, "backupentries", namespaced=False, short_names=("be",)),
    Names(Kind.CONTAINER_RUNTIME, "containerruntimes", short_names=("cr",)),
    Names(Kind.EXTENSION, "extensions", short_names=("ext",)),
    Names(Kind.BASTION, "bastions"),
    Names(CLUSTER, "clusters", namespaced=False),
)}

_ANY: JSON = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
_LAST_OPERATION: JSON = {"type": "object", "properties": {
    "type": {"type": "string"}, "state": {"type": "string"}, "progress": {"type": "integer"},
    "description": {"type": "string"}, "lastUpdateTime": {"type": "string", "format": "date-time"}}}
_LAST_ERROR: JSON = {"type": "object", "properties": {
    "description": {"type": "string"}, "taskID": {"type": "string"},
    "codes": {"type": "array", "items": {"type": "string"}},
    "lastUpdateTime": {"type": "string", "format": "date-time"}}}
_SPEC: JSON = {"type": "object", "required": ["type"], "x-kubernetes-preserve-unknown-fields": True, "properties": {
    "type": {"type": "string", "description": "The extension type that handles this object, e.g. aws."},
    "class": {"type": "string", "enum": ["garden", "seed", "shoot"]},
    "providerConfig": {**_ANY, "description": "The provider's configuration, as given in the Shoot."}}}
_STATUS: JSON = {"type": "object", "x-kubernetes-preserve-unknown-fields": True, "properties": {
    "lastOperation": _LAST_OPERATION, "lastError": _LAST_ERROR, "observedGeneration": {"type": "integer"},
    "providerStatus": _ANY, "state": _ANY, "conditions": {"type": "array", "items": _ANY},
    "resources": {"type": "array", "items": _ANY}}}
_COLUMNS = [
    {"name": "Type", "type": "string", "jsonPath": ".spec.type", "description": "The extension type."},
    {"name": "Status", "type": "string", "jsonPath": ".status.lastOperation.state",
     "description": "The state of the last operation."},
    {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
]


def definition(kind: str) -> JSON:
    """The CRD of one kind (``Cluster`` has no status: it is the read-only context extensions get)."""
    names = NAMES[kind]
    if kind == CLUSTER:
        schema: JSON = {"type": "object", "properties": {"spec": {"type": "object", "properties": {
            "shoot": _ANY, "cloudProfile": _ANY, "seed": _ANY}}}}
        version: JSON = {"name": VERSION, "served": True, "storage": True,
                         "schema": {"openAPIV3Schema": schema}}
    else:
        schema = {"type": "object", "properties": {"spec": _SPEC, "status": _STATUS}}
        version = {"name": VERSION, "served": True, "storage": True, "schema": {"openAPIV3Schema": schema},
                   "subresources": {"status": {}}, "additionalPrinterColumns": _COLUMNS}
    return {
        "apiVersion": CRD_API_VERSION, "kind": "CustomResourceDefinition",
        "metadata": {"name": names.crd_name, "labels": {"app.kubernetes.io/managed-by": "hortus"}},
        "spec": {"group": GROUP, "scope": "Namespaced" if names.namespaced else "Cluster",
                 "names": {"kind": kind, "plural": names.plural, "singular": kind.lower(),
                           "listKind": f"{kind}List", "shortNames": list(names.short_names),
                           **({"categories": ["extensions"]} if kind != CLUSTER else {})},
                 "versions": [version]},
    }


def definitions() -> list[JSON]:
    """Every CRD of the group, in a stable order."""
    return [definition(kind) for kind in NAMES]


def ensure(api: Api, kinds: Iterable[str]) -> None:
    """Install (or update) the CRDs of ``kinds`` into the cluster ``api`` speaks to; a ``TemporaryError`` until
    the cluster reports them Established."""
    pending = []
    for kind in kinds:
        stored = api.apply(definition(kind))
        if not _established(stored):
            # A real API server establishes a new CRD a moment after creating it.
            stored = api.get(CRD_API_VERSION, "CustomResourceDefinition", NAMES[kind].crd_name) or stored
            if not _established(stored):
                pending.append(NAMES[kind].crd_name)
    if pending:
        raise errors.TemporaryError(f"CustomResourceDefinitions not established yet: {', '.join(pending)}",
                                    delay=1.0)


def _established(crd: JSON) -> bool:
    conditions = (crd.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Established" and c.get("status") == "True" for c in conditions)
