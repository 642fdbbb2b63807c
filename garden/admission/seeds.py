"""Seed admission: the Secrets a Seed names (backup, DNS provider, ...) must be readable by whoever writes it.

Attached to ``seeds`` by ``garden.admission.attach``. Operators write Seeds; a seed's own identity may update its
Seed but, through ``garden.admission.readable``, not point it at a Secret its stored Seed does not already name —
else a seed could make the garden's seed authorizer hand it any project's credentials.
"""

from __future__ import annotations

from typing import Any

from garden.admission.readable import SECRETS, ReadGuard, Reference
from garden.auth import seeds

JSON = dict[str, Any]


def seed_refs(seed: JSON | None) -> list[Reference]:
    if seed is None:
        return []
    return [Reference("secret", *SECRETS, namespace=namespace, name=name)
            for namespace, name in seeds.secret_refs(seed.get("spec") or {}, "")]


class SeedAdmission:
    def __init__(self, guard: ReadGuard) -> None:
        self.guard = guard

    def __call__(self, *, operation: str, new: JSON, old: JSON | None, subresource: str, user: Any) -> JSON:
        if operation != "DELETE" and subresource == "":
            self.guard.check(user, seed_refs(new), unchanged=seed_refs(old), kind="Seed",
                             qualified="seeds.core.gardener.cloud", name=new["metadata"].get("name", ""))
        return new
