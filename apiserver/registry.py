"""The resource registry: which kinds an API server serves, and how.

Built fresh by each server's app factory (``garden.app``, the local seed cluster, tests) and read by the
generic handlers, discovery, OpenAPI and table rendering.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from pydantic import BaseModel

JSON = dict[str, Any]


@dataclasses.dataclass(frozen=True)
class PrinterColumn:
    """One column of ``kubectl get``: ``path`` is a dotted JSON path such as ``.spec.region``."""

    name: str
    path: str
    type: str = "string"
    format: str = ""
    description: str = ""
    priority: int = 0


class Admission(Protocol):
    """Mutating then validating admission for one kind; raises ``errors.ApiError`` to refuse.

    ``operation`` is CREATE, UPDATE or DELETE; ``old`` is None on CREATE; ``subresource`` is "" for the main
    resource. Returns the (possibly defaulted) object.
    """

    def __call__(self, *, operation: str, new: JSON, old: JSON | None, subresource: str, user: Any) -> JSON: ...


@dataclasses.dataclass(frozen=True)
class ResourceType:
    """A kind served at ``/api/v1`` (group "") or ``/apis/<group>/<version>``."""

    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool
    singular: str = ""
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    subresources: tuple[str, ...] = ()
    printer_columns: tuple[PrinterColumn, ...] = ()
    # Extra field selectors: selector name -> dotted path in the object (e.g. "spec.seedName").
    field_selectors: Mapping[str, str] = dataclasses.field(default_factory=dict)
    # The OpenAPI v3 (JSON schema) of the whole object; "properties" of closed objects prune unknown fields.
    schema: JSON | None = None
    # Typed model validated after pruning (errors become 422 causes); optional.
    model: type[BaseModel] | None = None
    # False for CRD-like kinds: strategic-merge patch is refused with 415, as a real API server does.
    strategic_merge: bool = True
    # False where the kind's strategy refuses a PUT without metadata.resourceVersion (Gardener's Shoot): 422.
    # Otherwise such a PUT is unconditional, retried until it applies, as Kubernetes' built-ins allow.
    unconditional_update: bool = True
    # Kinds that have no spec/status split (Secret, ConfigMap): every write is a "main" write.
    verbs: tuple[str, ...] = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
    admission: tuple[Admission, ...] = ()
    # Encrypt the stored document at rest (Secrets).
    sensitive: bool = False
    # Subresources that write only some spec fields, e.g. {"binding": ("spec.seedName",)} for Gardener's shoots.
    subresource_fields: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    # Subresources answered with a kind of their own, name -> (group, version, kind), for discovery and OpenAPI
    # (Gardener's ``shoots/adminkubeconfig`` takes an ``authentication.gardener.cloud/v1alpha1`` request).
    subresource_kinds: Mapping[str, tuple[str, str, str]] = dataclasses.field(default_factory=dict)
    # Called with ("CREATE"|"UPDATE", object) after a write committed, in the writer's thread (e.g. the garden
    # creates a project's namespace at once, so that manifests applied right after it find the namespace).
    after_write: Callable[[str, JSON], None] | None = None
    # A hook to normalise an object before it is stored (e.g. Secret stringData -> data).
    normalize: Callable[[JSON], JSON] | None = None
    # Computed table cells by column name, for columns a JSONPath cannot express (a Pod's READY "1/2", a
    # Service's PORT(S)); columns it does not name are read from their ``path`` as usual.
    cells: Callable[[JSON], Mapping[str, Any]] | None = None

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def api_version(self) -> str:
        return self.group_version

    @property
    def qualified(self) -> str:
        """``shoots.core.gardener.cloud`` as used in error messages (``namespaces`` for the core group)."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def key(self) -> str:
        """The storage key of the kind: ``<group>/<plural>`` (``core/namespaces`` for the core group)."""
        return f"{self.group or 'core'}/{self.plural}"

    @property
    def has_status(self) -> bool:
        return "status" in self.subresources

    @property
    def singular_name(self) -> str:
        return self.singular or self.kind.lower()


class DuplicateResourceError(ValueError):
    """Two registrations of the same group/version/plural or kind: a programming error, raised at startup."""


class Registry:
    """All the kinds one API server serves, looked up by URL parts or by kind."""

    def __init__(self, types: Iterable[ResourceType] = ()) -> None:
        self._by_plural: dict[tuple[str, str, str], ResourceType] = {}
        self._by_kind: dict[tuple[str, str, str], ResourceType] = {}
        # Bumped on every change, so derived documents (discovery, OpenAPI) can be cached per revision.
        self.revision = 0
        for rt in types:
            self.register(rt)

    def register(self, rt: ResourceType) -> ResourceType:
        plural_key = (rt.group, rt.version, rt.plural)
        kind_key = (rt.group, rt.version, rt.kind)
        if plural_key in self._by_plural or kind_key in self._by_kind:
            raise DuplicateResourceError(f"{rt.plural}.{rt.group}/{rt.version} is already registered")
        self._by_plural[plural_key] = rt
        self._by_kind[kind_key] = rt
        self.revision += 1
        return rt

    def unregister(self, group: str, version: str, plural: str) -> None:
        rt = self._by_plural.pop((group, version, plural))
        del self._by_kind[(rt.group, rt.version, rt.kind)]
        self.revision += 1

    def get(self, group: str, version: str, plural: str) -> ResourceType | None:
        return self._by_plural.get((group, version, plural))

    def by_kind(self, api_version: str, kind: str) -> ResourceType | None:
        group, _, version = api_version.rpartition("/")
        return self._by_kind.get((group, version, kind))

    def by_key(self, key: str) -> ResourceType | None:
        for rt in self._by_plural.values():
            if rt.key == key:
                return rt
        return None

    def all(self) -> list[ResourceType]:
        return sorted(self._by_plural.values(), key=lambda rt: (rt.group, rt.version, rt.plural))

    def group_versions(self) -> dict[str, list[str]]:
        """Group name -> its versions (core group as "")."""
        out: dict[str, list[str]] = {}
        for rt in self.all():
            versions = out.setdefault(rt.group, [])
            if rt.version not in versions:
                versions.append(rt.version)
        return out

    def in_group_version(self, group: str, version: str) -> list[ResourceType]:
        return [rt for rt in self.all() if rt.group == group and rt.version == version]
