"""What a seed identity may reach: Gardener's SeedAuthorizer as a walk over the object graph.

A seed (``gardener.cloud:system:seed:<name>``) may read and update only the shoots scheduled to it (and their
``status``), read the CloudProfiles, the SecretBindings/CredentialsBindings those shoots use and the Secrets
behind them (and behind its own Seed), its own Seed (and ``seeds/status``), and its heartbeat Lease.
Used by ``garden.auth.authorizer``; ``lookup`` and ``scan`` read the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from apiserver.auth import Attributes

JSON = dict[str, Any]
Lookup = Callable[[str, str, str], JSON | None]
Scan = Callable[[str, str | None], list[JSON]]

SHOOTS = "core.gardener.cloud/shoots"
SEEDS = "core.gardener.cloud/seeds"
CLOUDPROFILES = "core.gardener.cloud/cloudprofiles"
SECRETBINDINGS = "core.gardener.cloud/secretbindings"
CREDENTIALSBINDINGS = "security.gardener.cloud/credentialsbindings"
SECRETS = "core/secrets"
LEASES = "coordination.k8s.io/leases"
LEASE_NAMESPACE = "gardener-system-seed-lease"
READ = frozenset({"get", "list", "watch"})
_OWN = frozenset({"get", "update", "patch"})
_REF_KEYS = ("secretRef", "credentialsRef")
DENIED = "a seed may only access its own Seed, the shoots scheduled to it and the objects those reference"


def on_seed(shoot: JSON, seed: str) -> bool:
    """Scheduled to ``seed``, or being migrated away from it (``status.seedName``)."""
    return seed in ((shoot.get("spec") or {}).get("seedName"), (shoot.get("status") or {}).get("seedName"))


class SeedAuthorizer:
    def __init__(self, lookup: Lookup, scan: Scan | None) -> None:
        self.lookup = lookup
        self.scan = scan

    def authorize(self, seed: str, attrs: Attributes, key: str) -> str | None:
        return None if self._allowed(seed, attrs, key) else DENIED

    def visible(self, seed: str, key: str, obj: JSON) -> bool:
        if key == SHOOTS:
            return on_seed(obj, seed)
        if key == SEEDS:
            return bool(obj.get("metadata", {}).get("name") == seed)
        return key == CLOUDPROFILES

    def _allowed(self, seed: str, attrs: Attributes, key: str) -> bool:
        verb, sub, ns, name = attrs.verb, attrs.subresource, attrs.namespace, attrs.name
        listing = verb in ("list", "watch") and not sub
        if key == SHOOTS:
            if listing:
                return True  # filtered to its shoots by ``visible``
            shoot = self.lookup(SHOOTS, ns, name) if verb in _OWN and sub in ("", "status") and name else None
            return shoot is not None and on_seed(shoot, seed)
        if key == SEEDS:
            return listing or (verb in _OWN and sub in ("", "status") and name == seed)
        if key == CLOUDPROFILES:
            return verb in READ and not sub
        if key in (SECRETBINDINGS, CREDENTIALSBINDINGS):
            return verb == "get" and not sub and self._binding_used(seed, key, ns, name)
        if key == SECRETS:
            return verb == "get" and (self._seed_secret(seed, ns, name) or self._shoot_secret(seed, ns, name))
        if key == LEASES:
            return ns == LEASE_NAMESPACE and (verb == "create" or (verb in _OWN and name == seed))
        return False

    def _shoots(self, namespace: str, seed: str) -> list[JSON]:
        return [s for s in self.scan(SHOOTS, namespace) if on_seed(s, seed)] if self.scan else []

    def _binding_used(self, seed: str, key: str, namespace: str, name: str) -> bool:
        field = "secretBindingName" if key == SECRETBINDINGS else "credentialsBindingName"
        return any((s.get("spec") or {}).get(field) == name for s in self._shoots(namespace, seed))

    def _seed_secret(self, seed: str, namespace: str, name: str) -> bool:
        own = self.lookup(SEEDS, "", seed)
        return own is not None and (namespace, name) in set(secret_refs(own.get("spec") or {}, ""))

    def _shoot_secret(self, seed: str, namespace: str, name: str) -> bool:
        if self.scan is None:
            return False
        for shoot in self._shoots(namespace, seed):
            if _names_secret(shoot.get("spec") or {}, name):
                return True
        for binding in self.scan(SECRETBINDINGS, None):
            ref = binding.get("secretRef") or {}
            if _ref_is(ref, binding, namespace, name) and self._binding_used(
                    seed, SECRETBINDINGS, binding["metadata"].get("namespace", ""), binding["metadata"]["name"]):
                return True
        for binding in self.scan(CREDENTIALSBINDINGS, None):
            ref = binding.get("credentialsRef") or {}
            if ref.get("kind", "Secret") == "Secret" and _ref_is(ref, binding, namespace, name) and self._binding_used(
                    seed, CREDENTIALSBINDINGS, binding["metadata"].get("namespace", ""), binding["metadata"]["name"]):
                return True
        return False


def _ref_is(ref: Mapping[str, Any], owner: JSON, namespace: str, name: str) -> bool:
    return bool(ref.get("name") == name and (ref.get("namespace") or owner["metadata"].get("namespace")) == namespace)


def _names_secret(spec: Mapping[str, Any], name: str) -> bool:
    """A shoot's own secret references: ``spec.resources[].resourceRef`` and DNS provider ``secretName``."""
    for resource in spec.get("resources") or ():
        ref = resource.get("resourceRef") or {}
        if ref.get("kind") == "Secret" and ref.get("name") == name:
            return True
    return any(p.get("secretName") == name for p in (spec.get("dns") or {}).get("providers") or ())


def secret_refs(doc: Any, namespace: str) -> Iterator[tuple[str, str]]:
    """(namespace, name) of every ``secretRef``/``credentialsRef`` to a Secret anywhere in ``doc``."""
    if isinstance(doc, Mapping):
        for key, value in doc.items():
            if key in _REF_KEYS and isinstance(value, Mapping) and value.get("kind", "Secret") == "Secret":
                yield value.get("namespace") or namespace, value.get("name", "")
            else:
                yield from secret_refs(value, namespace)
    elif isinstance(doc, list):
        for item in doc:
            yield from secret_refs(item, namespace)
