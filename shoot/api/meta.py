"""Pieces shared by all typed Gardener API objects: the model base, wire scalar types, ObjectMeta,
conditions, operations, errors and references.

Imported by every module of ``shoot.api``; the garden and the seed agent use ``Condition``,
``LastOperation`` and ``LastError`` when they write status. A field is required only where Gardener's
validation always demands it and no defaulting fills it in (names, types, region); every other field is
optional and None, like an ``omitempty`` pointer in Go, so a model never invents a default.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic.alias_generators import to_camel

from shoot import quantity


def merged_by(key: str) -> dict[str, Any]:
    """``json_schema_extra`` of a list field Gardener's Go type tags ``patchStrategy:"merge"
    patchMergeKey:"<key>"``: the served OpenAPI carries the tags, so strategic merge patches and kubectl's
    client-side apply merge the list's items by ``key`` (lists without them are atomic: replaced whole)."""
    return {"x-kubernetes-patch-merge-key": key, "x-kubernetes-patch-strategy": "merge"}


class ApiModel(BaseModel):
    """Base of every API model: camelCase on the wire, snake_case in Python, unknown fields rejected."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    def to_wire(self) -> dict[str, Any]:
        """The JSON-ready dict as the API serves it: aliases, no unset (None) fields, RFC 3339 times."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


def _quantity_input(value: Any) -> Any:
    # Quantity.UnmarshalJSON accepts bare JSON numbers such as 0.5; keep them as their quantity text.
    if isinstance(value, float):
        value = repr(value)
    quantity.parse_quantity(value)
    return value


