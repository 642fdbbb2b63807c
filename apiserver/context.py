"""Who is asking and how: the per-request options every generic handler receives.

Built by ``apiserver.http`` from the query string and the authenticated user; read by ``apiserver.service``.
"""

from __future__ import annotations

import dataclasses
from typing import Any


@dataclasses.dataclass(frozen=True)
class UserInfo:
    """An authenticated identity (a user, a service account or a seed)."""

    name: str
    groups: tuple[str, ...] = ()
    uid: str = ""
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)
    # Who authenticated, when this identity is one they impersonate (``apiserver.impersonation``); else "".
    impersonated_by: str = ""


ANONYMOUS = UserInfo(name="system:anonymous", groups=("system:unauthenticated",))


@dataclasses.dataclass
class RequestContext:
    """Options of one request; ``warnings`` collects ``Warning:`` headers for the response."""

    user: UserInfo
    dry_run: bool = False
    field_validation: str = "Warn"
    field_manager: str = ""
    warnings: list[str] = dataclasses.field(default_factory=list)


def system_context() -> RequestContext:
    """The identity of the server's own controllers (namespace finalizer, garbage collector)."""
    return RequestContext(user=UserInfo(name="system:apiserver", groups=("system:masters",)),
                          field_validation="Ignore")
