"""Who may call the garden: users, service accounts, seeds and operators, and their bearer tokens.

Names and groups follow Kubernetes and Gardener (``system:serviceaccount:<ns>:<name>``,
``gardener.cloud:system:seed:<name>``). Tokens are random, shown once, kept only as SHA-256 digests,
revocable and optionally expiring. Used by ``garden.auth.authenticator``, ``hortus.admin`` and ``hortus up``.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
import time
from collections.abc import Callable, Iterable
from typing import Any

from apiserver.auth import digest, new_token
from apiserver.context import UserInfo
from apiserver.storage.identities import Identity, IdentityStore, Token

USER, SERVICE_ACCOUNT, SEED = "user", "serviceaccount", "seed"
AUTHENTICATED = "system:authenticated"
MASTERS = "system:masters"
# The garden's own administrators group: everything, like system:masters, but named for what it means.
OPERATORS = "hortus:operators"
OPERATOR_GROUPS = frozenset({MASTERS, OPERATORS})
SA_PREFIX = "system:serviceaccount:"
SA_GROUP = "system:serviceaccounts"
SEED_PREFIX = "gardener.cloud:system:seed:"
SEEDS_GROUP = "gardener.cloud:system:seeds"
# A user named like a service account or seed would be one in the authorizer's eyes: refuse such names.
_RESERVED = ("system:", "gardener.cloud:")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_DURATION = re.compile(r"^(\d+)([smhd]?)$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


class IdentityError(ValueError):
    """A name, group or duration that cannot be used."""


@dataclasses.dataclass(frozen=True)
class IssuedToken:
    """A new token: ``token`` is shown once and then only its digest exists."""

    token: str
    id: str
    identity: str
    expires_at: float | None


def service_account_user(namespace: str, name: str) -> str:
    return f"{SA_PREFIX}{namespace}:{name}"


def parse_service_account(username: str) -> tuple[str, str] | None:
    """(namespace, name) of a service account user name, or None."""
    if not username.startswith(SA_PREFIX):
        return None
    namespace, sep, name = username.removeprefix(SA_PREFIX).partition(":")
    return (namespace, name) if sep and namespace and name else None


def seed_user(seed: str) -> str:
    return f"{SEED_PREFIX}{seed}"


def seed_of(user: UserInfo) -> str | None:
    """The seed a seed identity acts for (both its name and its group must say so), or None."""
    if user.name.startswith(SEED_PREFIX) and SEEDS_GROUP in user.groups:
        return user.name.removeprefix(SEED_PREFIX) or None
    return None


def is_operator(user: UserInfo) -> bool:
    return not OPERATOR_GROUPS.isdisjoint(user.groups)


def parse_duration(text: str) -> float:
    """Seconds in ``90``, ``90s``, ``30m``, ``24h`` or ``7d``."""
    match = _DURATION.match(text.strip())
    if match is None or int(match.group(1)) <= 0:
        raise IdentityError(f"not a duration: {text!r} (use e.g. 30m, 24h, 7d)")
    return float(int(match.group(1)) * _UNITS[match.group(2)])


def user_info(identity: Identity, *, token_id: str = "") -> UserInfo:
    """The identity as the API machinery sees it; every identity is also ``system:authenticated``."""
    groups = [*identity.groups]
    if identity.kind == SERVICE_ACCOUNT and (sa_ns := parse_service_account(identity.name)):
        groups += [SA_GROUP, f"{SA_GROUP}:{sa_ns[0]}"]
    if identity.kind == SEED:
        groups.append(SEEDS_GROUP)
    groups.append(AUTHENTICATED)
    return UserInfo(name=identity.name, groups=tuple(dict.fromkeys(groups)), uid=identity.name,
                    extra={"hortus.dev/kind": identity.kind, "hortus.dev/token-id": token_id})


class Identities:
    """Identity and token management on the garden database."""

    def __init__(self, store: IdentityStore, *, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock

    def create_user(self, name: str, *, groups: Iterable[str] = (), operator: bool = False) -> Identity:
        if not name or name.startswith(_RESERVED) or any(c.isspace() for c in name):
            raise IdentityError(f"{name!r} is not a user name (names starting with system: or gardener.cloud: "
                                "are reserved)")
        wanted = [*groups, *([OPERATORS] if operator else [])]
        for group in wanted:
            if not group or (group.startswith(_RESERVED) and group not in OPERATOR_GROUPS):
                raise IdentityError(f"{group!r} is a reserved group")
        return self._put(name, USER, wanted)

    def create_service_account(self, namespace: str, name: str) -> Identity:
        for part in (namespace, name):
            if not _DNS_LABEL.match(part):
                raise IdentityError(f"{part!r} is not a DNS label")
        return self._put(service_account_user(namespace, name), SERVICE_ACCOUNT, [])

    def ensure_seed(self, seed: str) -> Identity:
        if not _DNS_LABEL.match(seed):
            raise IdentityError(f"{seed!r} is not a seed name")
        return self._put(seed_user(seed), SEED, [])

    def ensure_operator(self, name: str, *, token_digest: str, description: str = "hortus up") -> None:
        """The operator of ``hortus up``: an identity in ``system:masters`` whose token exists only as a digest."""
        self._put(name, USER, [MASTERS])
        if self.store.token_by_digest(token_digest) is None:
            self.store.add_token(Token(id=_token_id(), identity=name, digest=token_digest, description=description,
                                       created_at=self.clock(), expires_at=None, revoked_at=None))
        # A token ``hortus up`` made before (its kubeconfig was replaced) must not stay valid.
        for old in self.store.list_tokens(identity=name):
            if old.description == description and old.digest != token_digest and old.revoked_at is None:
                self.store.revoke(now=self.clock(), token_id=old.id)

    def get(self, name: str) -> Identity | None:
        return self.store.get_identity(name)

    def issue_token(self, name: str, *, expires_in: float | None = None, description: str = "") -> IssuedToken:
        if self.store.get_identity(name) is None:
            raise IdentityError(f"no identity named {name!r}")
        token = new_token()
        now = self.clock()
        expires_at = None if expires_in is None else now + expires_in
        record = Token(id=_token_id(), identity=name, digest=digest(token), description=description,
                       created_at=now, expires_at=expires_at, revoked_at=None)
        self.store.add_token(record)
        return IssuedToken(token=token, id=record.id, identity=name, expires_at=expires_at)

    def revoke(self, *, token_id: str | None = None, token: str | None = None, identity: str | None = None) -> int:
        return self.store.revoke(now=self.clock(), token_id=token_id, identity=identity,
                                 digest=None if token is None else digest(token))

    def resolve(self, token_digest: str) -> tuple[UserInfo, float | None] | None:
        """The identity of a valid token's digest and the token's expiry, or None."""
        found = self.store.token_by_digest(token_digest)
        if found is None or not found[0].valid_at(self.clock()):
            return None
        record, identity = found
        return user_info(identity, token_id=record.id), record.expires_at

    def _put(self, name: str, kind: str, groups: Iterable[str]) -> Identity:
        existing = self.store.get_identity(name)
        if existing is not None and existing.kind != kind:
            raise IdentityError(f"{name!r} already exists as a {existing.kind}")
        merged = tuple(dict.fromkeys([*(existing.groups if existing else ()), *groups]))
        return self.store.put_identity(Identity(name=name, kind=kind, groups=merged, created_at=self.clock()))


def _token_id() -> str:
    return secrets.token_hex(6)


def for_engine(engine: Any) -> Identities:
    """Identity management on the garden database behind ``engine``."""
    return Identities(IdentityStore(engine))
