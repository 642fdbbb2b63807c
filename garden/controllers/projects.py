"""The project controller: each Project gets its namespace ``garden-<name>``, a phase, and a clean deletion.

Run by ``garden.app`` in the API server's lifespan (like Gardener's project controller in the
controller-manager). It acts through ``apiserver.service`` with the system identity, so every change it makes
is a normal, watched write.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
from typing import Any

from apiserver import errors, rounds
from apiserver.context import system_context
from apiserver.registry import Registry, ResourceType
from apiserver.service import ResourceService

log = logging.getLogger(__name__)
JSON = dict[str, Any]
FINALIZER = "gardener"
ROLE_LABEL = "gardener.cloud/role"
PROJECT_LABEL = "project.gardener.cloud/name"
KEEP_NAMESPACE = "namespace.gardener.cloud/keep-after-project-deletion"


def namespace_of(project: JSON) -> str:
    return str((project.get("spec") or {}).get("namespace") or f"garden-{project['metadata']['name']}")


class ProjectController:
    def __init__(self, service: ResourceService, *, interval: float = 0.5) -> None:
        self.service = service
        self.interval = interval
        self.projects = _kind(service, "core.gardener.cloud", "projects")
        self.namespaces = _kind(service, "", "namespaces")
        self.shoots = _kind(service, "core.gardener.cloud", "shoots")

    def watch_creations(self, registry: Registry) -> None:
        """Reconcile a new project in the creating request, so its namespace exists when the request returns."""
        self.projects = dataclasses.replace(self.projects, after_write=self._on_write)
        registry.unregister(self.projects.group, self.projects.version, self.projects.plural)
        registry.register(self.projects)

    def _on_write(self, operation: str, project: JSON) -> None:
        if operation != "CREATE":
            return
        try:
            self._reconcile(project)
        except errors.ApiError:  # the periodic round retries; the project itself was created
            log.exception("reconciling new project %s failed", project["metadata"]["name"])

    async def run_forever(self) -> None:
        await rounds.run_forever(self.sync_once, interval=self.interval, name="project controller")

    def sync_once(self) -> None:
        for project in self.service.list(self.projects, None).items:
            try:
                if project["metadata"].get("deletionTimestamp"):
                    self._delete(project)
                else:
                    self._reconcile(project)
            except errors.ApiError as exc:
                if exc.code not in (404, 409):
                    raise

    def _reconcile(self, project: JSON) -> None:
        name, ns_name = project["metadata"]["name"], namespace_of(project)
        ns = self.service.store.get(self.namespaces.key, "", ns_name)
        phase, message = "Ready", ""
        if ns is None:
            self._create_namespace(project, ns_name)
        elif (ns["metadata"].get("labels") or {}).get(PROJECT_LABEL) != name:
            phase, message = "Failed", f'namespace "{ns_name}" exists and does not belong to project "{name}"'
        elif ns["metadata"].get("deletionTimestamp"):
            phase = "Pending"
        self._set_status(project, phase=phase, message=message, namespace=ns_name)

    def _create_namespace(self, project: JSON, ns_name: str) -> None:
        md = project["metadata"]
        body = {"metadata": {
            "name": ns_name,
            "labels": {ROLE_LABEL: "project", PROJECT_LABEL: md["name"]},
            "ownerReferences": [{"apiVersion": "core.gardener.cloud/v1beta1", "kind": "Project", "name": md["name"],
                                 "uid": md["uid"], "controller": True, "blockOwnerDeletion": True}],
        }}
        self.service.create(self.namespaces, "", body, system_context())

    def _set_status(self, project: JSON, *, phase: str, message: str, namespace: str) -> None:
        status = {**(project.get("status") or {}), "phase": phase,
                  "observedGeneration": project["metadata"].get("generation", 1)}
        if message:
            status["conditions"] = [{"type": "NamespaceReady", "status": "False", "reason": "NamespaceConflict",
                                     "message": message}]
        else:
            status.pop("conditions", None)
        changed = status != project.get("status")
        if not (project.get("spec") or {}).get("namespace") and phase == "Ready":
            spec_update = copy.deepcopy(project)
            spec_update.setdefault("spec", {})["namespace"] = namespace
            project = self.service.update(self.projects, "", project["metadata"]["name"], spec_update,
                                          system_context())
        if changed:
            self.service.update(self.projects, "", project["metadata"]["name"], {**project, "status": status},
                                system_context(), subresource="status")

    def _delete(self, project: JSON) -> None:
        """Terminating: wait for the project's shoots to go, then its namespace, then release the project."""
        ns_name, name = namespace_of(project), project["metadata"]["name"]
        if (project.get("status") or {}).get("phase") != "Terminating":
            project = self.service.update(self.projects, "", name, {**project, "status": {
                **(project.get("status") or {}), "phase": "Terminating"}}, system_context(), subresource="status")
        if self.service.list(self.shoots, ns_name).items:
            return
        ns = self.service.store.get(self.namespaces.key, "", ns_name)
        owned = ns is not None and (ns["metadata"].get("labels") or {}).get(PROJECT_LABEL) == name
        keep = ns is not None and (ns["metadata"].get("annotations") or {}).get(KEEP_NAMESPACE) == "true"
        if owned and not keep:
            if not ns["metadata"].get("deletionTimestamp"):  # type: ignore[index]
                self.service.delete(self.namespaces, "", ns_name, system_context())
            return
        finalizers = [f for f in project["metadata"].get("finalizers") or [] if f != FINALIZER]
        released = copy.deepcopy(project)
        released["metadata"]["finalizers"] = finalizers
        self.service.update(self.projects, "", name, released, system_context())


def _kind(service: ResourceService, group: str, plural: str) -> ResourceType:
    rt = service.registry.get(group, "v1beta1" if group else "v1", plural)
    if rt is None:
        raise LookupError(f"{plural}.{group} is not registered")
    return rt
