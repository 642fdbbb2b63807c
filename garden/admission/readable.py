"""References the requesting user must be allowed to read (Gardener's ResourceReferenceManager).

A SecretBinding or CredentialsBinding may name a Secret, WorkloadIdentity or Quota of any namespace, and a Shoot
names bindings, resources and DNS secrets of its own — but only objects the requester may ``get``. The authorizer
is asked before anything is looked up, so the 403 reads the same whether the object exists or not (no existence
oracle). A reference the request did not change is not checked again (an old object stays writable). Used by
``garden.admission.bindings`` and ``garden.admission.shoots``; operators and the garden's own controllers pass.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from apiserver import errors
from apiserver.auth import Attributes, Authorizer
from apiserver.context import UserInfo

SECRETS = ("", "secrets")
QUOTAS = ("core.gardener.cloud", "quotas")
WORKLOAD_IDENTITIES = ("security.gardener.cloud", "workloadidentities")


@dataclasses.dataclass(frozen=True)
class Reference:
    """One object another object names: what it is called in the refusal, and where it lives."""

    noun: str  # "secret", "quota", "workload identity", "resource"
    group: str
    resource: str
    namespace: str
    name: str


class ReadGuard:
    """Refuses a write whose new references name objects its author may not read."""

    def __init__(self, authorizer: Authorizer) -> None:
        self.authorizer = authorizer

    def check(self, user: UserInfo, refs: Iterable[Reference], *, unchanged: Iterable[Reference] = (), kind: str,
              qualified: str, name: str) -> None:
        """403 for the first of ``refs`` (not among ``unchanged``) that ``user`` may not ``get``."""
        kept = set(unchanged)
        for ref in refs:
            if ref in kept or not ref.name:
                continue
            attrs = Attributes(verb="get", group=ref.group, resource=ref.resource, namespace=ref.namespace,
                               name=ref.name)
            if self.authorizer.authorize(user, attrs) is not None:
                raise refused(kind=kind, qualified=qualified, name=name, noun=ref.noun)


def refused(*, kind: str, qualified: str, name: str, noun: str) -> errors.ApiError:
    """Gardener's wording: ``secretbindings.core.gardener.cloud "x" is forbidden: SecretBinding cannot reference a
    secret you are not allowed to read``."""
    plural, _, group = qualified.partition(".")
    details: dict[str, Any] = {"name": name, "kind": plural, **({"group": group} if group else {})}
    return errors.ApiError(
        403, "Forbidden",
        f'{qualified} "{name}" is forbidden: {kind} cannot reference a {noun} you are not allowed to read',
        details=details)
