"""Who a request comes from, whether they may do what it asks, and the audit record of what they did.

Called by ``apiserver.routes`` and ``apiserver.discovery_routes`` on every request (and by ``garden.audit``
through ``apiserver.routes.authenticate``): a client certificate or a bearer token, or 401; then impersonation
headers (``apiserver.impersonation``: the identity the request is made as, or 403); the authorizer's verdict or 403.
"""

from __future__ import annotations

from fastapi import Request

from apiserver import client_certs, errors, impersonation, meta
from apiserver.auth import Attributes, AuditEvent
from apiserver.context import UserInfo
from apiserver.registry import ResourceType
from apiserver.server import ApiServer

# The verbs whose requests reach the audit log; reads are not recorded.
MUTATING = frozenset({"create", "update", "patch", "delete", "deletecollection"})


def authenticate(api: ApiServer, request: Request) -> UserInfo:
    """A client certificate the server accepts (Kubernetes tries x509 first), else a bearer token, else 401; then
    the identity the impersonation headers ask for, if this user may take it."""
    user = _certificate_user(api, request) or _token_user(api, request)
    return impersonation.impersonate(api.authorizer, user, request.headers.items(), uri=str(request.url.path))


def _certificate_user(api: ApiServer, request: Request) -> UserInfo | None:
    if api.client_certificates is None:
        return None
    cert = client_certs.peer_certificate(request.scope)
    return api.client_certificates.authenticate_certificate(cert) if cert is not None else None


def _token_user(api: ApiServer, request: Request) -> UserInfo:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.unauthorized()
    user = api.authenticator.authenticate(token.strip())
    if user is None:
        raise errors.unauthorized()
    return user


def authorize(api: ApiServer, user: UserInfo, attrs: Attributes, rt: ResourceType) -> None:
    reason = api.authorizer.authorize(user, attrs)
    if reason is None:
        return
    what = f"{attrs.resource}/{attrs.subresource}" if attrs.subresource else attrs.resource
    scope = f' in the namespace "{attrs.namespace}"' if attrs.namespace else " at the cluster scope"
    target = f'{rt.qualified} "{attrs.name}"' if attrs.name else rt.qualified
    raise errors.forbidden(
        f'{target} is forbidden: User "{user.name}" cannot {attrs.verb} resource "{what}" in API group '
        f'"{rt.group}"{scope}: {reason}'
    )


def audit_event(user: UserInfo, attrs: Attributes, code: int) -> AuditEvent:
    """The record of one request; an impersonated one names who authenticated and whom they acted as."""
    real, as_user = (user.impersonated_by, user.name) if user.impersonated_by else (user.name, "")
    return AuditEvent(user=real, verb=attrs.verb, group=attrs.group, resource=attrs.resource,
                      subresource=attrs.subresource, namespace=attrs.namespace, name=attrs.name, code=code,
                      timestamp=meta.now(), impersonated_user=as_user)
