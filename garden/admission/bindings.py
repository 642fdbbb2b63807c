"""SecretBinding and CredentialsBinding admission: what a binding references must exist, quotas included.

Attached by ``garden.admission.attach``.
"""

from __future__ import annotations

from typing import Any

from garden.admission import reader as keys
from garden.admission.errors import reject_if
from garden.admission.reader import Reader
from shoot import fielderrors
from shoot.fielderrors import FieldError

JSON = dict[str, Any]


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


class SecretBindingAdmission:
    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    def __call__(self, *, operation: str, new: JSON, old: JSON | None, subresource: str, user: Any) -> JSON:
        if operation == "DELETE":
            return new
        ref = new.get("secretRef") or {}
        ns = ref.get("namespace") or new["metadata"].get("namespace", "")
        errs = _provider_errors(new) + _quota_errors(self.reader, new)
        if not ref.get("name"):
            errs.append(fielderrors.required("secretRef.name"))
        elif self.reader.get(keys.SECRETS, ns, ref["name"]) is None:
            errs.append(fielderrors.invalid("secretRef.name", ref["name"], f'secret not found in namespace "{ns}"'))
        reject_if(errs, kind="SecretBinding", obj=new, group="core.gardener.cloud")
        return new


class CredentialsBindingAdmission:
    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    def __call__(self, *, operation: str, new: JSON, old: JSON | None, subresource: str, user: Any) -> JSON:
        if operation == "DELETE":
            return new
        ref = new.get("credentialsRef") or {}
        ns = ref.get("namespace") or new["metadata"].get("namespace", "")
        errs = _provider_errors(new) + _quota_errors(self.reader, new)
        kind = ref.get("kind")
        key = {"Secret": keys.SECRETS, "WorkloadIdentity": "security.gardener.cloud/workloadidentities"}.get(kind or "")
        if key is None:
            errs.append(fielderrors.not_supported("credentialsRef.kind", kind, ["Secret", "WorkloadIdentity"]))
        elif not ref.get("name"):
            errs.append(fielderrors.required("credentialsRef.name"))
        elif self.reader.get(key, ns, ref["name"]) is None:
            errs.append(fielderrors.invalid("credentialsRef.name", ref["name"],
                                            f'{kind} not found in namespace "{ns}"'))
        reject_if(errs, kind="CredentialsBinding", obj=new, group="security.gardener.cloud")
        return new
