"""SecretBinding and CredentialsBinding admission: what a binding references must be readable by its author and
exist, quotas included.

Attached by ``garden.admission.attach``. The read check (``garden.admission.readable``) comes first, so a binding
to another project's Secret is refused with the same 403 whether that Secret exists or not.
"""

from __future__ import annotations

from typing import Any

from garden.admission import reader as keys
from garden.admission.errors import reject_if
from garden.admission.readable import QUOTAS, SECRETS, WORKLOAD_IDENTITIES, ReadGuard, Reference
from garden.admission.reader import Reader
from shoot import fielderrors
from shoot.fielderrors import FieldError

JSON = dict[str, Any]
_CREDENTIALS = {"Secret": (keys.SECRETS, SECRETS, "secret"),
                "WorkloadIdentity": ("security.gardener.cloud/workloadidentities", WORKLOAD_IDENTITIES,
                                     "workload identity")}


def _quota_errors(reader: Reader, binding: JSON) -> list[FieldError]:
    errs = []
    ns = binding["metadata"].get("namespace", "")
    for i, ref in enumerate(binding.get("quotas") or []):
        if reader.get(keys.QUOTAS, ref.get("namespace") or ns, ref.get("name", "")) is None:
            errs.append(fielderrors.invalid(f"quotas[{i}]", ref.get("name", ""), "quota not found"))
    return errs


def _provider_errors(binding: JSON) -> list[FieldError]:
    provider = binding.get("provider") or {}
    return [] if provider.get("type") else [fielderrors.required("provider.type", "the provider type must be set")]


def _own_namespace(binding: JSON) -> str:
    return str(binding["metadata"].get("namespace", ""))


def _quota_refs(binding: JSON | None) -> list[Reference]:
    if binding is None:
        return []
    return [Reference("quota", *QUOTAS, namespace=str(ref.get("namespace") or _own_namespace(binding)),
                      name=str(ref.get("name") or ""))
            for ref in binding.get("quotas") or [] if isinstance(ref, dict)]


def secret_binding_refs(binding: JSON | None) -> list[Reference]:
    """The Secret and Quotas a SecretBinding names."""
    if binding is None:
        return []
    ref = binding.get("secretRef") or {}
    secret = Reference("secret", *SECRETS, namespace=str(ref.get("namespace") or _own_namespace(binding)),
                       name=str(ref.get("name") or ""))
    return [secret, *_quota_refs(binding)]


def credentials_binding_refs(binding: JSON | None) -> list[Reference]:
    """The Secret or WorkloadIdentity and the Quotas a CredentialsBinding names."""
    if binding is None:
        return []
    ref = binding.get("credentialsRef") or {}
    known = _CREDENTIALS.get(str(ref.get("kind") or ""))
    found = [] if known is None else [Reference(known[2], *known[1], name=str(ref.get("name") or ""),
                                                namespace=str(ref.get("namespace") or _own_namespace(binding)))]
    return [*found, *_quota_refs(binding)]


class SecretBindingAdmission:
    def __init__(self, reader: Reader, guard: ReadGuard) -> None:
        self.reader = reader
        self.guard = guard

    def __call__(self, *, operation: str, new: JSON, old: JSON | None, subresource: str, user: Any) -> JSON:
        if operation == "DELETE":
            return new
        self.guard.check(user, secret_binding_refs(new), unchanged=secret_binding_refs(old), kind="SecretBinding",
                         qualified="secretbindings.core.gardener.cloud", name=new["metadata"].get("name", ""))
        ref = new.get("secretRef") or {}
        ns = ref.get("namespace") or _own_namespace(new)
        errs = _provider_errors(new) + _quota_errors(self.reader, new)
        if not ref.get("name"):
            errs.append(fielderrors.required("secretRef.name"))
        elif self.reader.get(keys.SECRETS, ns, ref["name"]) is None:
            errs.append(fielderrors.invalid("secretRef.name", ref["name"], f'secret not found in namespace "{ns}"'))
        reject_if(errs, kind="SecretBinding", obj=new, group="core.gardener.cloud", old=old)
        return new


class CredentialsBindingAdmission:
    def __init__(self, reader: Reader, guard: ReadGuard) -> None:
        self.reader = reader
        self.guard = guard

    def __call__(self, *, operation: str, new: JSON, old: JSON | None, subresource: str, user: Any) -> JSON:
        if operation == "DELETE":
            return new
        self.guard.check(user, credentials_binding_refs(new), unchanged=credentials_binding_refs(old),
                         kind="CredentialsBinding", qualified="credentialsbindings.security.gardener.cloud",
                         name=new["metadata"].get("name", ""))
        ref = new.get("credentialsRef") or {}
        ns = ref.get("namespace") or _own_namespace(new)
        errs = _provider_errors(new) + _quota_errors(self.reader, new)
        kind = ref.get("kind")
        known = _CREDENTIALS.get(kind or "")
        if known is None:
            errs.append(fielderrors.not_supported("credentialsRef.kind", kind, ["Secret", "WorkloadIdentity"]))
        elif not ref.get("name"):
            errs.append(fielderrors.required("credentialsRef.name"))
        elif self.reader.get(known[0], ns, ref["name"]) is None:
            errs.append(fielderrors.invalid("credentialsRef.name", ref["name"],
                                            f'{kind} not found in namespace "{ns}"'))
        reject_if(errs, kind="CredentialsBinding", obj=new, group="security.gardener.cloud", old=old)
        return new
