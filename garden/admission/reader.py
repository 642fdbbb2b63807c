"""Read access to other objects for admission plugins (CloudProfiles, bindings, projects, seeds, shoots).

Built by ``garden.app`` over the garden's store; plugins in ``garden.admission`` read through it.
"""

from __future__ import annotations

from typing import Any

from apiserver.storage.store import Store

JSON = dict[str, Any]

SHOOTS = "core.gardener.cloud/shoots"
SEEDS = "core.gardener.cloud/seeds"
PROJECTS = "core.gardener.cloud/projects"
CLOUDPROFILES = "core.gardener.cloud/cloudprofiles"
SECRETBINDINGS = "core.gardener.cloud/secretbindings"
QUOTAS = "core.gardener.cloud/quotas"
CREDENTIALSBINDINGS = "security.gardener.cloud/credentialsbindings"
SECRETS = "core/secrets"
NAMESPACES = "core/namespaces"
CONTROLLERREGISTRATIONS = "core.gardener.cloud/controllerregistrations"


class Reader:
    """Objects by storage key (``core.gardener.cloud/shoots``), namespace and name."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, key: str, namespace: str, name: str) -> JSON | None:
        return self.store.get(key, namespace, name)

    def list(self, key: str, namespace: str | None = None) -> list[JSON]:
        return self.store.list(key, namespace)[0]

    def registered_extensions(self) -> set[tuple[str, str]]:
        """The (kind, type) pairs of every stored ControllerRegistration's ``spec.resources``."""
        return {(str(r.get("kind")), str(r.get("type"))) for reg in self.list(CONTROLLERREGISTRATIONS)
                for r in ((reg.get("spec") or {}).get("resources") or []) if isinstance(r, dict)}

    def project_of_namespace(self, namespace: str) -> JSON | None:
        """The Project owning ``namespace`` (``spec.namespace``, or ``garden-<name>`` by convention)."""
        for project in self.list(PROJECTS):
            spec_ns = (project.get("spec") or {}).get("namespace")
            if spec_ns == namespace or (not spec_ns and namespace == f"garden-{project['metadata']['name']}"):
                return project
        return None