def _int_or_string_input(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("expected an integer or a string, not a boolean")
    return value


# runtime.RawExtension: anything goes inside and is kept verbatim (the API machinery prunes nothing here).
RawExtension = Annotated[
    dict[str, Any],
    WithJsonSchema({"type": "object", "x-kubernetes-preserve-unknown-fields": True}),
]
# resource.Quantity: "8Gi", "100m" or a bare number; malformed quantities are rejected at decoding time.
Quantity = Annotated[
    str | int,
    BeforeValidator(_quantity_input),
    WithJsonSchema({"anyOf": [{"type": "integer"}, {"type": "string"}], "x-kubernetes-int-or-string": True}),
]
# intstr.IntOrString, e.g. a worker's maxSurge: 1 or "25%" (its integer is an int32 in Go).
IntOrString = Annotated[
    int | str,
    BeforeValidator(_int_or_string_input),
    WithJsonSchema({"anyOf": [{"type": "integer", "format": "int32"}, {"type": "string"}],
                    "x-kubernetes-int-or-string": True}),
]
# A Go int32: the API machinery refuses values outside its range (the OpenAPI publishes ``format: int32``).
Int32 = Annotated[int, WithJsonSchema({"type": "integer", "format": "int32"})]
# metav1.Time is RFC 3339 with a zone; a naive timestamp is as invalid here as in Go.
Time = AwareDatetime
ResourceList = dict[str, Quantity]


class ConditionStatus(StrEnum):
    TRUE = "True"
    FALSE = "False"
    UNKNOWN = "Unknown"
    PROGRESSING = "Progressing"


class LastOperationType(StrEnum):
    CREATE = "Create"
    RECONCILE = "Reconcile"
    DELETE = "Delete"
    MIGRATE = "Migrate"
    RESTORE = "Restore"
    LIVE_MIGRATE = "LiveMigrate"


class LastOperationState(StrEnum):
    PROCESSING = "Processing"
    SUCCEEDED = "Succeeded"
    ERROR = "Error"
    FAILED = "Failed"
    PENDING = "Pending"
    ABORTED = "Aborted"


class ErrorCode(StrEnum):
    INFRA_UNAUTHENTICATED = "ERR_INFRA_UNAUTHENTICATED"
    INFRA_UNAUTHORIZED = "ERR_INFRA_UNAUTHORIZED"
    INFRA_QUOTA_EXCEEDED = "ERR_INFRA_QUOTA_EXCEEDED"
    INFRA_RATE_LIMITS_EXCEEDED = "ERR_INFRA_RATE_LIMITS_EXCEEDED"
    INFRA_DEPENDENCIES = "ERR_INFRA_DEPENDENCIES"
    RETRYABLE_INFRA_DEPENDENCIES = "ERR_RETRYABLE_INFRA_DEPENDENCIES"
    INFRA_RESOURCES_DEPLETED = "ERR_INFRA_RESOURCES_DEPLETED"
    CLEANUP_CLUSTER_RESOURCES = "ERR_CLEANUP_CLUSTER_RESOURCES"
    CONFIGURATION_PROBLEM = "ERR_CONFIGURATION_PROBLEM"
    RETRYABLE_CONFIGURATION_PROBLEM = "ERR_RETRYABLE_CONFIGURATION_PROBLEM"
    PROBLEMATIC_WEBHOOK = "ERR_PROBLEMATIC_WEBHOOK"


class OwnerReference(ApiModel):
    api_version: str
    kind: str
    name: str
    uid: str
    controller: bool | None = None
    block_owner_deletion: bool | None = None


class ObjectMeta(ApiModel):
    """metav1.ObjectMeta; the API machinery fills uid, resourceVersion, generation and timestamps."""

    name: str | None = None
    generate_name: str | None = None
    namespace: str | None = None
    self_link: str | None = None
    uid: str | None = None
    resource_version: str | None = None
    generation: int | None = None
    creation_timestamp: Time | None = None
    deletion_timestamp: Time | None = None
    deletion_grace_period_seconds: int | None = None
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None
    owner_references: list[OwnerReference] | None = None
    finalizers: list[str] | None = None
    managed_fields: list[dict[str, Any]] | None = None


class ObjectReference(ApiModel):
    """corev1.ObjectReference (every field optional, e.g. a Quota scope names only apiVersion and kind)."""

    api_version: str | None = None
    kind: str | None = None
    namespace: str | None = None
    name: str | None = None
    uid: str | None = None
    resource_version: str | None = None
    field_path: str | None = None


class LocalObjectReference(ApiModel):
    name: str | None = None


class SecretReference(ApiModel):
    name: str | None = None
    namespace: str | None = None


class CrossVersionObjectReference(ApiModel):
    """autoscalingv1.CrossVersionObjectReference, used by ``resources[].resourceRef``."""

    api_version: str | None = None
    kind: str
    name: str


class NamedResourceReference(ApiModel):
    name: str
    resource_ref: CrossVersionObjectReference


class LabelSelectorRequirement(ApiModel):
    key: str
    operator: str
    values: list[str] | None = None


class LabelSelector(ApiModel):
    match_labels: dict[str, str] | None = None
    match_expressions: list[LabelSelectorRequirement] | None = Field(
        default=None, json_schema_extra={"x-kubernetes-list-type": "atomic"})


class SeedSelector(LabelSelector):
    """A label selector for seeds plus provider types (``*`` means any provider)."""

    provider_types: list[str] | None = None


class Condition(ApiModel):
    """A Gardener condition (``True``/``False``/``Unknown``/``Progressing``) with optional error codes."""

    type: str
    status: str
    last_transition_time: Time | None = None
    last_update_time: Time | None = None
    reason: str | None = None
    message: str | None = None
    codes: list[str] | None = None


class LastOperation(ApiModel):
    """What happened last to an object: Create/Reconcile/... with state and progress 0-100."""

    type: str
    state: str
    progress: int | None = None
    description: str | None = None
    last_update_time: Time | None = None


class LastError(ApiModel):
    description: str
    task_id: str | None = Field(default=None, alias="taskID")
    codes: list[str] | None = None
    last_update_time: Time | None = None


class Gardener(ApiModel):
    """Identity of the gardenlet (here: seed agent) that last acted on an object."""

    id: str | None = None
    name: str | None = None
    version: str | None = None


class Extension(ApiModel):
    type: str
    provider_config: RawExtension | None = None
    disabled: bool | None = None


class AccessRestriction(ApiModel):
    name: str


class AccessRestrictionWithOptions(AccessRestriction):
    options: dict[str, str] | None = None


class Toleration(ApiModel):
    """A toleration of a seed taint (Gardener's, not a pod's: only key and optional value)."""

    key: str
    value: str | None = None


class FailureTolerance(ApiModel):
    type: str


class HighAvailability(ApiModel):
    failure_tolerance: FailureTolerance


class Subject(ApiModel):
    """rbacv1.Subject: a user, group or service account."""

    kind: str
    api_group: str | None = None
    name: str
    namespace: str | None = None


class Taint(ApiModel):
    """corev1.Taint, applied to the Nodes of a worker pool."""

    key: str
    value: str | None = None
    effect: str
    time_added: Time | None = None


class PodToleration(ApiModel):
    """corev1.Toleration, used where Gardener passes tolerations on to pods."""

    key: str | None = None
    operator: str | None = None
    value: str | None = None
    effect: str | None = None
    toleration_seconds: int | None = None
