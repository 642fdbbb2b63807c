"""``authentication.k8s.io/v1`` TokenReview and SelfSubjectReview: answered, never stored.

``install`` is called by ``garden.app`` and ``seed.local.server`` for their API servers. A TokenReview tells a
caller allowed to create one (a webhook authenticator, kr8s, an operator) who a bearer token belongs to, using the
server's own authenticator; a SelfSubjectReview (``kubectl auth whoami``) tells any authenticated caller who the
server takes them for. Both answer ``201 Created`` with the review's status filled in, as Kubernetes does.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response

from apiserver import bodies, errors
from apiserver.context import RequestContext, UserInfo
from apiserver.paths import Target
from apiserver.registry import ResourceType
from apiserver.responses import JSONResponse
from apiserver.server import ApiServer

JSON = dict[str, Any]
GROUP = "authentication.k8s.io"
_SCHEMA: JSON = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}

TOKEN_REVIEW = ResourceType(group=GROUP, version="v1", kind="TokenReview", plural="tokenreviews", namespaced=False,
                            verbs=("create",), schema=_SCHEMA)
SELF_SUBJECT_REVIEW = ResourceType(group=GROUP, version="v1", kind="SelfSubjectReview", plural="selfsubjectreviews",
                                   namespaced=False, verbs=("create",), schema=_SCHEMA)


def install(api: ApiServer) -> None:
    """Serve both reviews on ``api`` (its authorizer decides who may create a TokenReview)."""
    for rt, handler in ((TOKEN_REVIEW, token_review), (SELF_SUBJECT_REVIEW, self_subject_review)):
        if api.registry.get(rt.group, rt.version, rt.plural) is None:
            api.registry.register(rt)
        api.raw_subresources[(rt.key, "")] = handler


async def token_review(api: ApiServer, request: Request, target: Target, _ctx: RequestContext) -> Response:
    review = await _body(request, target)
    spec = review.get("spec")
    token = spec.get("token") if isinstance(spec, dict) else None
    if not isinstance(token, str) or not token:
        raise errors.invalid("TokenReview", "", [errors.Cause(field="spec.token", message="Required value: token is "
                                                              "required", reason="FieldValueRequired")], group=GROUP)
    user = api.authenticator.authenticate(token)
    status: JSON = {"authenticated": user is not None}
    if user is not None:
        status["user"] = user_info(user)
        audiences = spec.get("audiences") if isinstance(spec, dict) else None
        if isinstance(audiences, list) and audiences:
            status["audiences"] = [a for a in audiences if isinstance(a, str)]
    return _created(review, status)


async def self_subject_review(_api: ApiServer, request: Request, target: Target, ctx: RequestContext) -> Response:
    review = await _body(request, target, optional=True)
    return _created(review, {"userInfo": user_info(ctx.user)})


def user_info(user: UserInfo) -> JSON:
    """A ``UserInfo`` as the authentication API renders it."""
    out: JSON = {"username": user.name, "groups": list(user.groups)}
    if user.uid:
        out["uid"] = user.uid
    if user.extra:
        out["extra"] = {k: list(v) if isinstance(v, list | tuple) else [str(v)] for k, v in user.extra.items()}
    return out


async def _body(request: Request, target: Target, *, optional: bool = False) -> JSON:
    if request.method != "POST" or target.name:
        raise errors.method_not_allowed()
    raw = await request.body()
    if optional and (not raw.strip() or bodies.media_type(request.headers.get("content-type")) == bodies.PROTOBUF):
        return {}  # kubectl auth whoami sends an empty review (as protobuf from 1.32 on): nothing in it is read
    return bodies.decode_object(raw, request.headers.get("content-type"))


def _created(review: JSON, status: JSON) -> Response:
    kind = "TokenReview" if "authenticated" in status else "SelfSubjectReview"
    md = review.get("metadata") if isinstance(review.get("metadata"), dict) else {}
    out: JSON = {"kind": kind, "apiVersion": f"{GROUP}/v1", "metadata": {"creationTimestamp": None, **(md or {})},
                 "status": status}
    if kind == "TokenReview":
        out["spec"] = review.get("spec") or {}
    return JSONResponse(out, status_code=201)
