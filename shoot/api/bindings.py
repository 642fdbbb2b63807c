"""Provider credentials bindings: SecretBinding (``core.gardener.cloud/v1beta1``), CredentialsBinding and
WorkloadIdentity (``security.gardener.cloud/v1alpha1``), all namespaced.

A shoot names a binding (``secretBindingName`` / ``credentialsBindingName``); admission checks the binding's
provider type and quotas, and the seed agent resolves it to the credentials it deploys. Bindings have no
spec: their fields sit at the top level, as in Gardener.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from shoot.api.meta import ApiModel, ObjectMeta, ObjectReference, RawExtension, SecretReference


class BindingProvider(ApiModel):
    """The provider type a binding is for (a SecretBinding may list several, comma-separated)."""

    type: str


class SecretBinding(ApiModel):
    api_version: Literal["core.gardener.cloud/v1beta1"] = "core.gardener.cloud/v1beta1"
    kind: Literal["SecretBinding"] = "SecretBinding"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    secret_ref: SecretReference
    quotas: list[ObjectReference] | None = None
    provider: BindingProvider | None = None


class CredentialsBinding(ApiModel):
    """Binds a Secret, an InternalSecret or a WorkloadIdentity (``credentialsRef``) plus quotas."""

    api_version: Literal["security.gardener.cloud/v1alpha1"] = "security.gardener.cloud/v1alpha1"
    kind: Literal["CredentialsBinding"] = "CredentialsBinding"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    provider: BindingProvider
    credentials_ref: ObjectReference
    quotas: list[ObjectReference] | None = None


class TargetSystem(ApiModel):
    type: str
    provider_config: RawExtension | None = None


class WorkloadIdentitySpec(ApiModel):
    audiences: list[str]
    target_system: TargetSystem


class WorkloadIdentityStatus(ApiModel):
    """``sub`` is the JWT subject computed by the API server."""

    sub: str | None = None


class WorkloadIdentity(ApiModel):
    api_version: Literal["security.gardener.cloud/v1alpha1"] = "security.gardener.cloud/v1alpha1"
    kind: Literal["WorkloadIdentity"] = "WorkloadIdentity"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: WorkloadIdentitySpec
    status: WorkloadIdentityStatus | None = None
