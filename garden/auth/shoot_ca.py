"""Who may touch a shoot's client CA in the garden: the Secret ``<shoot>.ca-client`` in the project namespace.

It holds the key that signs admin and viewer kubeconfigs, so only the garden itself (operators, and
``garden.kubeconfigs`` reading the store) and the seed the shoot runs on (which publishes it) may use it;
project members neither read, list, change nor create it — they ask ``shoots/adminkubeconfig`` instead
(Gardener keeps it in an InternalSecret for the same reason). Used by ``garden.auth.authorizer`` and by the
Secret admission ``ClientCAProtection`` (a ``create`` names its object only in the body).
"""

from __future__ import annotations

from typing import Any

from apiserver import errors
from apiserver.auth import Attributes
from apiserver.context import UserInfo
from garden.auth import identities, seeds

JSON = dict[str, Any]
SECRETS = "core/secrets"
SUFFIX = ".ca-client"
HIDDEN = "a shoot's client CA is kept for the garden and its seed: ask shoots/adminkubeconfig for a kubeconfig"
_SEED_VERBS = frozenset({"get", "update", "patch", "delete"})


def is_client_ca(name: str) -> bool:
    return name.endswith(SUFFIX) and len(name) > len(SUFFIX)


def shoot_name(secret: str) -> str:
    return secret.removesuffix(SUFFIX)


def seed_may(seed: str, attrs: Attributes, *, lookup: seeds.Lookup, scan: seeds.Scan | None) -> bool:
    """Whether ``seed`` may do ``attrs`` on a client-CA Secret of one of its shoots (``create``: of a shoot in
    that namespace; admission checks the name)."""
    if attrs.subresource:
        return False
    if attrs.verb == "create":
        return scan is not None and any(seeds.on_seed(s, seed) for s in scan(seeds.SHOOTS, attrs.namespace))
    if attrs.verb not in _SEED_VERBS or not is_client_ca(attrs.name):
        return False
    shoot = lookup(seeds.SHOOTS, attrs.namespace, shoot_name(attrs.name))
    return shoot is not None and seeds.on_seed(shoot, seed)


class ClientCAProtection:
    """Secret admission: a ``<shoot>.ca-client`` Secret is written only by operators and the shoot's seed."""

    def __init__(self, lookup: seeds.Lookup) -> None:
        self.lookup = lookup

    def __call__(self, *, operation: str, new: JSON, old: JSON | None, subresource: str, user: Any) -> JSON:
        md = new.get("metadata") or {}
        name, namespace = str(md.get("name") or ""), str(md.get("namespace") or "")
        if not isinstance(user, UserInfo) or identities.is_operator(user):
            return new
        seed = identities.seed_of(user)
        if seed is None:
            if is_client_ca(name):
                raise errors.forbidden(f'secrets "{name}" is forbidden: {HIDDEN}')
            return new
        # The authorizer lets a seed create Secrets where its shoots are: this is the check of the name it can't see.
        shoot = self.lookup(seeds.SHOOTS, namespace, shoot_name(name)) if is_client_ca(name) else None
        if shoot is not None and seeds.on_seed(shoot, seed):
            return new
        raise errors.forbidden(f'secrets "{name}" is forbidden: a seed may only write the client CA '
                               f"(<shoot>.ca-client) of the shoots scheduled to it")
