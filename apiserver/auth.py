"""Authentication by bearer token or client certificate, and the authorization hook.

``apiserver.routes`` asks the ``Authenticator`` who a request comes from (401 when nobody) and the
``Authorizer`` whether that identity may do what it asks (403 otherwise). The garden fills in real
implementations (users, service accounts, seeds, project roles); tokens are kept only as SHA-256 digests.
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
from collections.abc import Mapping
from typing import Any, Protocol

from cryptography import x509

from apiserver.context import UserInfo
from apiserver.registry import ResourceType


@dataclasses.dataclass(frozen=True)
class Attributes:
    """What a request does, in Kubernetes authorization terms."""

    verb: str
    group: str = ""
    resource: str = ""
    subresource: str = ""
    namespace: str = ""
    name: str = ""
    path: str = ""

    @property
    def is_resource_request(self) -> bool:
        return bool(self.resource)


class Authenticator(Protocol):
    def authenticate(self, token: str) -> UserInfo | None: ...


class CertificateAuthenticator(Protocol):
    def authenticate_certificate(self, cert: x509.Certificate) -> UserInfo | None:
        """Who a TLS client certificate (already verified by the TLS layer against some trusted CA) names, or None
        when this server does not accept it (another CA, expired): user from CN, groups from O."""
        ...


class Authorizer(Protocol):
    def authorize(self, user: UserInfo, attrs: Attributes) -> str | None:
        """None to allow; otherwise the reason the request is denied (403)."""
        ...

    def visible(self, user: UserInfo, rt: ResourceType, obj: dict[str, Any]) -> bool:
        """Whether one object of an allowed list or watch may be shown (e.g. only the projects one belongs to)."""
        ...


@dataclasses.dataclass(frozen=True)
class AuditEvent:
    """One mutation as the audit log records it: who, what, on which object, when, and the outcome."""

    user: str
    verb: str
    group: str
    resource: str
    subresource: str
    namespace: str
    name: str
    code: int
    timestamp: str
    impersonated_user: str = ""  # set when ``user`` made the request as someone else (Impersonate-User)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A fresh bearer token: 256 random bits, URL-safe, never starting with ``-`` (a CLI would read an option)."""
    return "h" + secrets.token_urlsafe(32)


class TokenAuthenticator:
    """Static tokens, held as digests: token digest -> identity."""

    def __init__(self, digests: Mapping[str, UserInfo]) -> None:
        self._digests = dict(digests)

    @classmethod
    def from_tokens(cls, tokens: Mapping[str, UserInfo]) -> TokenAuthenticator:
        return cls({digest(t): user for t, user in tokens.items()})

    def add(self, token: str, user: UserInfo) -> None:
        self._digests[digest(token)] = user

    def authenticate(self, token: str) -> UserInfo | None:
        # A digest lookup leaks nothing useful about a token through timing.
        return self._digests.get(digest(token))


class AllowAuthenticated:
    """Every authenticated identity may do everything (the machinery's own default) — except impersonating
    someone, which only members of ``system:masters`` (the local seed's admin) may."""

    def authorize(self, user: UserInfo, attrs: Attributes) -> str | None:
        if attrs.verb == "impersonate" and "system:masters" not in user.groups:
            return "only members of system:masters may impersonate"
        return None

    def visible(self, user: UserInfo, rt: ResourceType, obj: dict[str, Any]) -> bool:
        return True
