"""The garden's authorizer: operators, project members by role, seeds by the object graph, and everyone else.

Built by ``garden.app.create_app`` with ``lookup`` (``store.get``) and ``scan`` (a list of one kind);
``apiserver.routes`` asks ``authorize`` before every request and ``visible`` for each object of a list or watch.
A non-member gets the same 403 for a project (or its namespace) whether or not it exists.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from apiserver.auth import Attributes
from apiserver.context import UserInfo
from apiserver.registry import ResourceType
from apiserver.storage.store import Store
from garden.auth import identities, roles, seeds, shoot_ca

JSON = dict[str, Any]
PROJECTS = "core.gardener.cloud/projects"
NAMESPACES = "core/namespaces"
CLOUDPROFILES = seeds.CLOUDPROFILES
SEEDS = seeds.SEEDS
PROJECT_LABEL = "project.gardener.cloud/name"
# Kinds without a namespace: a request on one of them with no namespace is not a list across namespaces.
CLUSTER_SCOPED = frozenset({
    PROJECTS, NAMESPACES, CLOUDPROFILES, SEEDS, "core.gardener.cloud/controllerregistrations",
    "core.gardener.cloud/controllerdeployments", "core.gardener.cloud/controllerinstallations",
    "core.gardener.cloud/exposureclasses",
})
WHOAMI = "authentication.k8s.io/selfsubjectreviews"
NOT_MEMBER = "the user is not a member of the project"
OPERATORS_ONLY = "only garden operators may do this"


def resource_key(group: str, resource: str) -> str:
    """The storage key of a kind: ``core.gardener.cloud/shoots``, ``core/secrets``."""
    return f"{group or 'core'}/{resource}"


class GardenAuthorizer:
    def __init__(self, lookup: seeds.Lookup, *, scan: seeds.Scan | None = None, cache_ttl: float = 1.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.lookup = lookup
        self.seeds = seeds.SeedAuthorizer(lookup, scan)
        # Which project owns a namespace, for ``cache_ttl`` seconds: ``visible`` asks it once per listed object.
        self.cache_ttl = cache_ttl
        self._monotonic = monotonic
        self._projects: dict[str, tuple[JSON | None, float]] = {}
        self._lock = threading.Lock()

    def authorize(self, user: UserInfo, attrs: Attributes) -> str | None:
        if identities.is_operator(user):
            return None
        if not attrs.is_resource_request:
            return OPERATORS_ONLY
        key = resource_key(attrs.group, attrs.resource)
        if key == WHOAMI and attrs.verb == "create":
            return None  # everyone may ask who they are (kubectl auth whoami)
        seed = identities.seed_of(user)
        if seed is not None:
            if key == shoot_ca.SECRETS and shoot_ca.seed_may(seed, attrs, lookup=self.lookup, scan=self.seeds.scan):
                return None
            return self.seeds.authorize(seed, attrs, key)
        if key == shoot_ca.SECRETS and shoot_ca.is_client_ca(attrs.name):
            return shoot_ca.HIDDEN
        if attrs.namespace:
            return self._namespaced(user, attrs, key)
        return self._cluster(user, attrs, key)

    def visible(self, user: UserInfo, rt: ResourceType, obj: JSON) -> bool:
        if identities.is_operator(user):
            return True
        seed = identities.seed_of(user)
        if seed is not None:
            return self.seeds.visible(seed, rt.key, obj)
        md = obj.get("metadata") or {}
        if rt.key == shoot_ca.SECRETS and shoot_ca.is_client_ca(str(md.get("name") or "")):
            return False
        if rt.key == PROJECTS:
            return bool(roles.member_roles(obj, user))
        if rt.key == NAMESPACES:
            return bool(self._roles_in(user, md.get("name", "")))
        if rt.key in (CLOUDPROFILES, SEEDS):
            return True
        namespace = md.get("namespace") or ""
        return bool(namespace) and roles.allows(self._roles_in(user, namespace), verb="list", resource=rt.key)

    def project_for_namespace(self, namespace: str) -> JSON | None:
        """The Project whose namespace is ``namespace`` (its label or ``garden-<name>``, checked against the
        Project's ``spec.namespace``), or None."""
        now = self._monotonic()
        with self._lock:
            cached = self._projects.get(namespace)
        if cached is not None and cached[1] > now:
            return cached[0]
        project = self._find_project(namespace)
        with self._lock:
            if len(self._projects) > 10_000:
                self._projects.clear()
            self._projects[namespace] = (project, now + self.cache_ttl)
        return project

    def _find_project(self, namespace: str) -> JSON | None:
        candidates = []
        ns = self.lookup(NAMESPACES, "", namespace)
        if ns is not None and (label := ((ns.get("metadata") or {}).get("labels") or {}).get(PROJECT_LABEL)):
            candidates.append(label)
        if namespace.startswith("garden-"):
            candidates.append(namespace.removeprefix("garden-"))
        for name in candidates:
            project = self.lookup(PROJECTS, "", name)
            if project is not None and roles.namespace_of(project) == namespace:
                return project
        return None

    def _roles_in(self, user: UserInfo, namespace: str) -> frozenset[str]:
        project = self.project_for_namespace(namespace) if namespace else None
        return frozenset() if project is None else roles.member_roles(project, user)

    def _namespaced(self, user: UserInfo, attrs: Attributes, key: str) -> str | None:
        held = self._roles_in(user, attrs.namespace)
        if not held:
            return NOT_MEMBER
        if roles.allows(held, verb=attrs.verb, resource=key, subresource=attrs.subresource):
            return None
        return f"the project role(s) {', '.join(sorted(held))} do not allow this"

    def _cluster(self, user: UserInfo, attrs: Attributes, key: str) -> str | None:
        verb, listing = attrs.verb, attrs.verb in ("list", "watch")
        if key == CLOUDPROFILES and verb in roles.READ and not attrs.subresource:
            return None  # every authenticated identity reads CloudProfiles, as in Gardener
        if key == SEEDS and verb in roles.READ and attrs.subresource in ("", "status"):
            return None  # Gardener's read-global-resources: users see seeds to choose one
        if key == PROJECTS:
            return self._project(user, attrs)
        if key == NAMESPACES:
            if listing:
                return None  # filtered by ``visible`` to the namespaces of one's projects
            return None if verb == "get" and self._roles_in(user, attrs.name) else NOT_MEMBER
        if listing and key not in CLUSTER_SCOPED and not attrs.subresource:
            return None  # a list across namespaces, filtered by ``visible`` to the projects one may read
        return OPERATORS_ONLY

    def _project(self, user: UserInfo, attrs: Attributes) -> str | None:
        if attrs.verb == "create" or (attrs.verb in ("list", "watch") and not attrs.subresource):
            return None  # anyone may create a project (Gardener's project-creation role); lists are filtered
        project = self.lookup(PROJECTS, "", attrs.name) if attrs.name else None
        held = roles.member_roles(project, user) if project is not None else frozenset()
        if not held:
            return NOT_MEMBER
        if not attrs.subresource and roles.project_allows(held, verb=attrs.verb):
            return None
        return f"the project role(s) {', '.join(sorted(held))} do not allow this"


def for_store(store: Store) -> GardenAuthorizer:
    """The authorizer reading Projects, Shoots, bindings and Seeds from ``store`` (what ``garden.app`` serves with)."""
    return GardenAuthorizer(store.get, scan=lambda key, namespace: store.list(key, namespace)[0])
