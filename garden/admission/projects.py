"""Project admission: Gardener's project rules, the creator as owner, the ``gardener`` finalizer, and deletion
only with confirmation and once the project's shoots are gone.

Attached to ``projects`` by ``garden.admission.attach``.
"""

from __future__ import annotations

import copy
from typing import Any

from apiserver import errors
from garden.admission import reader as keys
from garden.admission.errors import reject_if
from garden.admission.reader import Reader
from garden.controllers.projects import FINALIZER, namespace_of
from shoot import validation
from shoot.validation import deletion

JSON = dict[str, Any]
GROUP = "core.gardener.cloud"


class ProjectAdmission:
    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    def __call__(self, *, operation: str, new: JSON, old: JSON | None, subresource: str, user: Any) -> JSON:
        if operation == "DELETE":
            return self._delete(new)
        if subresource == "status":
            return new
        project = copy.deepcopy(new)
        if operation == "CREATE":
            _default_creator(project, getattr(user, "name", ""))
        reject_if(validation.validate_project(project, old=old), kind="Project", obj=project, group=GROUP, old=old)
        return project

    def _delete(self, project: JSON) -> JSON:
        reject_if(deletion.validate_deletion(project, kind="Project"), kind="Project", obj=project, group=GROUP)
        shoots = self.reader.list(keys.SHOOTS, namespace_of(project))
        if shoots:
            names = ", ".join(s["metadata"]["name"] for s in shoots[:5])
            raise errors.forbidden(
                f'projects.core.gardener.cloud "{project["metadata"]["name"]}" is forbidden: the project still has '
                f"{len(shoots)} shoot(s) ({names}); delete them first")
        return project


def _default_creator(project: JSON, creator: str) -> None:
    """Gardener records the creator and makes them owner (and a member with role owner) when none is given."""
    spec = project.setdefault("spec", {})
    if creator:
        spec.setdefault("createdBy", {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": creator})
        spec.setdefault("owner", spec["createdBy"])
    finalizers = project["metadata"].setdefault("finalizers", [])
    if FINALIZER not in finalizers:
        finalizers.append(FINALIZER)
