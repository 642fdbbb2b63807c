"""The two core ``v1`` kinds the garden serves: Namespace (one per project) and Secret (provider credentials).

The garden derives ``garden-<project>`` namespaces from projects and stores secrets encrypted at rest; the
seed agent reads a binding's secret to deploy provider credentials. Secrets keep ``data`` base64-encoded,
exactly as on the wire.
"""

from __future__ import annotations

import base64
import binascii
from typing import Literal

from pydantic import Field, field_validator

from shoot.api.meta import ApiModel, ObjectMeta, Time


class NamespaceCondition(ApiModel):
    type: str
    status: str
    last_transition_time: Time | None = None
    reason: str | None = None
    message: str | None = None


class NamespaceSpec(ApiModel):
    finalizers: list[str] | None = None


class NamespaceStatus(ApiModel):
    """``phase`` is Active or Terminating."""

    phase: str | None = None
    conditions: list[NamespaceCondition] | None = None


class Namespace(ApiModel):
    api_version: Literal["v1"] = "v1"
    kind: Literal["Namespace"] = "Namespace"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: NamespaceSpec | None = None
    status: NamespaceStatus | None = None


class Secret(ApiModel):
    """A Secret; ``stringData`` is write-only convenience that the server folds into ``data``."""

    api_version: Literal["v1"] = "v1"
    kind: Literal["Secret"] = "Secret"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    type: str | None = None
    data: dict[str, str] | None = None
    string_data: dict[str, str] | None = None
    immutable: bool | None = None

    @field_validator("data")
    @classmethod
    def _data_is_base64(cls, data: dict[str, str] | None) -> dict[str, str] | None:
        # The API server refuses undecodable data ("illegal base64 data") instead of storing it.
        for key, value in (data or {}).items():
            try:
                base64.b64decode(value, validate=True)
            except binascii.Error as exc:
                raise ValueError(f"data[{key!r}]: illegal base64 data") from exc
        return data

    def decoded(self) -> dict[str, bytes]:
        """The secret's data decoded from base64."""
        return {key: base64.b64decode(value) for key, value in (self.data or {}).items()}
