"""Project (cluster-scoped) and Quota (namespaced) of ``core.gardener.cloud/v1beta1``.

A project groups members, credentials and shoots in its namespace ``garden-<project>``; a quota caps what the
shoots of a project or of a credential may consume. Used by the garden's project controller, its
authorization and its quota admission.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from shoot.api.meta import (
    ApiModel,
    Condition,
    LabelSelector,
    ObjectMeta,
    ObjectReference,
    ResourceList,
    Subject,
    Time,
    Toleration,
    merged_by,
)


class ProjectPhase(StrEnum):
    PENDING = "Pending"
    READY = "Ready"
    FAILED = "Failed"
    TERMINATING = "Terminating"


class ProjectMember(Subject):
    """A subject with its role(s): owner, admin, viewer, uam, serviceaccountmanager or extension:<name>."""

    role: str | None = None
    roles: list[str] | None = None


class ProjectTolerations(ApiModel):
    defaults: list[Toleration] | None = Field(default=None, json_schema_extra=merged_by("key"))
    whitelist: list[Toleration] | None = Field(default=None, json_schema_extra=merged_by("key"))


class DualApprovalForDeletion(ApiModel):
    resource: str
    selector: LabelSelector
    include_service_accounts: bool | None = None


class ProjectSpec(ApiModel):
    created_by: Subject | None = None
    description: str | None = None
    owner: Subject | None = None
    purpose: str | None = None
    members: list[ProjectMember] | None = None
    namespace: str | None = None
    tolerations: ProjectTolerations | None = None
    dual_approval_for_deletion: list[DualApprovalForDeletion] | None = None


class ProjectStatus(ApiModel):
    observed_generation: int | None = None
    phase: str | None = None
    stale_since_timestamp: Time | None = None
    stale_auto_delete_timestamp: Time | None = None
    last_activity_timestamp: Time | None = None
    conditions: list[Condition] | None = Field(default=None, json_schema_extra=merged_by("type"))


class Project(ApiModel):
    """A project; every field of its spec is optional, so a bare ``{metadata: {name}}`` is a project too."""

    api_version: Literal["core.gardener.cloud/v1beta1"] = "core.gardener.cloud/v1beta1"
    kind: Literal["Project"] = "Project"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    # Go serialises an empty spec struct as {}; mirror it instead of making every reader handle None.
    spec: ProjectSpec = Field(default_factory=ProjectSpec)
    status: ProjectStatus | None = None


class QuotaSpec(ApiModel):
    """``metrics`` keys: cpu, gpu, memory, storage.standard, storage.premium, loadbalancer."""

    metrics: ResourceList
    scope: ObjectReference
    cluster_lifetime_days: int | None = None


class Quota(ApiModel):
    api_version: Literal["core.gardener.cloud/v1beta1"] = "core.gardener.cloud/v1beta1"
    kind: Literal["Quota"] = "Quota"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: QuotaSpec
