"""Impersonation as Kubernetes does it: ``Impersonate-User``, ``-Group``, ``-Uid`` and ``-Extra-<key>`` headers.

``apiserver.access.authenticate`` calls ``impersonate`` after the bearer token is known. Each requested attribute
is checked with the authorizer as verb ``impersonate`` for the *real* user, in Kubernetes' order (user or service
account, each group, each extra value, the uid), and the first denial is a 403 worded as Kubernetes words it. When
all are allowed the request goes on as the impersonated identity, built from the headers alone, and remembers who
made it (``UserInfo.impersonated_by``) for the audit log. Headers are never ignored.
"""

from __future__ import annotations

import dataclasses
import html
import urllib.parse
from collections.abc import Iterable

from apiserver import errors
from apiserver.auth import Attributes, Authorizer
from apiserver.context import UserInfo

USER_HEADER = "impersonate-user"
GROUP_HEADER = "impersonate-group"
UID_HEADER = "impersonate-uid"
EXTRA_PREFIX = "impersonate-extra-"
AUTH_GROUP = "authentication.k8s.io"
SA_PREFIX = "system:serviceaccount:"
AUTHENTICATED, UNAUTHENTICATED, ANONYMOUS = "system:authenticated", "system:unauthenticated", "system:anonymous"


@dataclasses.dataclass(frozen=True)
class Requested:
    """What the headers ask to be taken for."""

    user: str | None
    groups: tuple[str, ...]
    uid: str | None
    extra: dict[str, tuple[str, ...]]

    @property
    def empty(self) -> bool:
        return self.user is None and not self.groups and self.uid is None and not self.extra


def requested(headers: Iterable[tuple[str, str]]) -> Requested:
    """The impersonation headers among ``headers`` (name, value pairs; repeated names kept, matched without case).
    Extra keys are lowercased, then percent-decoded (kubectl sends ``Impersonate-Extra-Reason%2fwhy``)."""
    user = uid = None
    groups: list[str] = []
    extra: dict[str, list[str]] = {}
    for name, value in headers:
        key = name.lower()
        if key == USER_HEADER:
            user = value or None  # an empty header asks for nobody, as in Kubernetes
        elif key == GROUP_HEADER:
            groups.append(value)
        elif key == UID_HEADER:
            uid = value
        elif key.startswith(EXTRA_PREFIX):
            extra.setdefault(urllib.parse.unquote(key.removeprefix(EXTRA_PREFIX)), []).append(value)
    return Requested(user=user, groups=tuple(groups), uid=uid, extra={k: tuple(v) for k, v in extra.items()})


def impersonate(authorizer: Authorizer, real: UserInfo, headers: Iterable[tuple[str, str]], *, uri: str) -> UserInfo:
    """``real`` itself when no impersonation is asked for, else the impersonated identity (403 if not allowed)."""
    asked = requested(headers)
    if asked.empty:
        return real
    if asked.user is None:
        # Kubernetes answers this with a plain-text 500; a client error is what it is.
        parts = [*(f"groups={g}" for g in asked.groups), *(f"extra[{k}]={v}" for k, vs in asked.extra.items()
                                                          for v in vs), *([f"uid={asked.uid}"] if asked.uid else [])]
        raise errors.bad_request(f'"{uri}": requested [{", ".join(parts)}] without impersonating a user')
    for attrs in _checks(asked):
        if (reason := authorizer.authorize(real, attrs)) is not None:
            raise denied(real, attrs, reason)
    return _identity(asked, real)


def _checks(asked: Requested) -> list[Attributes]:
    assert asked.user is not None
    checks = [_user_check(asked.user)]
    checks += [Attributes(verb="impersonate", resource="groups", name=group) for group in asked.groups]
    checks += [Attributes(verb="impersonate", group=AUTH_GROUP, resource="userextras", subresource=key, name=value)
               for key, values in asked.extra.items() for value in values]
    if asked.uid is not None:
        checks.append(Attributes(verb="impersonate", group=AUTH_GROUP, resource="uids", name=asked.uid))
    return checks


def _user_check(user: str) -> Attributes:
    namespace, sep, name = user.removeprefix(SA_PREFIX).partition(":")
    if user.startswith(SA_PREFIX) and sep and namespace and name and ":" not in name:
        return Attributes(verb="impersonate", resource="serviceaccounts", namespace=namespace, name=name)
    return Attributes(verb="impersonate", resource="users", name=user)


def _identity(asked: Requested, real: UserInfo) -> UserInfo:
    assert asked.user is not None
    groups = list(asked.groups)
    sa = _user_check(asked.user)
    if sa.resource == "serviceaccounts" and not groups:
        groups = ["system:serviceaccounts", f"system:serviceaccounts:{sa.namespace}"]
    if asked.user == ANONYMOUS:
        if UNAUTHENTICATED not in groups:
            groups.append(UNAUTHENTICATED)
    elif AUTHENTICATED not in groups and UNAUTHENTICATED not in groups:
        groups.append(AUTHENTICATED)
    return UserInfo(name=asked.user, groups=tuple(groups), uid=asked.uid or "",
                    extra={k: list(v) for k, v in asked.extra.items()}, impersonated_by=real.name)


def denied(real: UserInfo, attrs: Attributes, reason: str) -> errors.ApiError:
    """``users "bob" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster
    scope: <reason>``, with Kubernetes' details."""
    qualified = f"{attrs.resource}.{attrs.group}" if attrs.group else attrs.resource
    what = f"{attrs.resource}/{attrs.subresource}" if attrs.subresource else attrs.resource
    scope = f' in the namespace "{attrs.namespace}"' if attrs.namespace else " at the cluster scope"
    message = (f'{qualified} "{attrs.name}" is forbidden: User "{real.name}" cannot impersonate resource "{what}" in '
               f'API group "{attrs.group}"{scope}' + (f": {reason}" if reason else ""))
    details = {"name": attrs.name, "kind": attrs.resource, **({"group": attrs.group} if attrs.group else {})}
    return errors.ApiError(403, "Forbidden", html.escape(message, quote=False), details=details)
